using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging;
using Onshi.Core.Data;

namespace Onshi.Core.Features.Caching;

/// <summary>
/// The one place where cache invalidations are published: every <see cref="OnshiDbContext"/> of every site and command
/// goes through it. It
/// <list type="number">
/// <item>collects the keys of the rows a <c>SaveChanges</c> modifies or deletes in the watched tables
/// (<see cref="CacheKeys.WatchedEntities"/>), and takes the keys declared by <see cref="OnshiDbContext.InvalidateOnCommit"/>
/// before an <c>ExecuteUpdate</c>/<c>ExecuteDelete</c>;</item>
/// <item>checks every command's text: a write (UPDATE, DELETE, REPLACE, MERGE, TRUNCATE) to a watched table that neither
/// SaveChanges nor a declaration (<see cref="OnshiDbContext.InvalidateOnCommit"/>, <see cref="OnshiDbContext.DeclareNeutralWrite"/>) covers publishes
/// <see cref="CacheKeys.All"/> and logs a warning — a forgotten declaration costs reads, never a stale entry;</item>
/// <item>publishes the keys once the write is committed: inside the committing transaction to the other processes
/// (PostgreSQL <c>pg_notify</c>, delivered only if it commits; the SQLite signal table, in the same commit) and, right after
/// the commit, to this process's caches (<see cref="InvalidationBus"/>); an autocommit write publishes right after its
/// statement. A rollback publishes nothing.</item>
/// </list>
/// </summary>
public sealed partial class CacheInvalidationInterceptor(ILogger<CacheInvalidationInterceptor> logger, TimeProvider time)
    : DbCommandInterceptor, ISaveChangesInterceptor, IDbTransactionInterceptor
{
    /// <summary>The PostgreSQL channel of the invalidations (<c>LISTEN</c>/<c>NOTIFY</c>); the payload is the keys, space-separated.</summary>
    public const string PostgresChannel = "onshi_invalidate";

    /// <summary>The SQLite table of the invalidations for the other processes (the payload as on PostgreSQL).</summary>
    public const string SqliteSignalTable = "CacheSignals";

    private static Dictionary<string, Type>? watchedTables;
    private long escalations;

    /// <summary>Writes to watched tables that nothing declared (each published <see cref="CacheKeys.All"/>) through this site's contexts.</summary>
    public long Escalations => Interlocked.Read(ref escalations);

    // ---- SaveChanges: the tracked rows it changes ------------------------------------------------------------------------

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Collect(eventData);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Collect(eventData);
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Sync(SaveEndedAsync(eventData?.Context, sync: true, default));
        return result;
    }

    public async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        await SaveEndedAsync(eventData?.Context, sync: false, cancellationToken);
        return result;
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData) => Sync(SaveEndedAsync(eventData?.Context, sync: true, default));

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default) =>
        SaveEndedAsync(eventData?.Context, sync: false, cancellationToken).AsTask();

    public void SaveChangesCanceled(DbContextEventData eventData) => Sync(SaveEndedAsync(eventData?.Context, sync: true, default));

    public Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken cancellationToken = default) =>
        SaveEndedAsync(eventData?.Context, sync: false, cancellationToken).AsTask();

    // ---- commands: undeclared writes, autocommit publishing -------------------------------------------------------------

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Check(command, eventData, reader: false);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Check(command, eventData, reader: false);
        return ValueTask.FromResult(result);
    }

    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        Sync(AfterAutocommitAsync(command, eventData, sync: true, default));
        return result;
    }

    public override async ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result,
        CancellationToken cancellationToken = default)
    {
        await AfterAutocommitAsync(command, eventData, sync: false, cancellationToken);
        return result;
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Check(command, eventData, reader: false);
        return result;
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result,
        CancellationToken cancellationToken = default)
    {
        Check(command, eventData, reader: false);
        return ValueTask.FromResult(result);
    }

    public override object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
    {
        Sync(AfterAutocommitAsync(command, eventData, sync: true, default));
        return result;
    }

    public override async ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result,
        CancellationToken cancellationToken = default)
    {
        await AfterAutocommitAsync(command, eventData, sync: false, cancellationToken);
        return result;
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Check(command, eventData, reader: true);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Check(command, eventData, reader: true);
        return ValueTask.FromResult(result);
    }

    /// <summary>
    /// A raw autocommit reader that wrote a watched table (SaveChanges's own publish at its end): its statement is done when
    /// the reader goes; the reader still holds the connection, so the other processes are told on a connection of its own.
    /// </summary>
    public override InterceptionResult DataReaderDisposing(DbCommand command, DataReaderDisposingEventData eventData, InterceptionResult result)
    {
        if (eventData?.Context is OnshiDbContext { Invalidations: { PublishAfterReader: true, InSave: false } pending } db)
        {
            var keys = pending.Take();
            try
            {
                using var connection = DbProviderFactories.GetFactory(command!.Connection!)!.CreateConnection()!;
                connection.ConnectionString = db.Database.GetConnectionString();
                connection.Open();
                Sync(SendAsync(connection, null, db.Database.IsPostgres(), keys, time, sync: true, default));
            }
            catch (Exception ex) when (ex is DbException or InvalidOperationException)
            {
                PublishFailed(logger, ex.GetType().Name);
            }

            InvalidationBus.Publish(Identity(db), keys);
        }

        return result;
    }

    public override void CommandFailed(DbCommand command, CommandErrorEventData eventData) =>
        Sync(AfterAutocommitAsync(command, eventData, sync: true, default));

    public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default) =>
        AfterAutocommitAsync(command, eventData, sync: false, cancellationToken).AsTask();

    // ---- transactions: publish with the commit ---------------------------------------------------------------------------

    public DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        Pending(eventData?.Context)?.TransactionStarting();
        return result;
    }

    public ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result,
        CancellationToken cancellationToken = default)
    {
        Pending(eventData?.Context)?.TransactionStarting();
        return ValueTask.FromResult(result);
    }

    public InterceptionResult TransactionCommitting(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result)
    {
        Sync(CommittingAsync(transaction, eventData, sync: true, default));
        return result;
    }

    public async ValueTask<InterceptionResult> TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result,
        CancellationToken cancellationToken = default)
    {
        await CommittingAsync(transaction, eventData, sync: false, cancellationToken);
        return result;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Committed(eventData?.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Committed(eventData?.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Pending(eventData?.Context)?.Drop();

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Pending(eventData?.Context)?.Drop();
        return Task.CompletedTask;
    }

    /// <summary>A commit that failed may have committed: this process drops the keys anyway (harmless when it did not).</summary>
    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData)
    {
        if (eventData?.Action == "Commit")
        {
            Committed(eventData.Context);
        }
    }

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionFailed(transaction, eventData);
        return Task.CompletedTask;
    }

    // ---- the work ----------------------------------------------------------------------------------------------------------

    /// <summary>A ValueTask run with <c>sync: true</c>, which completes synchronously (every database call in it is synchronous).</summary>
    private static void Sync(ValueTask task)
    {
        if (!task.IsCompleted)
        {
            throw new InvalidOperationException("A synchronous invalidation did not complete synchronously.");
        }

        task.GetAwaiter().GetResult();
    }

    private static PendingInvalidations? Pending(DbContext? context) => (context as OnshiDbContext)?.Invalidations;

    private static string Identity(OnshiDbContext db) => InvalidationBus.DatabaseIdentity(db.Database.GetConnectionString() ?? "", db.Database.IsPostgres());

    private static void Collect(DbContextEventData eventData)
    {
        if (eventData?.Context is not OnshiDbContext db)
        {
            return;
        }

        var pending = db.Invalidations;
        pending.SaveStarting();
        foreach (var entry in db.ChangeTracker.Entries())
        {
            if (entry.State is not (EntityState.Modified or EntityState.Deleted))
            {
                continue;
            }

            var type = entry.Metadata.ClrType;
            if (type == typeof(TerminalCertificate))
            {
                var certificate = (TerminalCertificate)entry.Entity;
                pending.Saving(type, CacheKeys.Certificate(entry.Property(nameof(TerminalCertificate.Thumbprint)).OriginalValue as string ?? certificate.Thumbprint));
                pending.Saving(type, CacheKeys.Certificate(certificate.Thumbprint));
            }
            else if (CacheKeys.WatchedEntities.Contains(type))
            {
                var id = entry.Metadata.FindPrimaryKey()?.Properties is [{ } key] ? entry.Property(key.Name).OriginalValue : null;
                pending.Saving(type, id is long value ? CacheKeys.For(type, value) : null);
            }
        }
    }

    private async ValueTask SaveEndedAsync(DbContext? context, bool sync, CancellationToken cancellationToken)
    {
        if (context is not OnshiDbContext db)
        {
            return;
        }

        var pending = db.Invalidations;
        pending.SaveEnded();
        if (pending.PublishAfterReader && db.Database.CurrentTransaction is null)
        {
            // SaveChanges without a transaction of its own (one statement) committed when it ran.
            var keys = pending.Take();
            await PublishAfterCommitAsync(db, null, keys, sync, cancellationToken);
        }
    }

    private void Check(DbCommand command, CommandEventData eventData, bool reader)
    {
        if (eventData?.Context is not OnshiDbContext db || command?.CommandText is not { } sql || eventData.CommandSource == CommandSource.Migrations)
        {
            return;
        }

        var written = WrittenTables(db, sql);
        if (written.Count == 0)
        {
            return;
        }

        var pending = db.Invalidations;
        if (!pending.Covers(written))
        {
            pending.Escalate();
            Interlocked.Increment(ref escalations);
            UndeclaredWrite(logger, string.Join(",", written.Select(t => t.Name)));
        }

        if (command.Transaction is null && !pending.IsEmpty)
        {
            // Autocommit: committed when the statement (or its reader) is done.
            if (reader)
            {
                pending.PublishAfterReader = true;
            }
            else
            {
                pending.PublishAfterStatement = true;
            }
        }
    }

    private async ValueTask AfterAutocommitAsync(DbCommand command, CommandEventData eventData, bool sync, CancellationToken cancellationToken)
    {
        if (eventData?.Context is OnshiDbContext { Invalidations: { PublishAfterStatement: true } pending } db && command.Transaction is null)
        {
            pending.PublishAfterStatement = false;
            var keys = pending.Take();
            await PublishAfterCommitAsync(db, command.Connection, keys, sync, cancellationToken);
        }
    }

    private async ValueTask CommittingAsync(DbTransaction transaction, TransactionEventData eventData, bool sync, CancellationToken cancellationToken)
    {
        if (Pending(eventData?.Context) is { IsEmpty: false } pending && eventData!.Context is OnshiDbContext db && transaction.Connection is { } connection)
        {
            // Inside the transaction: the other processes hear of it exactly when (and only if) it commits.
            await SendAsync(connection, transaction, db.Database.IsPostgres(), pending.Peek(), time, sync, cancellationToken);
        }
    }

    private static void Committed(DbContext? context)
    {
        if (context is OnshiDbContext db && !db.Invalidations.IsEmpty)
        {
            InvalidationBus.Publish(Identity(db), db.Invalidations.Take());
        }
    }

    /// <summary>After an autocommit write: the other processes on <paramref name="connection"/> (idle now) or the context's own, then this process.</summary>
    private async ValueTask PublishAfterCommitAsync(OnshiDbContext db, DbConnection? connection, IReadOnlyCollection<string> keys, bool sync,
        CancellationToken cancellationToken)
    {
        try
        {
            if (connection is { State: System.Data.ConnectionState.Open })
            {
                await SendAsync(connection, null, db.Database.IsPostgres(), keys, time, sync, cancellationToken);
            }
            else if (sync)
            {
                db.Database.OpenConnection();
                try
                {
                    await SendAsync(db.Database.GetDbConnection(), null, db.Database.IsPostgres(), keys, time, sync, cancellationToken);
                }
                finally
                {
                    db.Database.CloseConnection();
                }
            }
            else
            {
                await db.Database.OpenConnectionAsync(cancellationToken);
                try
                {
                    await SendAsync(db.Database.GetDbConnection(), null, db.Database.IsPostgres(), keys, time, sync, cancellationToken);
                }
                finally
                {
                    await db.Database.CloseConnectionAsync();
                }
            }
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException)
        {
            // The write is committed; the other instances' entries of it then live until their time to live (docs/security.md).
            PublishFailed(logger, ex.GetType().Name);
        }
        finally
        {
            InvalidationBus.Publish(Identity(db), keys);
        }
    }

    /// <summary>The keys to the other processes: <c>pg_notify</c> on PostgreSQL, a row of the signal table on SQLite.</summary>
    private static async ValueTask SendAsync(DbConnection connection, DbTransaction? transaction, bool postgres, IReadOnlyCollection<string> keys, TimeProvider time, bool sync,
        CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        var payload = command.CreateParameter();
        payload.ParameterName = postgres ? "payload" : "$payload";
        payload.Value = string.Join(' ', keys);
        command.Parameters.Add(payload);
        if (postgres)
        {
            command.CommandText = $"SELECT pg_notify('{PostgresChannel}', @payload)";
        }
        else
        {
            var at = command.CreateParameter();
            at.ParameterName = "$at";
            at.Value = time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
            command.Parameters.Add(at);
            command.CommandText = $"INSERT INTO \"{SqliteSignalTable}\" (\"At\", \"Keys\") VALUES ($at, $payload)";
        }

        if (sync)
        {
            command.ExecuteNonQuery();
        }
        else
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>The watched tables a statement writes (UPDATE, DELETE, REPLACE, MERGE, TRUNCATE; a plain INSERT changes no cached row).</summary>
    private static HashSet<Type> WrittenTables(DbContext db, string sql)
    {
        var matches = WriteStatement().Matches(sql);
        if (matches.Count == 0)
        {
            return [];
        }

        var tables = watchedTables ??= CacheKeys.WatchedEntities.ToDictionary(t => db.Model.FindEntityType(t)?.GetTableName() ?? t.Name, t => t,
            StringComparer.OrdinalIgnoreCase);
        HashSet<Type>? written = null;
        foreach (Match m in matches)
        {
            if (tables.TryGetValue(m.Groups["table"].Value, out var type))
            {
                (written ??= []).Add(type);
            }
        }

        return written ?? [];
    }

    [GeneratedRegex("""\b(?:UPDATE|DELETE\s+FROM|(?:INSERT\s+OR\s+)?REPLACE\s+INTO|MERGE\s+INTO|TRUNCATE(?:\s+TABLE)?)\s+(?:ONLY\s+)?(?:"?\w+"?\.)?"?(?<table>\w+)"?""",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex WriteStatement();

    [LoggerMessage(EventId = 7301, Level = LogLevel.Warning,
        Message = "A write to {Tables} declared no cache invalidation key: the whole authentication cache was dropped (declare the key with InvalidateOnCommit, or DeclareNeutralWrite)")]
    private static partial void UndeclaredWrite(ILogger logger, string tables);

    [LoggerMessage(EventId = 7302, Level = LogLevel.Warning,
        Message = "A committed invalidation could not be sent to the other processes ({ExceptionType}); their entries live until their time to live")]
    private static partial void PublishFailed(ILogger logger, string exceptionType);
}
