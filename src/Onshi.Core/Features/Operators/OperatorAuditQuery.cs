using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;

namespace Onshi.Core.Features.Operators;

/// <summary>The 操作ログ of every institution, for the Supervisor role only (SPEC §9).</summary>
public sealed class OperatorAuditQuery(OnshiDbContext db, OperatorGate gate, AuditLog audit, TimeProvider time)
{
    /// <summary>Rows per page.</summary>
    public const int PageSize = 50;

    /// <summary>Checks the typed filters the way this screen labels them (操作者 up to 64 characters, 医療機関等コード a digit prefix).</summary>
    public static OpResult<AuditCriteria> Parse(AuditCriteriaInput input) => AuditCriteriaParser.Parse(input, "Actor", "操作者", 64);

    public async Task<OpResult<AuditRowPage>> SearchAsync(OperatorActor actor, AuditCriteria criteria, int page,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(criteria);
        if (await gate.CheckAsync(actor, OperatorCapability.AuditLog, "audit", cancellationToken) is null)
        {
            return OpResult<AuditRowPage>.Fail(OperatorErrors.NotPermitted);
        }

        var query = Filtered(criteria);
        var (total, shown, rows) = await query.PageAsync(page, PageSize, cancellationToken);
        return OpResult<AuditRowPage>.Success(new AuditRowPage([.. rows.Select(AuditRow.Of)], total, shown, PageSize));
    }

    /// <summary>The CSV export of the filter (at most <see cref="AuditCsv.MaxRows"/> rows, newest first), audited first.</summary>
    public async Task<OpResult<AuditExport>> ExportAsync(OperatorActor actor, AuditCriteria criteria, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(criteria);
        var op = await gate.CheckAsync(actor, OperatorCapability.AuditLog, "audit-csv", cancellationToken);
        if (op is null)
        {
            return OpResult<AuditExport>.Fail(OperatorErrors.NotPermitted);
        }

        var query = Filtered(criteria);
        var total = await query.CountAsync(cancellationToken);
        var count = Math.Min(total, AuditCsv.MaxRows);
        audit.Record(new AuditRecord(AuditActions.AuditExport, AuditOutcomes.Success)
        {
            Actor = OperatorAudit.Actor(op.UserId),
            Target = "csv",
            Detail = "rows=" + count.ToString(CultureInfo.InvariantCulture),
            ClientAddress = actor.ClientAddress,
        });
        await audit.CommitAsync(cancellationToken);
        var scope = criteria.InstitutionCode.Length > 0 ? criteria.InstitutionCode : "全医療機関等";
        var (name, ascii) = AuditCsv.FileNames(scope, criteria.InstitutionCode.Length > 0 ? criteria.InstitutionCode : "all", Jst.Today(time));
        var rows = query.Newest().Take(AuditCsv.MaxRows).AsAsyncEnumerable().Select(AuditRow.Of);
        return OpResult<AuditExport>.Success(new AuditExport(name, ascii, count, total, rows));
    }

    private IQueryable<AuditEntry> Filtered(AuditCriteria criteria)
    {
        var query = db.AuditEntries.AsNoTracking();
        if (criteria.StartUtc is { } start)
        {
            query = query.Where(a => a.OccurredAt >= start);
        }

        if (criteria.EndUtc is { } end)
        {
            query = query.Where(a => a.OccurredAt < end);
        }

        if (criteria.InstitutionCode.Length > 0)
        {
            var code = criteria.InstitutionCode;
            query = query.Where(a => a.InstitutionCode.StartsWith(code));
        }

        if (criteria.Actor.Length > 0)
        {
            var actorText = criteria.Actor;
            var prefixed = OperatorAudit.ActorPrefix + actorText;
            query = query.Where(a => a.Actor == actorText || a.Actor == prefixed);
        }

        if (criteria.Action.Length > 0)
        {
            query = query.Where(a => a.Action == criteria.Action);
        }

        if (criteria.Outcome.Length > 0)
        {
            query = query.Where(a => a.Outcome == criteria.Outcome);
        }

        return query;
    }
}
