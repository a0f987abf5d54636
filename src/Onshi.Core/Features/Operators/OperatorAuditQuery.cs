using Microsoft.EntityFrameworkCore;
using Onshi.Core.Common;
using Onshi.Core.Data;

namespace Onshi.Core.Features.Operators;

/// <summary>Filters of the 操作ログ across institutions; dates are JST calendar days, both ends included.</summary>
public sealed record AuditFilter(DateOnly? From = null, DateOnly? To = null, string? InstitutionCode = null, string? Actor = null,
    string? Action = null, string? Outcome = null, int Page = 1);

/// <summary>One page of audit rows, newest first.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Rows, int Total, int Page, int PageSize)
{
    public int PageCount => Math.Max(1, (Total + PageSize - 1) / PageSize);
}

/// <summary>The 操作ログ of every institution, for the Supervisor role only (SPEC §9).</summary>
public sealed class OperatorAuditQuery(OnshiDbContext db, OperatorGate gate)
{
    /// <summary>Rows per page.</summary>
    public const int PageSize = 50;

    private static readonly TimeSpan JstOffset = TimeSpan.FromHours(9);

    public async Task<OpResult<AuditPage>> SearchAsync(OperatorActor actor, AuditFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(filter);
        if (await gate.CheckAsync(actor, OperatorCapability.AuditLog, "audit", cancellationToken) is null)
        {
            return OpResult<AuditPage>.Fail(OperatorErrors.NotPermitted);
        }

        var errors = new List<OnshiError>();
        var code = (filter.InstitutionCode ?? "").Trim();
        if (code.Length > 10 || !code.All(char.IsAsciiDigit))
        {
            errors.Add(new OnshiError("audit.code", "医療機関等コードは半角数字10桁以内で入力してください。", "InstitutionCode"));
        }

        if (filter.From is { } f && filter.To is { } t && f > t)
        {
            errors.Add(new OnshiError("audit.period", "期間の開始日は終了日以前の日付を入力してください。", "From"));
        }

        var actorText = (filter.Actor ?? "").Trim();
        var action = (filter.Action ?? "").Trim();
        var outcome = (filter.Outcome ?? "").Trim();
        if (actorText.Length > 64 || action.Length > 64 || outcome.Length > 16)
        {
            errors.Add(new OnshiError("audit.too_long", "検索条件が長すぎます。", "Actor"));
        }

        if (errors.Count > 0)
        {
            return OpResult<AuditPage>.Fail(errors);
        }

        var query = db.AuditEntries.AsNoTracking();
        if (filter.From is { } from)
        {
            var start = DateTime.SpecifyKind(from.ToDateTime(TimeOnly.MinValue) - JstOffset, DateTimeKind.Utc);
            query = query.Where(a => a.OccurredAt >= start);
        }

        if (filter.To is { } to)
        {
            var end = DateTime.SpecifyKind(to.AddDays(1).ToDateTime(TimeOnly.MinValue) - JstOffset, DateTimeKind.Utc);
            query = query.Where(a => a.OccurredAt < end);
        }

        if (code.Length > 0)
        {
            query = query.Where(a => a.InstitutionCode.StartsWith(code));
        }

        if (actorText.Length > 0)
        {
            query = query.Where(a => a.Actor == actorText || a.Actor == OperatorAudit.ActorPrefix + actorText);
        }

        if (action.Length > 0)
        {
            query = query.Where(a => a.Action == action);
        }

        if (outcome.Length > 0)
        {
            query = query.Where(a => a.Outcome == outcome);
        }

        var total = await query.CountAsync(cancellationToken);
        var pageCount = Math.Max(1, (total + PageSize - 1) / PageSize);
        var page = Math.Clamp(filter.Page, 1, pageCount);
        var rows = await query.OrderByDescending(a => a.Id).Skip((page - 1) * PageSize).Take(PageSize).ToListAsync(cancellationToken);
        return OpResult<AuditPage>.Success(new AuditPage(rows, total, page, PageSize));
    }
}
