using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Onshi.Core.Features.Login;

/// <summary>Counts login failures per key (terminal certificate, client address) in a sliding window.</summary>
public interface ILoginThrottle
{
    /// <summary>Whether <paramref name="key"/> has reached <paramref name="limit"/> failures within the window.</summary>
    bool IsThrottled(string key, int limit);

    /// <summary>Counts one failure for <paramref name="key"/>.</summary>
    void RecordFailure(string key);
}

/// <summary>
/// The single-instance throttle: an in-memory sliding window. A multi-instance deployment replaces it with one
/// backed by shared state (SPEC §10).
/// </summary>
public sealed class InMemoryLoginThrottle(TimeProvider time, IOptions<LoginOptions> options) : ILoginThrottle
{
    private readonly ConcurrentDictionary<string, Queue<DateTime>> failures = new(StringComparer.Ordinal);
    private readonly TimeSpan window = options.Value.ThrottleWindow;

    public bool IsThrottled(string key, int limit)
    {
        if (!failures.TryGetValue(key, out var q))
        {
            return false;
        }

        lock (q)
        {
            Prune(q);
            return q.Count >= limit;
        }
    }

    public void RecordFailure(string key)
    {
        var q = failures.GetOrAdd(key, _ => new Queue<DateTime>());
        lock (q)
        {
            Prune(q);
            q.Enqueue(time.GetUtcNow().UtcDateTime);
        }

        if (failures.Count > 100_000)
        {
            foreach (var (k, v) in failures)
            {
                lock (v)
                {
                    Prune(v);
                    if (v.Count == 0)
                    {
                        failures.TryRemove(k, out _);
                    }
                }
            }
        }
    }

    private void Prune(Queue<DateTime> q)
    {
        var cutoff = time.GetUtcNow().UtcDateTime - window;
        while (q.Count > 0 && q.Peek() < cutoff)
        {
            q.Dequeue();
        }
    }
}
