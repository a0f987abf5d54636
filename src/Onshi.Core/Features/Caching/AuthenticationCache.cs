using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Onshi.Core.Features.Caching;

/// <summary>
/// The per-request reads of every signed-in request — the terminal certificate's row by thumbprint, the OQS session (with its
/// account and institution), the portal's and the console's sessions (with their subject) — held in memory, one cache per
/// site (DI container). Correctness rules, each kept by the code here and by its readers:
/// <list type="bullet">
/// <item>An entry names the invalidation keys of the rows it was read from (<see cref="CacheKeys"/>); a committed change to
/// any of them drops it — in this process at once (<see cref="InvalidationBus"/>), elsewhere through the channel
/// (PostgreSQL <c>NOTIFY</c>, the SQLite signal table).</item>
/// <item>An entry read from the database is stored only if no invalidation arrived since the read began
/// (<see cref="Generation"/>): a read racing a commit can never put the old row back after its invalidation.</item>
/// <item>Nothing is served while the channel is down, not yet up or not proved alive within
/// <see cref="AuthenticationCacheOptions.LivenessTimeout"/>: the cache is cleared and every read goes to the database; it is
/// cleared again when the channel comes back (notifications may have been missed).</item>
/// <item>Only accepted rows are cached, never a refusal; time-based validity (idle, absolute, password expiry, certificate
/// validity) is evaluated by the reader against the clock on every request, and a refusal found from a cached entry is
/// decided again from the database.</item>
/// <item>Bounded (<see cref="AuthenticationCacheOptions.MaxEntries"/>) with a time to live as a backstop.</item>
/// </list>
/// </summary>
public sealed class AuthenticationCache
{
    private readonly ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> byKey = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private readonly AuthenticationCacheOptions options;
    private readonly TimeProvider time;
    private long generation;
    private long sequence;
    private bool channelUp;
    private long aliveUntil;
    private long hits;
    private long misses;
    private long invalidations;

    public AuthenticationCache(IOptions<AuthenticationCacheOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options.Value;
        this.time = time;
    }

    /// <summary>Whether reads are served from memory now: enabled, the channel up and proved alive recently.</summary>
    public bool IsServing => options.Enabled && Volatile.Read(ref channelUp) && Environment.TickCount64 < Volatile.Read(ref aliveUntil);

    /// <summary>Counts every invalidation and channel change; a reader takes it before its database read and passes it to <see cref="Set"/>.</summary>
    public long Generation => Interlocked.Read(ref generation);

    /// <summary>Entries held now.</summary>
    public int Count => entries.Count;

    /// <summary>Reads served from memory since the start.</summary>
    public long Hits => Interlocked.Read(ref hits);

    /// <summary>Reads that went to the database while the cache was serving (not found, or expired).</summary>
    public long Misses => Interlocked.Read(ref misses);

    /// <summary>Invalidation messages applied (each one key list, or all).</summary>
    public long Invalidations => Interlocked.Read(ref invalidations);

    /// <summary>The entry for <paramref name="key"/> if the cache is serving and it is within its time to live.</summary>
    public bool TryGet<T>(string key, out T? value) where T : class
    {
        value = null;
        if (!IsServing)
        {
            return false;
        }

        if (entries.TryGetValue(key, out var entry) && entry.ExpiresAt > time.GetUtcNow().UtcTicks && entry.Value is T found)
        {
            Interlocked.Increment(ref hits);
            value = found;
            return true;
        }

        Interlocked.Increment(ref misses);
        return false;
    }

    /// <summary>
    /// Stores <paramref name="value"/> read from the database under <paramref name="key"/>, dropped by any of
    /// <paramref name="dependsOn"/> — only if nothing was invalidated since <paramref name="generationBeforeRead"/> (taken
    /// before the read) and the cache is serving.
    /// </summary>
    public void Set(string key, object value, IReadOnlyList<string> dependsOn, long generationBeforeRead)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(dependsOn);
        if (!IsServing)
        {
            return;
        }

        lock (gate)
        {
            if (generation != generationBeforeRead || !IsServing)
            {
                return;
            }

            if (entries.Count >= Math.Max(2, options.MaxEntries))
            {
                TrimLocked();
            }

            RemoveLocked(key);
            var entry = new Entry(value, [.. dependsOn], time.GetUtcNow().UtcTicks + options.TimeToLive.Ticks, ++sequence);
            entries[key] = entry;
            foreach (var k in entry.DependsOn)
            {
                if (!byKey.TryGetValue(k, out var set))
                {
                    byKey[k] = set = new HashSet<string>(StringComparer.Ordinal);
                }

                set.Add(key);
            }
        }
    }

    /// <summary>Drops one entry (a reader found it refused: the decision is made again from the database).</summary>
    public void Remove(string key)
    {
        lock (gate)
        {
            generation++;
            RemoveLocked(key);
        }
    }

    /// <summary>Drops every entry that depends on one of <paramref name="keys"/> (<see cref="CacheKeys.All"/>: every entry).</summary>
    public void Invalidate(IEnumerable<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        lock (gate)
        {
            generation++;
            invalidations++;
            foreach (var key in keys)
            {
                if (key == CacheKeys.All)
                {
                    ClearLocked();
                    return;
                }

                if (byKey.Remove(key, out var dependents))
                {
                    foreach (var entryKey in dependents)
                    {
                        RemoveLocked(entryKey);
                    }
                }
            }
        }
    }

    /// <summary>The channel is (again) listening: clears everything (notifications may have been missed) and serves from now on.</summary>
    public void ChannelUp()
    {
        lock (gate)
        {
            generation++;
            ClearLocked();
            Volatile.Write(ref aliveUntil, Environment.TickCount64 + (long)options.LivenessTimeout.TotalMilliseconds);
            Volatile.Write(ref channelUp, true);
        }
    }

    /// <summary>
    /// The channel was proved alive (a round trip or a notification on it). After a lapse (no proof within the liveness
    /// timeout, so nothing was served) the entries are dropped as when the channel comes up.
    /// </summary>
    public void Alive()
    {
        if (Environment.TickCount64 >= Volatile.Read(ref aliveUntil))
        {
            ChannelUp();
            return;
        }

        Volatile.Write(ref aliveUntil, Environment.TickCount64 + (long)options.LivenessTimeout.TotalMilliseconds);
    }

    /// <summary>The channel is down: nothing is served, everything is dropped; reads go to the database until <see cref="ChannelUp"/>.</summary>
    public void ChannelDown()
    {
        lock (gate)
        {
            Volatile.Write(ref channelUp, false);
            generation++;
            ClearLocked();
        }
    }

    private void ClearLocked()
    {
        entries.Clear();
        byKey.Clear();
    }

    private void RemoveLocked(string key)
    {
        if (!entries.TryRemove(key, out var old))
        {
            return;
        }

        foreach (var k in old.DependsOn)
        {
            if (byKey.TryGetValue(k, out var set) && set.Remove(key) && set.Count == 0)
            {
                byKey.Remove(k);
            }
        }
    }

    /// <summary>Full: drops the expired entries and the older half (by insertion), so trimming costs O(1) per insert on average.</summary>
    private void TrimLocked()
    {
        var now = time.GetUtcNow().UtcTicks;
        var olderThan = sequence - (Math.Max(2, options.MaxEntries) / 2);
        foreach (var (key, entry) in entries)
        {
            if (entry.ExpiresAt <= now || entry.Sequence <= olderThan)
            {
                RemoveLocked(key);
            }
        }
    }

    private sealed record Entry(object Value, string[] DependsOn, long ExpiresAt, long Sequence);
}
