using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Onshi.BrowserTests.Walkthrough;

/// <summary>
/// The real <c>onshi</c> command as a child process, the way an operator runs it: <c>onshi operator add</c> bootstraps
/// the first operator on an empty data directory, <c>onshi serve</c> runs the three sites on loopback (ports chosen by
/// the system) until stopped with SIGTERM. Everything the process writes goes to <see cref="LogPath"/>.
/// </summary>
public sealed partial class OnshiProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly Process process;
    private readonly StreamWriter log;

    private OnshiProcess(Process process, StreamWriter log, string dataDirectory, string logPath, Uri oqs, Uri portal, Uri console)
    {
        this.process = process;
        this.log = log;
        DataDirectory = dataDirectory;
        LogPath = logPath;
        Oqs = oqs;
        Portal = portal;
        Console = console;
    }

    public string DataDirectory { get; }

    public string LogPath { get; }

    public Uri Oqs { get; }

    public Uri Portal { get; }

    public Uri Console { get; }

    /// <summary>Our CA's certificate, which the server certificates chain to.</summary>
    public string CaCertificatePath => Path.Combine(DataDirectory, "ca", "ca.crt");

    /// <summary><c>onshi ARGS --data DATA</c> to completion: its exit code and standard output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string dataDirectory, params string[] args)
    {
        using var p = Process.Start(StartInfo(dataDirectory, args))!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await p.WaitForExitAsync(cts.Token);
        return (p.ExitCode, await output + await error);
    }

    /// <summary>Starts <c>onshi serve --show-outbox</c> on <paramref name="dataDirectory"/> and waits until all three sites listen.</summary>
    public static async Task<OnshiProcess> ServeAsync(string dataDirectory, string logPath)
    {
        var process = Process.Start(StartInfo(dataDirectory,
            ["serve", "--oqs-port", "0", "--portal-port", "0", "--operator-port", "0", "--ops-port", "0", "--show-outbox"]))!;
        var log = new StreamWriter(logPath, append: false, Encoding.UTF8) { AutoFlush = true };
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var banner = new StringBuilder();
        var gate = new Lock();
        void OnLine(string? line)
        {
            if (line is null)
            {
                ready.TrySetException(new InvalidOperationException("onshi serve exited before it was ready; see " + logPath));
                return;
            }

            lock (gate)
            {
                log.WriteLine(line);
                if (!ready.Task.IsCompleted)
                {
                    banner.AppendLine(line);
                    if (line.Contains("Ctrl+C", StringComparison.Ordinal))
                    {
                        ready.TrySetResult(banner.ToString());
                    }
                }
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (gate)
                {
                    log.WriteLine(e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        string text;
        try
        {
            text = await ready.Task.WaitAsync(StartTimeout);
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            await log.DisposeAsync();
            throw;
        }

        Uri Url(string site) => new(Address().Match(text.Split('\n').First(l => l.StartsWith(site, StringComparison.Ordinal))).Value + "/");
        return new OnshiProcess(process, log, dataDirectory, logPath,
            Url("オンライン資格確認等システム"), Url("医療機関等向け総合ポータルサイト"), Url("運用者コンソール"));
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            // SIGTERM: the host stops gracefully; SIGKILL only if it does not within ten seconds.
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        process.Dispose();
        await log.DisposeAsync();
    }

    private static ProcessStartInfo StartInfo(string dataDirectory, IEnumerable<string> args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "onshi.dll");
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.ArgumentList.Add("--data");
        psi.ArgumentList.Add(dataDirectory);
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return psi;
    }

    [GeneratedRegex(@"https://127\.0\.0\.1:\d+")]
    private static partial Regex Address();
}
