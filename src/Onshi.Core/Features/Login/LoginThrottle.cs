using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Onshi.Core.Features.Login;

/// <summary>
/// Counts login attempts per key (terminal certificate, client address) in a sliding window. An attempt takes a slot
/// before the password is checked, so a burst of parallel requests cannot all get past the limit; a successful login
/// gives its slot back.
/// </summary>
public interface ILoginThrottle
{
    /// <summary>Takes a slot for <paramref name="key"/> unless <paramref name="limit"/> slots are taken in the window.</summary>
    bool TryAcquire(string key, int limit);

    /// <summary>Gives back one slot of <paramref name="key"/> (the attempt succeeded).</summary>
    void Release(string key);
}

/// <summary>
/// The single-instance throttle: an in-memory sliding window. A multi-instance deployment replaces it with one
/// backed by shared state (SPEC §10).
/// </summary>
public sealed class InMemoryLoginThrottle(TimeProvider time, IOptions<LoginOptions> options) : ILoginThrottle
{
    private readonly ConcurrentDictionary<string, List<DateTime>> attempts = new(StringComparer.Ordinal);
    private readonly TimeSpan window = options.Value.ThrottleWindow;

    public bool TryAcquire(string key, int limit)
    {
        var list = attempts.GetOrAdd(key, _ => []);
        lock (list)
        {
            Prune(list);
            if (list.Count >= limit)
            {
                return false;
            }

            list.Add(time.GetUtcNow().UtcDateTime);
        }

        if (attempts.Count > 100_000)
        {
            Sweep();
        }

        return true;
    }

    public void Release(string key)
    {
        if (attempts.TryGetValue(key, out var list))
        {
            lock (list)
            {
                if (list.Count > 0)
                {
                    list.RemoveAt(list.Count - 1);
                }
            }
        }
    }

    private void Sweep()
    {
        foreach (var (k, v) in attempts)
        {
            lock (v)
            {
                Prune(v);
                if (v.Count == 0)
                {
                    attempts.TryRemove(k, out _);
                }
            }
        }
    }

    private void Prune(List<DateTime> list)
    {
        var cutoff = time.GetUtcNow().UtcDateTime - window;
        var stale = 0;
        while (stale < list.Count && list[stale] < cutoff)
        {
            stale++;
        }

        list.RemoveRange(0, stale);
    }
}
