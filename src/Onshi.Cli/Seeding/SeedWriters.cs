using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;
using Onshi.Core.Features.Audit;
using SQLitePCL;

namespace Onshi.Cli.Seeding;

/// <summary>Where a batch starts: the next id of every table and the hash the audit chain continues from.</summary>
internal sealed record BatchStart(IdCursor Ids, string LastAuditHash);

/// <summary>
/// Writes rows of <see cref="BulkTable"/>s in batches, one transaction each, bypassing EF (no change tracking, no per-row
/// round trips): seed-scale's institutions and seed-insured's members. Rows carry their ids; <see cref="NextIdAsync"/>,
/// read inside the batch's transaction, says where they start.
/// </summary>
internal interface IBulkWriter : IAsyncDisposable
{
    bool IsPostgres { get; }

    /// <summary>Opens the batch's transaction; with <paramref name="lockAuditChain"/> it holds the audit chain's lock too.</summary>
    Task BeginAsync(bool lockAuditChain, CancellationToken cancellationToken);

    /// <summary>One past the largest id the table holds or ever gave out.</summary>
    Task<long> NextIdAsync(BulkTable table, CancellationToken cancellationToken);

    Task<object?> ScalarAsync(string sql, CancellationToken cancellationToken);

    Task ExecuteAsync(string sql, CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="rows"/> (ascending ids) into <paramref name="table"/>.</summary>
    Task WriteAsync(BulkTable table, IReadOnlyList<object> rows, CancellationToken cancellationToken);

    Task CommitAsync(CancellationToken cancellationToken);

    /// <summary>After the last batch: statistics of <paramref name="tables"/> and checkpoints, connection settings restored.</summary>
    Task FinishAsync(IEnumerable<BulkTable> tables, CancellationToken cancellationToken);
}

/// <summary>Opens the writer of the database's provider.</summary>
internal static class BulkWriters
{
    public static async Task<IBulkWriter> OpenAsync(bool postgres, string connectionString, CancellationToken cancellationToken) => postgres
        ? await PostgresSeedWriter.OpenAsync(connectionString, cancellationToken)
        : await SqliteSeedWriter.OpenAsync(connectionString, cancellationToken);

    /// <summary>seed-scale's batch start: the transaction with the audit chain's lock, then the ids and the chain head.</summary>
    public static async Task<BatchStart> BeginBatchAsync(this IBulkWriter writer, SeedTables tables, CancellationToken cancellationToken)
    {
        await writer.BeginAsync(lockAuditChain: true, cancellationToken);
        return await tables.ReadStartAsync(writer.NextIdAsync, writer.ScalarAsync, cancellationToken);
    }

    public static async Task WriteAsync(this IBulkWriter writer, SeedTables tables, SeedBatch batch, CancellationToken cancellationToken)
    {
        foreach (var (table, rows) in tables.Rows(batch))
        {
            await writer.WriteAsync(table, rows, cancellationToken);
        }
    }
}

/// <summary>
/// SQLite: one connection (not pooled), one transaction per batch, one prepared parameterized INSERT per table reused
/// for every row, its values bound by position on the raw handle (Microsoft.Data.Sqlite would look every parameter up by
/// name on every execution). For the load the connection runs with <c>synchronous=OFF</c> (a killed process loses nothing
/// committed; a power cut could), a 512 MiB page cache, in-memory temp storage and foreign keys enforced; the journal mode
/// stays WAL and the indexes stay (see docs/scaling.md). The previous values are restored by <see cref="FinishAsync"/>;
/// they are per-connection settings anyway.
/// </summary>
internal sealed class SqliteSeedWriter : IBulkWriter
{
    private static readonly string[] BulkPragmas = ["synchronous", "cache_size", "temp_store", "foreign_keys"];

    private readonly SqliteConnection connection;
    private readonly Dictionary<BulkTable, sqlite3_stmt> inserts = [];
    private readonly Dictionary<string, string> saved = [];
    private SqliteTransaction? transaction;

    private SqliteSeedWriter(SqliteConnection connection) => this.connection = connection;

    public bool IsPostgres => false;

    public static async Task<SqliteSeedWriter> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString) { Pooling = false };
        var connection = new SqliteConnection(builder.ToString());
        await connection.OpenAsync(cancellationToken);
        var writer = new SqliteSeedWriter(connection);
        foreach (var pragma in BulkPragmas)
        {
            writer.saved[pragma] = Convert.ToString(await writer.ScalarAsync($"PRAGMA {pragma}", cancellationToken), CultureInfo.InvariantCulture) ?? "";
        }

