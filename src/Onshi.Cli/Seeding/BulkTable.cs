using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;

namespace Onshi.Cli.Seeding;

/// <summary>One column as the bulk writers need it: its name, store type and a reader giving the provider value.</summary>
internal sealed record BulkColumn(string Name, string StoreType, Func<object, object?> Read);

/// <summary>
/// A table's columns, read from the EF model of the configured provider (so from the same model the migrations
/// match): every mapped property, its column name and store type, and its value converted the way EF converts it
/// (enums to integers, the UTC converter on instants). A schema change needs no change here.
/// </summary>
internal sealed class BulkTable
{
    private BulkTable(string name, IReadOnlyList<BulkColumn> columns)
    {
        Name = name;
        Columns = columns;
    }

    public string Name { get; }

    public IReadOnlyList<BulkColumn> Columns { get; }

    /// <summary>The key column (every table here has an <c>Id</c>; rows are written in ascending id order).</summary>
    public BulkColumn Id => Columns.Single(c => c.Name == "Id");

    public string QuotedColumnList => string.Join(", ", Columns.Select(c => Quote(c.Name)));

    public static BulkTable For<T>(OnshiDbContext db)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(db);
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not mapped.");
        var table = entity.GetTableName() ?? throw new InvalidOperationException($"{typeof(T).Name} has no table.");
        var store = StoreObjectIdentifier.Table(table, entity.GetSchema());
        var columns = new List<BulkColumn>();
        foreach (var property in entity.GetProperties())
        {
            var info = property.PropertyInfo ?? throw new InvalidOperationException($"{typeof(T).Name}.{property.Name} is a shadow property.");
            var mapping = property.GetRelationalTypeMapping();
            var converter = mapping.Converter;
            var getter = Getter(info);
            Func<object, object?> read = converter is null
                ? getter
                : entityValue => getter(entityValue) is { } v ? converter.ConvertToProvider(v) : null;
            columns.Add(new BulkColumn(property.GetColumnName(store) ?? property.Name, mapping.StoreType, read));
        }

        return new BulkTable(table, columns);
    }

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static Func<object, object?> Getter(System.Reflection.PropertyInfo info)
    {
        var parameter = Expression.Parameter(typeof(object), "entity");
        var body = Expression.Convert(Expression.Property(Expression.Convert(parameter, info.DeclaringType!), info), typeof(object));
        return Expression.Lambda<Func<object, object?>>(body, parameter).Compile();
    }
}

/// <summary>The tables seed-scale writes, in foreign-key order.</summary>
internal sealed class SeedTables(OnshiDbContext db)
{
    public BulkTable PortalUsers { get; } = BulkTable.For<PortalUser>(db);

    public BulkTable Institutions { get; } = BulkTable.For<Institution>(db);

    public BulkTable UsageApplications { get; } = BulkTable.For<UsageApplication>(db);

    public BulkTable Accounts { get; } = BulkTable.For<Account>(db);

    public BulkTable Certificates { get; } = BulkTable.For<TerminalCertificate>(db);

    public BulkTable CertificateApplications { get; } = BulkTable.For<CertificateApplication>(db);

    public BulkTable Documents { get; } = BulkTable.For<PortalDocument>(db);

    public BulkTable OperationStarts { get; } = BulkTable.For<OperationStartRegistration>(db);

    public BulkTable Audit { get; } = BulkTable.For<AuditEntry>(db);

    /// <summary>Each table with the rows of <paramref name="batch"/> for it, parents before children.</summary>
    public IEnumerable<(BulkTable Table, IReadOnlyList<object> Rows)> Rows(SeedBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        yield return (PortalUsers, batch.PortalUsers);
        yield return (Institutions, batch.Institutions);
        yield return (UsageApplications, batch.UsageApplications);
        yield return (Accounts, batch.Accounts);
        yield return (Certificates, batch.Certificates);
        yield return (CertificateApplications, batch.CertificateApplications);
        yield return (Documents, batch.Documents);
        yield return (OperationStarts, batch.OperationStarts);
        yield return (Audit, batch.Audit);
    }

    /// <summary>
    /// Inside a writer's open batch transaction: one past the largest id of every table (<paramref name="nextId"/>) and the
    /// hash of chain 0's last audit row (the chain seed-scale writes), read with the writer's own connection.
    /// </summary>
    public async Task<BatchStart> ReadStartAsync(Func<BulkTable, CancellationToken, Task<long>> nextId,
        Func<string, CancellationToken, Task<object?>> scalar, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nextId);
        ArgumentNullException.ThrowIfNull(scalar);
        var ids = new IdCursor
        {
            PortalUser = await nextId(PortalUsers, cancellationToken),
            Institution = await nextId(Institutions, cancellationToken),
            UsageApplication = await nextId(UsageApplications, cancellationToken),
            Account = await nextId(Accounts, cancellationToken),
            TerminalCertificate = await nextId(Certificates, cancellationToken),
            CertificateApplication = await nextId(CertificateApplications, cancellationToken),
            PortalDocument = await nextId(Documents, cancellationToken),
            OperationStart = await nextId(OperationStarts, cancellationToken),
            Audit = await nextId(Audit, cancellationToken),
        };
        var last = await scalar($"SELECT \"Hash\" FROM {BulkTable.Quote(Audit.Name)} WHERE \"Chain\" = 0 ORDER BY \"Id\" DESC LIMIT 1", cancellationToken);
        return new BatchStart(ids, last as string ?? AuditLog.GenesisHash);
    }

    public IEnumerable<BulkTable> All => [PortalUsers, Institutions, UsageApplications, Accounts, Certificates, CertificateApplications, Documents, OperationStarts, Audit];
}
