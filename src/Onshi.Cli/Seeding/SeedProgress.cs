using System.Diagnostics;
using System.Globalization;

namespace Onshi.Cli.Seeding;

/// <summary>
/// The progress of seed-scale and seed-insured on stderr: on a terminal one line redrawn in place (bar, percentage, units,
/// rows/s, ETA), at most five times a second; otherwise (a log, a pipe) a plain line every <see cref="PlainInterval"/>
/// and one at the end. Counts only, never a value of a row.
/// </summary>
internal sealed class SeedProgress
{
    public static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(10);

    private const int BarWidth = 30;
    private readonly TextWriter output;
    private readonly bool interactive;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly int first;
    private readonly int target;
    private readonly string command;
    private readonly string unit;
    private TimeSpan? lastDrawn;
    private int drawnDone = -1;

    /// <param name="output">Where to draw (stderr).</param>
    /// <param name="interactive">A terminal (redraw in place) or not (a line every <see cref="PlainInterval"/>).</param>
    /// <param name="first">Units already there.</param>
    /// <param name="target">Units wanted in all.</param>
    /// <param name="command">The command the plain lines name.</param>
    /// <param name="unit">What is counted.</param>
    public SeedProgress(TextWriter output, bool interactive, int first, int target, string command = "seed-scale", string unit = "institutions")
    {
        this.output = output;
        this.interactive = interactive;
        this.first = first;
        this.target = target;
        this.command = command;
        this.unit = unit;
    }

    public long Rows { get; private set; }

    public int Done { get; private set; }

    public TimeSpan Elapsed => clock.Elapsed;

    /// <summary>Rows written per second so far.</summary>
    public double RowsPerSecond => Rows / Math.Max(clock.Elapsed.TotalSeconds, 0.001);

    /// <summary><paramref name="units"/> more units (with <paramref name="rows"/> rows in all) committed.</summary>
    public void Report(int units, long rows)
    {
        Done += units;
        Rows += rows;
        var now = clock.Elapsed;
        var interval = interactive ? TimeSpan.FromMilliseconds(200) : PlainInterval;
        if (lastDrawn is not { } last || now - last >= interval)
        {
            lastDrawn = now;
            Draw(final: false);
        }
    }

    /// <summary>The last line (on a terminal: the bar at its final state, then a new line).</summary>
    public void Complete()
    {
        if (interactive || drawnDone != Done)
        {
            Draw(final: true);
        }
    }

    /// <summary>The last line of a run that stops early (no ETA).</summary>
    public void Interrupted() => Draw(final: true, interrupted: true);

    private void Draw(bool final, bool interrupted = false)
    {
        drawnDone = Done;
        var todo = Math.Max(1, target - first);
        var fraction = Math.Clamp((double)Done / todo, 0, 1);
        var seconds = clock.Elapsed.TotalSeconds;
        var eta = Done == 0 ? "?" : Duration(TimeSpan.FromSeconds(seconds / Done * (todo - Done)));
        var text = string.Create(CultureInfo.InvariantCulture,
            $"{fraction * 100,5:0.0}%  {first + Done:N0}/{target:N0} {unit}  {Rows:N0} rows  {RowsPerSecond:N0} rows/s  elapsed {Duration(clock.Elapsed)}  ETA {(interrupted ? "-" : final ? "0s" : eta)}");
        if (interactive)
        {
            var filled = (int)Math.Round(fraction * BarWidth);
            output.Write("\r[" + new string('#', filled) + new string('.', BarWidth - filled) + "] " + text + "   ");
            if (final)
            {
                output.WriteLine();
            }
        }
        else
        {
            output.WriteLine(command + ": " + text);
        }

        output.Flush();
    }

    private static string Duration(TimeSpan t) => t.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}h{t.Minutes:D2}m")
        : t.TotalMinutes >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalMinutes}m{t.Seconds:D2}s")
            : string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.0}s");
}
