using System.Diagnostics;

using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

using Onshi.Core.Features.Passwords;

using PasswordOptions = Onshi.Core.Features.Passwords.PasswordOptions;

namespace Onshi.Bench;

/// <summary>The hash ceiling's figures.</summary>
/// <param name="HashesPerSecond">Verifications per second on all threads together.</param>
/// <param name="Threads">One per core.</param>
/// <param name="Parameters">The Argon2id parameters of <see cref="PasswordOptions"/> (what a login verifies with).</param>
/// <param name="MsPerHash">Wall time of one verification on one thread (threads / hashes per second).</param>
/// <param name="Hashes">Verifications done.</param>
/// <param name="Seconds">The measured time.</param>
/// <param name="OtherCpuPercent">CPU used meanwhile by other processes, in percent of all cores.</param>
/// <param name="OwnCpuSeconds">CPU time the hashing threads' process used (0 in runs saved before it was recorded).</param>
public sealed record HashCeilingResult(double HashesPerSecond, int Threads, string Parameters, double MsPerHash, long Hashes, double Seconds, double OtherCpuPercent,
    double OwnCpuSeconds = 0)
{
    /// <summary>CPU time of one verification (ms): independent of how much of the cores other processes took.</summary>
    public double CpuMsPerHash => Hashes == 0 ? 0
        : (OwnCpuSeconds > 0 ? OwnCpuSeconds : (1 - (OtherCpuPercent / 100)) * Threads * Seconds) * 1000 / Hashes;
}

/// <summary>
/// The physical limit of logins: our own <see cref="Argon2idPasswordHasher"/> with our default parameters verifying
/// a password (exactly what a login costs) on one thread per core for a fixed time.
/// </summary>
public static class HashCeiling
{
    public static HashCeilingResult Measure(TimeSpan duration, CancellationToken ct)
    {
        var options = new PasswordOptions();
        var hasher = new Argon2idPasswordHasher(Options.Create(options));
        const string password = "Synthetic-Load-2026!";
        var stored = hasher.Hash(password);
        var threads = Environment.ProcessorCount;
        long total = 0;
        var failures = 0;
        var start = new ManualResetEventSlim();
        var clock = new Stopwatch();
        var clientCpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            start.Wait(ct);
            long mine = 0;
            while (clock.Elapsed < duration && !ct.IsCancellationRequested)
            {
                if (hasher.Verify(stored, password) != PasswordVerificationResult.Success)
                {
                    Interlocked.Increment(ref failures);
                }

                mine++;
            }

            Interlocked.Add(ref total, mine);
        })
        { IsBackground = true }).ToList();
        workers.ForEach(t => t.Start());
        var machine0 = ProcStat.MachineTicks();
        clock.Start();
        start.Set();
        workers.ForEach(t => t.Join());
        clock.Stop();
        var machine1 = ProcStat.MachineTicks();
        ct.ThrowIfCancellationRequested();
        if (failures > 0)
        {
            throw new InvalidOperationException("the hasher refused its own hash");
        }

        var seconds = clock.Elapsed.TotalSeconds;
        var own = (Process.GetCurrentProcess().TotalProcessorTime - clientCpu0).TotalSeconds;
        var busy = (machine1.Busy - machine0.Busy) / (double)ProcStat.ClockTicksPerSecond;
        var other = Math.Max(0, busy - own) / (seconds * threads) * 100;
        var a = options.Argon2;
        var perSecond = total / seconds;
        return new HashCeilingResult(perSecond, threads, $"m={a.MemoryKiB} KiB, t={a.Iterations}, p={a.Parallelism}", threads * 1000 / perSecond, total, seconds, other, own);
    }
}
