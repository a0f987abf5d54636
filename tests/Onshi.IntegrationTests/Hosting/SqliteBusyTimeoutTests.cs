using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Onshi.Core.Data;
using Onshi.Web.Hosting;
using Shouldly;
using Xunit;

namespace Onshi.IntegrationTests.Hosting;

/// <summary>
/// The sites' SQLite connections wait for another writer's lock inside SQLite (busy_timeout) instead of failing at once
/// into Microsoft.Data.Sqlite's 150 ms sleep (bench: concurrent logins idled the cores and took up to a second).
/// </summary>
public sealed class SqliteBusyTimeoutTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("onshi-busy-").FullName;

    [Fact]
    public async Task EveryConnectionTheSitesOpen_HasSqlitesBusyTimeout()
    {
        var settings = new OnshiSettings { DataDirectory = directory, DatabaseProvider = "sqlite" };
        var builder = new DbContextOptionsBuilder<OnshiDbContext>();
        OnshiDatabase.Configure(builder, settings);

        for (var i = 0; i < 3; i++)
        {
            await using var db = new OnshiDbContext(builder.Options);
            var timeout = await db.Database.SqlQueryRaw<long>("SELECT timeout AS Value FROM pragma_busy_timeout").SingleAsync(TestContext.Current.CancellationToken);
            timeout.ShouldBe(SqliteBusyTimeout.Milliseconds);
        }
    }

    [Fact]
    public async Task AWriterMeetingAnotherWritersLock_WaitsForIt_InsteadOfSleeping150ms()
    {
        var settings = new OnshiSettings { DataDirectory = directory, DatabaseProvider = "sqlite" };
        var builder = new DbContextOptionsBuilder<OnshiDbContext>();
        OnshiDatabase.Configure(builder, settings);
        var ct = TestContext.Current.CancellationToken;
        await using (var setup = new OnshiDbContext(builder.Options))
        {
            await setup.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL; CREATE TABLE t (x INTEGER);", ct);
        }

        // Another connection holds the write lock for 40 ms.
        await using var holder = new SqliteConnection(settings.ResolveConnectionString());
        await holder.OpenAsync(ct);
        await using (var begin = holder.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE; INSERT INTO t VALUES (1);";
            await begin.ExecuteNonQueryAsync(ct);
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var release = Task.Run(async () =>
        {
            await Task.Delay(40, ct);
            await using var commit = holder.CreateCommand();
            commit.CommandText = "COMMIT;";
            await commit.ExecuteNonQueryAsync(ct);
            return watch.Elapsed;
        }, ct);

        await using var db = new OnshiDbContext(builder.Options);
        await db.Database.ExecuteSqlRawAsync("INSERT INTO t VALUES (2);", ct);
        var written = watch.Elapsed;
        var released = await release;

        // SQLite's handler retries within ~25 ms of the release; the managed retry sleeps 150 ms from the first
        // failure (at ~0 ms), i.e. ~110 ms past a release at 40 ms.
        (written - released).TotalMilliseconds.ShouldBeLessThan(80);
        (await db.Database.SqlQueryRaw<long>("SELECT count(*) AS Value FROM t").SingleAsync(ct)).ShouldBe(2);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
