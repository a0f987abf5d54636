using System.Diagnostics;

namespace Onshi.Bench;

/// <summary>One simulated user of a cell: the operation it repeats, and what to dispose afterwards.</summary>
public sealed class BenchWorker(Func<CancellationToken, Task> operation, params IDisposable[] resources) : IDisposable
{
    public Func<CancellationToken, Task> Operation { get; } = operation;

    public void Dispose()
    {
        foreach (var r in resources)
        {
            r.Dispose();
        }
    }
}

/// <summary>A benchmark scenario: prepares one worker (e.g. logs it in) outside the measurement.</summary>
public interface IScenario
{
    /// <summary>Short name used in tables (e.g. <c>login</c>).</summary>
    string Name { get; }

    /// <summary>HTTP requests one operation makes (a login is GET form + POST + GET menu = 3).</summary>
    int RequestsPerOperation { get; }

    Task<BenchWorker> PrepareWorkerAsync(int worker, int concurrency, CancellationToken ct);
}

/// <summary>How long a cell runs.</summary>
/// <param name="Warmup">Discarded run of the same workers before the measurement (JIT, caches, connections).</param>
/// <param name="Duration">The measured time; workers stop starting operations after it.</param>
/// <param name="MaxOperations">The request cap: the measurement also stops after this many operations.</param>
public sealed record CellLimits(TimeSpan Warmup, TimeSpan Duration, int MaxOperations);

/// <summary>The figures of one cell (one scenario at one concurrency on one server).</summary>
public sealed record CellResult(
    string Target,
    string Scenario,
    int Concurrency,
    int RequestsPerOperation,
    long Operations,
    long Errors,
    string? FirstError,
    double Seconds,
    double P50Ms,
    double P99Ms,
    double MaxMs,
    double ServerCpuPercent,
    double ClientCpuPercent,
    double OtherCpuPercent,
    double ServerRssMb)
{
    public double OpsPerSecond => Seconds > 0 ? Operations / Seconds : 0;

    public double RequestsPerSecond => OpsPerSecond * RequestsPerOperation;

    /// <summary>Server CPU time per operation (ms), from the server's share of all cores.</summary>
    public double ServerCpuMsPerOp => Operations > 0 ? ServerCpuPercent / 100 * Environment.ProcessorCount * Seconds * 1000 / Operations : 0;
}

/// <summary>
/// The bounded load client: N workers (each its own connection and cookie jar) repeat an operation for a fixed time and
/// at most a fixed number of operations; latencies of every successful operation are kept and sorted for p50/p99.
/// </summary>
public static class LoadRunner
{
    /// <summary>Runs one cell; <c>duringMeasurement</c> (e.g. a profiler) is started with the measured phase and awaited after it.</summary>
    public static async Task<CellResult> RunCellAsync(string target, IScenario scenario, int concurrency, CellLimits limits,
        ServerProcess? server, CancellationToken ct, Func<CancellationToken, Task>? duringMeasurement = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(limits);
        var workers = new List<BenchWorker>();
        try
        {
            // Prepared one after the other: a login storm here is not what is measured.
            for (var w = 0; w < concurrency; w++)
            {
                workers.Add(await scenario.PrepareWorkerAsync(w, concurrency, ct));
            }

            if (limits.Warmup > TimeSpan.Zero)
            {
                await RunPhaseAsync(workers, limits.Warmup, int.MaxValue, record: false, ct);
            }

            var serverCpu0 = server?.CpuTicks() ?? 0;
            var clientCpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var machine0 = ProcStat.MachineTicks();
            var side = duringMeasurement?.Invoke(ct);
            var phase = await RunPhaseAsync(workers, limits.Duration, limits.MaxOperations, record: true, ct);
            if (side is not null)
            {
                await side;
            }
            var machine1 = ProcStat.MachineTicks();
            var clientCpu = (Process.GetCurrentProcess().TotalProcessorTime - clientCpu0).TotalSeconds;
            var serverCpu = server is null ? 0 : (server.CpuTicks() - serverCpu0) / (double)ProcStat.ClockTicksPerSecond;
            var capacity = phase.Seconds * Environment.ProcessorCount;
            var machineBusy = (machine1.Busy - machine0.Busy) / (double)ProcStat.ClockTicksPerSecond;
            var other = Math.Max(0, machineBusy - serverCpu - clientCpu);

            var latencies = phase.Latencies;
            latencies.Sort();
            return new CellResult(target, scenario.Name, concurrency, scenario.RequestsPerOperation, latencies.Count, phase.Errors, phase.FirstError,
                phase.Seconds, Percentile(latencies, 0.50), Percentile(latencies, 0.99), latencies.Count == 0 ? 0 : Ms(latencies[^1]),
                100 * serverCpu / capacity, 100 * clientCpu / capacity, 100 * other / capacity, (server?.VmRssKb() ?? 0) / 1024.0);
        }
        finally
        {
            foreach (var w in workers)
            {
                w.Dispose();
            }
        }
    }

