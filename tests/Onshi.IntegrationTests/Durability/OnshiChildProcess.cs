using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Onshi.Web.Hosting;

namespace Onshi.IntegrationTests.Durability;

/// <summary>
/// The real <c>onshi</c> (the built <c>onshi.dll</c> next to the tests) as a child process: <c>onshi serve</c> on a data
/// directory and database, on loopback ports the system chooses, until it is killed (<see cref="KillAsync"/>: SIGKILL, no
/// chance to clean up) or stopped (<see cref="DisposeAsync"/>: SIGTERM). Its output goes to a log file only.
/// </summary>
public sealed partial class OnshiChildProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly Process process;
    private readonly StreamWriter log;

    private readonly Uri? oqs;
    private readonly Uri? portal;
    private readonly Uri? console;

    private OnshiChildProcess(Process process, StreamWriter log, Uri? oqs, Uri? portal, Uri? console, Uri operations, string banner)
    {
        this.process = process;
        this.log = log;
        this.oqs = oqs;
        this.portal = portal;
        this.console = console;
        Operations = operations;
        Banner = banner;
    }

    public int Pid => process.Id;

    public Uri Oqs => oqs ?? throw new InvalidOperationException("This process does not serve the OQS (--site).");

    public Uri Portal => portal ?? throw new InvalidOperationException("This process does not serve the portal (--site).");

    public Uri Console => console ?? throw new InvalidOperationException("This process does not serve the console (--site).");

    /// <summary>The operations endpoint (health, metrics; plain HTTP).</summary>
    public Uri Operations { get; }

    /// <summary>What the process printed up to its "Ctrl+C" line.</summary>
    public string Banner { get; }

    /// <summary>The exit code once the process has ended (137 = killed by SIGKILL).</summary>
    public int ExitCode => process.ExitCode;

    /// <summary><c>onshi ARGS</c> with the settings' data and database options, to completion: exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(OnshiSettings settings, IEnumerable<string> args, CancellationToken cancellationToken)
    {
        using var p = Process.Start(StartInfo(settings, args, null))!;
        var output = p.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = p.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        try
        {
            await p.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill();
            throw;
        }

        return (p.ExitCode, await output + await error);
    }

    /// <summary>
    /// Starts <c>onshi serve</c> (with <paramref name="arguments"/>, e.g. <c>--site oqs</c>) and waits until its sites listen
    /// (their banner lines are printed).
    /// </summary>
    public static async Task<OnshiChildProcess> ServeAsync(OnshiSettings settings, string logPath, IReadOnlyDictionary<string, string>? environment,
        CancellationToken cancellationToken, params string[] arguments)
    {
        var process = Process.Start(StartInfo(settings,
            ["serve", "--oqs-port", "0", "--portal-port", "0", "--operator-port", "0", "--ops-port", "0", .. arguments], environment))!;
        var log = new StreamWriter(logPath, append: true, Encoding.UTF8) { AutoFlush = true };
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var banner = new StringBuilder();
        var gate = new Lock();
        void OnLine(string? line, bool standardOutput)
        {
            lock (gate)
            {
                if (line is null)
                {
                    if (standardOutput)
                    {
                        ready.TrySetException(new InvalidOperationException("onshi serve exited before it was ready; see " + logPath));
                    }

                    return;
                }

                log.WriteLine(line);
                if (standardOutput && !ready.Task.IsCompleted)
                {
                    banner.AppendLine(line);
                    if (line.Contains("Ctrl+C", StringComparison.Ordinal))
                    {
                        ready.TrySetResult(banner.ToString());
                    }
                }
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data, standardOutput: true);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data, standardOutput: false);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        string text;
        try
        {
            text = await ready.Task.WaitAsync(StartTimeout, cancellationToken);
        }
        catch
        {
            process.Kill();
            await process.WaitForExitAsync(CancellationToken.None);
            process.Dispose();
            await log.DisposeAsync();
            throw;
        }

        Uri? Url(string site) => text.Split('\n').FirstOrDefault(l => l.StartsWith(site, StringComparison.Ordinal)) is { } line
            ? new Uri(Address().Match(line).Value + "/")
            : null;
        return new OnshiChildProcess(process, log, Url("オンライン資格確認等システム"), Url("医療機関等向け総合ポータルサイト"), Url("運用者コンソール"),
            Url("運用エンドポイント") ?? throw new InvalidOperationException("onshi serve printed no operations endpoint"), text);
    }

    /// <summary>SIGKILL (signal 9) to the process, and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        // Process.Kill on Unix is kill(pid, SIGKILL): no handler, no flush, no finally block runs in the child.
        process.Kill();
        await process.WaitForExitAsync(CancellationToken.None);
    }

    /// <summary>Stops the process with SIGTERM (graceful), or SIGKILL after ten seconds; nothing if it already ended.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                await process.WaitForExitAsync();
            }
        }

        process.Dispose();
        await log.DisposeAsync();
    }

    private static ProcessStartInfo StartInfo(OnshiSettings settings, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "onshi.dll");
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = settings.DataDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.ArgumentList.Add("--data");
        psi.ArgumentList.Add(settings.DataDirectory);
        psi.ArgumentList.Add("--db");
        psi.ArgumentList.Add(settings.DatabaseProvider);
        if (settings.ConnectionString is { } connection)
        {
            psi.ArgumentList.Add("--connection");
            psi.ArgumentList.Add(connection);
        }

        if (settings.MasterKeyFile is { } keyFile)
        {
            psi.ArgumentList.Add("--master-key-file");
            psi.ArgumentList.Add(keyFile);
        }

        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        // The test process's own key settings must not leak into the child: it uses exactly what the settings say.
        psi.Environment.Remove("ONSHI_MASTER_KEY");
        psi.Environment.Remove("ONSHI_MASTER_KEY_FILE");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }

        return psi;
    }

    [GeneratedRegex(@"https?://127\.0\.0\.1:\d+")]
    private static partial Regex Address();
}