        // Foreign keys on whatever the connection string says: every SQLite run checks the generator's references.
        await writer.ExecuteAsync("PRAGMA synchronous=OFF; PRAGMA cache_size=-524288; PRAGMA temp_store=MEMORY; PRAGMA foreign_keys=ON;", cancellationToken);
        return writer;
    }

    public Task BeginAsync(bool lockAuditChain, CancellationToken cancellationToken)
    {
        // BEGIN IMMEDIATE: the write lock (which is also the audit chain's) is taken now, so the ids read next stay ours.
        transaction = connection.BeginTransaction(deferred: false);
        return Task.CompletedTask;
    }

    public Task WriteAsync(BulkTable table, IReadOnlyList<object> rows, CancellationToken cancellationToken)
    {
        var insert = Insert(table);
        var columns = table.Columns;
        foreach (var row in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (var i = 0; i < columns.Count; i++)
            {
                Bind(insert, i + 1, columns[i].Read(row));
            }

            var rc = raw.sqlite3_step(insert);
            raw.sqlite3_reset(insert);
            if (rc != raw.SQLITE_DONE)
            {
                throw new SqliteException($"INSERT INTO {table.Name}: {raw.sqlite3_errmsg(connection.Handle).utf8_to_string()}", rc);
            }
        }

        return Task.CompletedTask;
    }

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        await transaction!.CommitAsync(cancellationToken);
        await transaction.DisposeAsync();
        transaction = null;
    }

    public async Task FinishAsync(IEnumerable<BulkTable> tables, CancellationToken cancellationToken)
    {
        // Move the WAL into the database file, so that its size is the database's and the next reader starts clean.
        await ExecuteAsync("PRAGMA wal_checkpoint(TRUNCATE);", cancellationToken);
        await RestoreAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (transaction is not null)
        {
            await transaction.DisposeAsync(); // rolls back an unfinished batch
            transaction = null;
        }

        foreach (var insert in inserts.Values)
        {
            insert.Dispose();
        }

        await RestoreAsync();
        await connection.DisposeAsync();
    }

    private async Task RestoreAsync()
    {
        if (connection.State != System.Data.ConnectionState.Open)
        {
            return;
        }

        foreach (var (pragma, value) in saved)
        {
            await ExecuteAsync($"PRAGMA {pragma}={value};", CancellationToken.None);
        }

        saved.Clear();
    }

    /// <summary>The table's INSERT, prepared once on the connection's handle and reused for every row.</summary>
    private sqlite3_stmt Insert(BulkTable table)
    {
        if (!inserts.TryGetValue(table, out var insert))
        {
            var names = string.Join(", ", table.Columns.Select((_, i) => "?" + (i + 1).ToString(CultureInfo.InvariantCulture)));
            var sql = $"INSERT INTO {BulkTable.Quote(table.Name)} ({table.QuotedColumnList}) VALUES ({names})";
            var rc = raw.sqlite3_prepare_v2(connection.Handle, sql, out insert);
            if (rc != raw.SQLITE_OK)
            {
                throw new SqliteException($"{sql}: {raw.sqlite3_errmsg(connection.Handle).utf8_to_string()}", rc);
            }

            inserts[table] = insert;
        }

        return insert;
    }

    /// <summary>
    /// Binds a provider value (after EF's converters) by position, in the representation Microsoft.Data.Sqlite and EF
    /// use, so EF reads the rows back as its own: instants as <c>yyyy-MM-dd HH:mm:ss.FFFFFFF</c>, dates as
    /// <c>yyyy-MM-dd</c>, booleans as 0/1.
    /// </summary>
    private static void Bind(sqlite3_stmt statement, int index, object? value)
    {
        var rc = value switch
        {
            null => raw.sqlite3_bind_null(statement, index),
            string s => raw.sqlite3_bind_text(statement, index, s),
            long l => raw.sqlite3_bind_int64(statement, index, l),
            int n => raw.sqlite3_bind_int64(statement, index, n),
            bool b => raw.sqlite3_bind_int64(statement, index, b ? 1 : 0),
            DateTime d => raw.sqlite3_bind_text(statement, index, d.ToString(@"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF", CultureInfo.InvariantCulture)),
            DateOnly d => raw.sqlite3_bind_text(statement, index, d.ToString(@"yyyy\-MM\-dd", CultureInfo.InvariantCulture)),
            byte[] bytes => raw.sqlite3_bind_blob(statement, index, bytes),
            _ => throw new NotSupportedException($"No SQLite binding for {value.GetType().Name}."),
        };
        if (rc != raw.SQLITE_OK)
        {
            throw new SqliteException($"bind {index}", rc);
        }
    }

    /// <summary>One past the largest id ever given (AUTOINCREMENT never reuses one, so sqlite_sequence counts too).</summary>
    public async Task<long> NextIdAsync(BulkTable table, CancellationToken cancellationToken)
    {
        var name = table.Name.Replace("'", "''", StringComparison.Ordinal);
        var value = await ScalarAsync(
            $"SELECT MAX(COALESCE((SELECT MAX(\"Id\") FROM {BulkTable.Quote(table.Name)}), 0), COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '{name}'), 0))",
            cancellationToken);
        return Convert.ToInt64(value, CultureInfo.InvariantCulture) + 1;
    }

    public async Task<object?> ScalarAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    public async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>
