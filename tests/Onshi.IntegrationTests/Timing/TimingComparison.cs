using System.Diagnostics;
using System.Globalization;

namespace Onshi.IntegrationTests.Timing;

/// <summary>One answer: how long it took (ms, request sent to body read) and what it said (status and message).</summary>
public sealed record TimedAnswer(double Milliseconds, int Status, string Message);

/// <summary>
/// Two timing distributions compared robustly: the Hodges–Lehmann shift (the median of every known − unknown
/// difference: the shift the Mann–Whitney test estimates, far steadier than the difference of the two medians when a
/// busy machine adds long random delays), the Mann–Whitney effect size (the probability that a known-ID answer takes
/// longer than an unknown-ID one, ties counting half: 0.5 when the distributions are alike, near 1 or 0 when one is
/// shifted by more than its spread), and, for the report, the plain medians and the Kolmogorov–Smirnov distance.
/// </summary>
public sealed record TimingComparison(IReadOnlyList<TimedAnswer> Known, IReadOnlyList<TimedAnswer> Unknown)
{
    public double KnownMedian => Median(Known.Select(a => a.Milliseconds));

    public double UnknownMedian => Median(Unknown.Select(a => a.Milliseconds));

    /// <summary>The median of known − unknown over every pair of answers (ms).</summary>
    public double HodgesLehmannShift =>
        Median(Known.SelectMany(k => Unknown.Select(u => k.Milliseconds - u.Milliseconds)));

    /// <summary>P(known &gt; unknown) + ½ P(known = unknown), from every pair (the Mann–Whitney U over n₁n₂).</summary>
    public double ProbabilityKnownSlower
    {
        get
        {
            double wins = 0;
            foreach (var k in Known)
            {
                foreach (var u in Unknown)
                {
                    wins += k.Milliseconds > u.Milliseconds ? 1 : k.Milliseconds == u.Milliseconds ? 0.5 : 0;
                }
            }

            return wins / (Known.Count * (double)Unknown.Count);
        }
    }

    /// <summary>The largest distance between the two empirical distribution functions.</summary>
    public double KolmogorovSmirnov
    {
        get
        {
            var a = Known.Select(x => x.Milliseconds).Order().ToArray();
            var b = Unknown.Select(x => x.Milliseconds).Order().ToArray();
            int i = 0, j = 0;
            double d = 0;
            while (i < a.Length && j < b.Length)
            {
                var x = Math.Min(a[i], b[j]);
                while (i < a.Length && a[i] <= x)
                {
                    i++;
                }

                while (j < b.Length && b[j] <= x)
                {
                    j++;
                }

                d = Math.Max(d, Math.Abs(((double)i / a.Length) - ((double)j / b.Length)));
            }

            return d;
        }
    }

    /// <summary>
    /// Sends <paramref name="warmUp"/> requests of each kind (discarded), then <paramref name="samples"/> of each in a
    /// random interleaved order, one at a time, so that both kinds meet the same machine load.
    /// <paramref name="send"/> gets whether to use a known ID and the sample's number, and returns the answer's status and
    /// message; the time is measured here.
    /// </summary>
    public static async Task<TimingComparison> MeasureAsync(int warmUp, int samples, Random random,
        Func<bool, int, Task<(int Status, string Message)>> send, int firstNumber = 0)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(send);
        var n = firstNumber;
        for (var i = 0; i < warmUp; i++)
        {
            await send(true, n++);
            await send(false, n++);
        }

        var order = Enumerable.Repeat(true, samples).Concat(Enumerable.Repeat(false, samples)).OrderBy(_ => random.Next()).ToList();
        var known = new List<TimedAnswer>(samples);
        var unknown = new List<TimedAnswer>(samples);
        foreach (var isKnown in order)
        {
            var watch = Stopwatch.StartNew();
            var (status, message) = await send(isKnown, n++);
            var answer = new TimedAnswer(watch.Elapsed.TotalMilliseconds, status, message);
            (isKnown ? known : unknown).Add(answer);
        }

        return new TimingComparison(known, unknown);
    }

    /// <summary>This comparison with the samples of <paramref name="more"/> added.</summary>
    public TimingComparison With(TimingComparison more)
    {
        ArgumentNullException.ThrowIfNull(more);
        return new TimingComparison([.. Known, .. more.Known], [.. Unknown, .. more.Unknown]);
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
            : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Medians, effect size and KS distance in one line, for the test output.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"known median {KnownMedian:F1} ms, unknown median {UnknownMedian:F1} ms, shift {HodgesLehmannShift:F1} ms, P(known slower) {ProbabilityKnownSlower:F2}, KS {KolmogorovSmirnov:F2}, n {Known.Count}+{Unknown.Count}");
}
