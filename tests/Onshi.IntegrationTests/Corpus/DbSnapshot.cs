using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Data;

namespace Onshi.IntegrationTests.Corpus;

/// <summary>One table's state: its row count and a hash over every row (order-independent).</summary>
public sealed record TableState(long Rows, string Hash);

/// <summary>A new audit row written between two snapshots.</summary>
public sealed record NewAuditRow(long Id, string Action, string Outcome, string? Detail, string Actor, string Target, string InstitutionCode,
    string ClientAddress);

/// <summary>
/// Every table of the model (row count + SHA-256 of its contents), except the append-only audit table, whose rows after
/// <see cref="AuditMaxId"/> are read back instead, and the authentication cache's signal table (<see cref="CacheSignal"/>:
/// the invalidation channel's transport on SQLite, a row for every commit that changed a watched table — that change shows
/// in its own table). A session's <c>LastSeenAt</c> is bookkeeping the site writes at most every 30 s on any request
/// (<c>TouchInterval</c>), not a change made by the input, and is left out of the hash.
/// </summary>
public sealed class DbSnapshot
{
    private static readonly HashSet<string> IgnoredColumns = new(StringComparer.OrdinalIgnoreCase) { "LastSeenAt" };

    private DbSnapshot(Dictionary<string, TableState> tables, long auditMaxId)
    {
        Tables = tables;
        AuditMaxId = auditMaxId;
    }

    public IReadOnlyDictionary<string, TableState> Tables { get; }

    public long AuditMaxId { get; }

    public static async Task<DbSnapshot> TakeAsync(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OnshiDbContext>();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        try
        {
            var tables = new Dictionary<string, TableState>(StringComparer.Ordinal);
            var auditTable = db.Model.FindEntityType(typeof(AuditEntry))!.GetTableName();
            var signalTable = db.Model.FindEntityType(typeof(CacheSignal))!.GetTableName();
            foreach (var entity in db.Model.GetEntityTypes())
            {
                var table = entity.GetTableName();
                if (table is null || table == auditTable || table == signalTable || tables.ContainsKey(table))
                {
                    continue;
                }

                tables[table] = await HashTableAsync(connection, table);
            }

            await using var max = connection.CreateCommand();
            max.CommandText = $"SELECT COALESCE(MAX(\"Id\"), 0) FROM \"{auditTable}\"";
            var auditMax = Convert.ToInt64(await max.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
            return new DbSnapshot(tables, auditMax);
        }
        finally
        {
            await connection.CloseAsync();
        }
    }

    /// <summary>The tables whose count or contents differ from <paramref name="before"/>.</summary>
    public IReadOnlyList<string> ChangedSince(DbSnapshot before)
    {
        ArgumentNullException.ThrowIfNull(before);
        return [.. Tables.Where(t => !before.Tables.TryGetValue(t.Key, out var b) || b != t.Value)
            .Select(t => $"{t.Key} ({(before.Tables.TryGetValue(t.Key, out var b) ? b.Rows : 0)} → {t.Value.Rows} rows)")];
    }

    /// <summary>The audit rows written after <paramref name="before"/> was taken.</summary>
    public static Task<IReadOnlyList<NewAuditRow>> AuditSinceAsync(WebApplication app, DbSnapshot before)
    {
        ArgumentNullException.ThrowIfNull(before);
        return AuditSinceAsync(app, before.AuditMaxId);
    }

    /// <summary>The id of the newest audit row (0 when there is none): a cheap mark to read the rows written after it.</summary>
    public static async Task<long> AuditMaxIdAsync(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OnshiDbContext>();
        return await db.AuditEntries.MaxAsync(a => (long?)a.Id) ?? 0;
    }

    /// <summary>The audit rows written after the row <paramref name="afterId"/>.</summary>
    public static async Task<IReadOnlyList<NewAuditRow>> AuditSinceAsync(WebApplication app, long afterId)
    {
        ArgumentNullException.ThrowIfNull(app);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OnshiDbContext>();
        return await db.AuditEntries.AsNoTracking().Where(a => a.Id > afterId).OrderBy(a => a.Id)
            .Select(a => new NewAuditRow(a.Id, a.Action, a.Outcome, a.Detail, a.Actor, a.Target, a.InstitutionCode, a.ClientAddress)).ToListAsync();
    }

    private static async Task<TableState> HashTableAsync(DbConnection connection, string table)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM \"{table}\"";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        var keep = Enumerable.Range(0, reader.FieldCount).Where(i => !IgnoredColumns.Contains(reader.GetName(i))).ToArray();
        while (await reader.ReadAsync())
        {
            var row = new StringBuilder();
            foreach (var i in keep)
            {
                var value = reader.IsDBNull(i) ? "\u2400" : reader.GetValue(i) switch
                {
                    byte[] bytes => Convert.ToHexString(bytes),
                    DateTime d => d.Ticks.ToString(CultureInfo.InvariantCulture),
                    IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                    var o => o.ToString(),
                };
                row.Append(value).Append('\u001f');
            }

            rows.Add(row.ToString());
        }

        rows.Sort(StringComparer.Ordinal);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001e', rows)));
        return new TableState(rows.Count, Convert.ToHexString(hash));
    }
}
