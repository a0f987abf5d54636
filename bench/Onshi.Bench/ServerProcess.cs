using System.Diagnostics;
using System.Net.Sockets;

namespace Onshi.Bench;

/// <summary>
/// A server under test, started as a child process bound to 127.0.0.1 (its output appended to a log file), measured
/// from /proc by its PID and stopped by that PID (SIGTERM, then SIGKILL after 15 s). Every live server is also
/// stopped when the benchmark ends in any way (<see cref="StopAll"/>).
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private static readonly List<ServerProcess> Live = [];
    private readonly Process _process;
    private readonly Stopwatch _sinceStart;
    private long _peakRssKb;
    private readonly CancellationTokenSource _sampling = new();
    private readonly Task _sampler;

    private ServerProcess(string name, Process process, Stopwatch sinceStart, string logPath)
    {
        Name = name;
        _process = process;
        _sinceStart = sinceStart;
        LogPath = logPath;
        _sampler = Task.Run(SampleAsync);
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public string LogPath { get; }

    /// <summary>Highest VmRSS seen by the 100 ms sampler (kB); VmHWM is read as well, the larger is reported.</summary>
    public long PeakRssKb => Math.Max(_peakRssKb, ProcStat.StatusKb(Pid, "VmHWM"));

    public static ServerProcess Start(string name, string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment,
        string logPath, string workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(environment);
        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        // sh exec's the server, so the PID we hold is the server's own; its output goes to the log file.
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = workingDirectory };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec \"$0\" \"$@\" >>\"$BENCH_LOG\" 2>&1 </dev/null");
        psi.ArgumentList.Add(fileName);
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["BENCH_LOG"] = logPath;
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (k, v) in environment)
        {
            psi.Environment[k] = v;
        }

        File.AppendAllText(logPath, $"--- {DateTime.Now:O} {fileName} {string.Join(' ', psi.ArgumentList.Skip(3))}\n");
        var clock = Stopwatch.StartNew();
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {name}");
        var server = new ServerProcess(name, process, clock, logPath);
        lock (Live)
        {
            Live.Add(server);
        }

        return server;
    }

    /// <summary>
    /// Polls <paramref name="probe"/> every 20 ms until it succeeds; returns the seconds from process start to the first
    /// successful response (time to first response).
    /// </summary>
    public async Task<double> WaitForFirstResponseAsync(Func<CancellationToken, Task<bool>> probe, TimeSpan timeout, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(probe);
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode} before answering; see {LogPath}");
            }

            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
                attempt.CancelAfter(TimeSpan.FromSeconds(5));
                if (await probe(attempt.Token))
                {
                    return _sinceStart.Elapsed.TotalSeconds;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or SocketException or IOException or TaskCanceledException && !ct.IsCancellationRequested)
            {
            }

            if (_sinceStart.Elapsed > timeout)
            {
                throw new TimeoutException($"{Name} did not answer within {timeout.TotalSeconds} s; see {LogPath}");
            }

            await Task.Delay(20, ct);
        }
    }

    public long VmRssKb() => ProcStat.StatusKb(Pid, "VmRSS");

    /// <summary>What the resident memory is made of (/proc/PID/status): anonymous (GC heap, native), file-backed (mapped assemblies and libraries), shared (the JIT's double-mapped code and loader heaps).</summary>
    public string RssBreakdown() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"anon {ProcStat.StatusKb(Pid, "RssAnon") / 1024}, file {ProcStat.StatusKb(Pid, "RssFile") / 1024}, shmem {ProcStat.StatusKb(Pid, "RssShmem") / 1024}");

    public long CpuTicks() => ProcStat.ProcessTicks(Pid);

    private async Task SampleAsync()
    {
        try
        {
            while (!_sampling.IsCancellationRequested)
            {
                _peakRssKb = Math.Max(_peakRssKb, VmRssKb());
                await Task.Delay(100, _sampling.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async Task StopAsync()
    {
        await _sampling.CancelAsync();
        await _sampler;
        if (!_process.HasExited)
        {
            Signal("TERM");
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }

        lock (Live)
        {
            Live.Remove(this);
        }
    }

    private void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("/bin/kill", ["-" + signal, Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false });
        kill?.WaitForExit();
    }

    /// <summary>Kills every server still running (Ctrl+C, an exception, process exit), by its PID.</summary>
    public static void StopAll()
    {
        ServerProcess[] live;
        lock (Live)
        {
            live = [.. Live];
        }

        foreach (var s in live)
        {
            try
            {
                if (!s._process.HasExited)
                {
                    s._process.Kill();
                    s._process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
        _sampling.Dispose();
    }
}