/// PostgreSQL: one connection, one transaction per batch holding the audit chain's advisory lock (so the app's writers
/// wait and the chain stays linear), binary COPY (<c>BeginBinaryImport</c>) per table, explicit ids and the identity
/// sequences moved past them with <c>setval</c>; foreign-key triggers skipped for this session when the role may
/// (<c>session_replication_role = replica</c>), the indexes kept. <see cref="FinishAsync"/> runs ANALYZE so the planner
/// knows the new sizes.
/// </summary>
internal sealed class PostgresSeedWriter : IBulkWriter
{
    private readonly NpgsqlConnection connection;
    private readonly Dictionary<BulkTable, string> sequences = [];
    private NpgsqlTransaction? transaction;

    private PostgresSeedWriter(NpgsqlConnection connection) => this.connection = connection;

    public bool IsPostgres => true;

    public static async Task<PostgresSeedWriter> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        var writer = new PostgresSeedWriter(connection);
        try
        {
            // Like pg_restore --disable-triggers: this session's COPY skips the foreign-key triggers (a quarter of the
            // load's time). Only this connection, only while it lives; the constraints stay. The ids are ours and the
            // SQLite writer, which keeps foreign keys on, proves the generator's references on every run and test.
            await writer.ExecuteAsync("SET session_replication_role = replica", cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            // Not a superuser: the foreign keys are checked row by row, which is slower but as correct.
        }

        return writer;
    }

    public async Task BeginAsync(bool lockAuditChain, CancellationToken cancellationToken)
    {
        transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync("SET LOCAL synchronous_commit = off", cancellationToken);
        if (lockAuditChain)
        {
            await ExecuteAsync(string.Create(CultureInfo.InvariantCulture, $"SELECT pg_advisory_xact_lock({AuditLog.PostgresAdvisoryLockKey})"), cancellationToken);
        }
    }

    public async Task WriteAsync(BulkTable table, IReadOnlyList<object> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }

        // COPY BINARY needs each value in its column's exact wire type: the store type without its length.
        var types = table.Columns.Select(c => c.StoreType.Split('(')[0].Trim()).ToArray();
        var columns = table.Columns;
        await using (var import = await connection.BeginBinaryImportAsync(
            $"COPY {BulkTable.Quote(table.Name)} ({table.QuotedColumnList}) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var row in rows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                import.StartRow();
                for (var i = 0; i < columns.Count; i++)
                {
                    var value = columns[i].Read(row);
                    if (value is null)
                    {
                        import.WriteNull();
                    }
                    else
                    {
                        import.Write(value, types[i]);
                    }
                }
            }

            await import.CompleteAsync(cancellationToken);
        }

        // The next id the app's inserts get must lie past ours.
        var max = Convert.ToInt64(table.Id.Read(rows[^1]), CultureInfo.InvariantCulture);
        var sequence = await SequenceAsync(table, cancellationToken);
        await ExecuteAsync(string.Create(CultureInfo.InvariantCulture, $"SELECT setval('{sequence}', {max})"), cancellationToken);
    }

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        await transaction!.CommitAsync(cancellationToken);
        await transaction.DisposeAsync();
        transaction = null;
    }

    public async Task FinishAsync(IEnumerable<BulkTable> tables, CancellationToken cancellationToken)
    {
        foreach (var table in tables)
        {
            await ExecuteAsync("ANALYZE " + BulkTable.Quote(table.Name), cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (transaction is not null)
        {
            await transaction.DisposeAsync();
            transaction = null;
        }

        await connection.DisposeAsync();
    }

    /// <summary>One past the largest id in the table or handed out by its sequence.</summary>
    public async Task<long> NextIdAsync(BulkTable table, CancellationToken cancellationToken)
    {
        var sequence = await SequenceAsync(table, cancellationToken);
        var value = await ScalarAsync(
            $"SELECT GREATEST(COALESCE((SELECT MAX(\"Id\") FROM {BulkTable.Quote(table.Name)}), 0), (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {sequence}))",
            cancellationToken);
        return Convert.ToInt64(value, CultureInfo.InvariantCulture) + 1;
    }

    public async Task<object?> ScalarAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    public async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The identity sequence of the table's <c>Id</c>, looked up once.</summary>
    private async Task<string> SequenceAsync(BulkTable table, CancellationToken cancellationToken)
    {
        if (!sequences.TryGetValue(table, out var sequence))
        {
            sequence = await ScalarAsync($"SELECT pg_get_serial_sequence('{BulkTable.Quote(table.Name)}', 'Id')", cancellationToken) as string
                ?? throw new InvalidOperationException($"{table.Name}.Id has no sequence.");
            sequences[table] = sequence;
        }

        return sequence;
    }
}
