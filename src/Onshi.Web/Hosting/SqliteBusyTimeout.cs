using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Onshi.Web.Hosting;

/// <summary>
/// Sets SQLite's own busy timeout on every connection the sites open. Without it, a write that meets another
/// writer's lock gets <c>SQLITE_BUSY</c> at once and Microsoft.Data.Sqlite retries it only after sleeping 150 ms
/// (<c>RetryWhileBusy</c>): concurrent logins, each a few small write transactions, then left the cores idle and took
/// up to a second (bench, docs/performance.md). SQLite's busy handler instead retries after 1, 2, 5, 10 … ms, as soon
/// as the lock is free. The managed retry stays as the fallback (e.g. a deferred reader upgrading to a writer).
/// </summary>
public sealed class SqliteBusyTimeout : DbConnectionInterceptor
{
    /// <summary>How long SQLite waits for another writer's lock, in milliseconds (the command timeout still applies).</summary>
    public const int Milliseconds = 5000;

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData,
        CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    /// <summary>One native call on the open handle (no statement to prepare): <c>sqlite3_busy_timeout</c>.</summary>
    private static void Apply(DbConnection connection)
    {
        if (connection is SqliteConnection { Handle: { } handle })
        {
            SQLitePCL.raw.sqlite3_busy_timeout(handle, Milliseconds);
        }
    }
}
