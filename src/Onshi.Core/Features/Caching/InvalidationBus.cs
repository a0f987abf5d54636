using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Data.Common;

namespace Onshi.Core.Features.Caching;

/// <summary>
/// Invalidation inside one process: every <see cref="AuthenticationCache"/> of the process on the same database (the three
/// sites of <c>onshi serve</c>, two instances of a test) gets the keys a commit published, synchronously, before the
/// committing request goes on — so a change is refused at once on the instance that made it. Caches on other databases
/// (the tests run many in one process) never see them. Other processes learn of a change through the channel
/// (PostgreSQL <c>NOTIFY</c>, the SQLite signal table), which this process's caches also read (an invalidation applied twice
/// only costs a read).
/// </summary>
public static class InvalidationBus
{
    private static readonly ConcurrentDictionary<string, ImmutableArray<AuthenticationCache>> Subscribers = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string> Identities = new(StringComparer.Ordinal);

    /// <summary>Adds <paramref name="cache"/> as a receiver of the commits on <paramref name="database"/> (<see cref="DatabaseIdentity"/>) until disposed.</summary>
    public static IDisposable Subscribe(string database, AuthenticationCache cache)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(cache);
        Subscribers.AddOrUpdate(database, _ => [cache], (_, list) => list.Add(cache));
        return new Subscription(database, cache);
    }

    /// <summary>Applies <paramref name="keys"/> to every cache of this process on <paramref name="database"/>.</summary>
    public static void Publish(string database, IReadOnlyCollection<string> keys)
    {
        if (keys.Count > 0 && Subscribers.TryGetValue(database, out var caches))
        {
            foreach (var cache in caches)
            {
                cache.Invalidate(keys);
            }
        }
    }

    /// <summary>
    /// The database a connection string names, the same however it is spelled: <c>sqlite:</c> and the file's full path, or
    /// <c>postgres:</c> host, port and database. The key of <see cref="Subscribe"/> and <see cref="Publish"/>.
    /// </summary>
    public static string DatabaseIdentity(string connectionString, bool postgres) =>
        Identities.GetOrAdd((postgres ? "p|" : "s|") + connectionString, static key =>
        {
            var builder = new DbConnectionStringBuilder { ConnectionString = key[2..] };
            string Get(params string[] names) =>
                names.Select(n => builder.TryGetValue(n, out var v) ? Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) : null)
                    .FirstOrDefault(v => !string.IsNullOrEmpty(v)) ?? "";
            if (key[0] == 'p')
            {
                var port = Get("Port");
                return $"postgres:{Get("Host", "Server").ToLowerInvariant()}:{(port.Length == 0 ? "5432" : port)}/{Get("Database", "DB")}";
            }

            var source = Get("Data Source", "DataSource", "Filename");
            return source.Length == 0 || source.Contains(":memory:", StringComparison.OrdinalIgnoreCase) || source.StartsWith("file:", StringComparison.OrdinalIgnoreCase)
                ? "sqlite:" + key[2..]
                : "sqlite:" + Path.GetFullPath(source);
        });

    private sealed class Subscription(string database, AuthenticationCache cache) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                Subscribers.AddOrUpdate(database, _ => [], (_, list) => list.Remove(cache));
                Subscribers.TryRemove(KeyValuePair.Create(database, ImmutableArray<AuthenticationCache>.Empty));
            }
        }
    }
}