    private sealed record Phase(List<long> Latencies, long Errors, string? FirstError, double Seconds);

    private static async Task<Phase> RunPhaseAsync(List<BenchWorker> workers, TimeSpan duration, int maxOperations, bool record, CancellationToken ct)
    {
        var started = 0L;
        var errors = 0L;
        string? firstError = null;
        var perWorker = workers.Select(_ => new List<long>(4096)).ToArray();
        var clock = Stopwatch.StartNew();
        var tasks = workers.Select((w, i) => Task.Run(async () =>
        {
            var mine = perWorker[i];
            while (clock.Elapsed < duration && Interlocked.Increment(ref started) <= maxOperations)
            {
                ct.ThrowIfCancellationRequested();
                var t0 = Stopwatch.GetTimestamp();
                try
                {
                    await w.Operation(ct);
                    if (record)
                    {
                        mine.Add(Stopwatch.GetTimestamp() - t0);
                    }
                }
                catch (Exception ex) when (!ct.IsCancellationRequested)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, $"{ex.GetType().Name}: {ex.Message}", null);
                    // An error page answered fast must not become a tight loop.
                    await Task.Delay(10, ct);
                }
            }
        }, ct)).ToArray();
        await Task.WhenAll(tasks);
        var seconds = clock.Elapsed.TotalSeconds;
        var all = new List<long>(perWorker.Sum(l => l.Count));
        foreach (var l in perWorker)
        {
            all.AddRange(l);
        }

        return new Phase(all, errors, firstError, seconds);
    }

    /// <summary>Nearest-rank percentile of sorted Stopwatch ticks, in ms.</summary>
    public static double Percentile(List<long> sorted, double q)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0)
        {
            return 0;
        }

        var rank = (int)Math.Ceiling(q * sorted.Count);
        return Ms(sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)]);
    }

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}

/// <summary>/proc readings: the machine's CPU ticks, a process's CPU ticks and memory.</summary>
public static class ProcStat
{
    public static long ClockTicksPerSecond { get; } = 100; // USER_HZ, 100 on every Linux build we run on

    public sealed record Machine(long Busy, long Total);

    public static Machine MachineTicks()
    {
        // cpu  user nice system idle iowait irq softirq steal ...
        var line = File.ReadLines("/proc/stat").First();
        var v = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
        var total = v.Take(8).Sum();
        var idle = v[3] + v[4];
        return new Machine(total - idle, total);
    }

    /// <summary>utime + stime of a process (all threads), in clock ticks; 0 once it is gone.</summary>
    public static long ProcessTicks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name is in parentheses and may hold spaces: fields are counted after the last ')'.
            var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(rest[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(rest[12], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>A field of /proc/PID/status in kB (VmRSS, VmHWM); 0 once the process is gone.</summary>
    public static long StatusKb(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(field + ":", StringComparison.Ordinal))
                {
                    return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }

    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ').Take(3).Aggregate((a, b) => a + " " + b);
}
