using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Accounts;

namespace Onshi.Core.Features.Audit;

/// <summary>One login of the ログイン履歴 with the row that ended its session (null while open or not yet recorded).</summary>
public sealed record LoginHistoryRow(AuditRow Login, AuditRow? End)
{
    /// <summary>From the login to the end of the session.</summary>
    public TimeSpan? Duration => End is { } e && e.OccurredAt >= Login.OccurredAt ? e.OccurredAt - Login.OccurredAt : null;

    /// <summary>Why the session ended, in words.</summary>
    public string EndReasonLabel => End is { } e ? AuditLabels.EndReason(e.Detail) : "";

    /// <summary><c>1時間05分</c>, <c>12分30秒</c>, <c>45秒</c>.</summary>
    public static string FormatDuration(TimeSpan d)
    {
        var total = (long)d.TotalSeconds;
        var hours = total / 3600;
        var minutes = total / 60 % 60;
        var seconds = total % 60;
        return hours > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{hours}時間{minutes:00}分")
            : minutes > 0 ? string.Create(CultureInfo.InvariantCulture, $"{minutes}分{seconds:00}秒") : string.Create(CultureInfo.InvariantCulture, $"{seconds}秒");
    }
}

/// <summary>One page of the ログイン履歴, newest login first.</summary>
public sealed record LoginHistoryPage(IReadOnlyList<LoginHistoryRow> Rows, int Total, int Page, int PageSize)
{
    public int PageCount => Math.Max(1, (Total + PageSize - 1) / PageSize);

    public int First => Total == 0 ? 0 : ((Page - 1) * PageSize) + 1;

    public int Last => ((Page - 1) * PageSize) + Rows.Count;
}

/// <summary>
/// The 操作ログ of one institution, for its マスタ and 管理者 (SPEC §9; <see cref="OqsCapability.AuditLog"/>):
/// the rows of the institution in the site's environment, plus its terminal certificates' issue and revocation (which
/// belong to no environment). Never another institution's rows, never the operators' own work (their logins, their
/// refusals, the portal's application rows); where an operator acted on this institution (秘密の番号の再発行, ロック解除)
/// the row is shown with 「運用者」 instead of the operator's ID and without the operator's address.
/// </summary>
public sealed class InstitutionAuditQuery(OnshiDbContext db, AuditLog audit, TimeProvider time)
{
    /// <summary>Rows per page.</summary>
    public const int PageSize = 50;

    /// <summary>Rows of no environment that an institution sees (its terminals' certificates).</summary>
    public static IReadOnlyList<string> InstitutionWideActions { get; } = [AuditActions.CertificateIssue, AuditActions.CertificateRevoke];

    /// <summary>The actions offered in the 操作 select of the OQS (those its rows can hold), in display order.</summary>
    public static IReadOnlyList<(string Code, string Label)> Actions { get; } =
    [
        .. AuditLabels.Actions.Where(a => a.Code is AuditActions.Login or AuditActions.Logout or AuditActions.SessionEnd or AuditActions.Lockout
            or AuditActions.Unlock or AuditActions.PasswordChange or AuditActions.PasswordInitialize or AuditActions.AccountCreate
            or AuditActions.AccountUpdate or AuditActions.AccountView or AuditActions.AccessDenied or AuditActions.CertificateRejected
            or AuditActions.CertificateIssue or AuditActions.CertificateRevoke or AuditActions.DocumentDownload or AuditActions.AuditExport
            or AuditActions.RequestRefused or Operators.OperatorAuditActions.SecretReissue or AuditActions.QualificationLookup
            or AuditActions.QualificationExport or AuditActions.QualificationBulkAccept or AuditActions.QualificationBulkProcess
            or AuditActions.QualificationBulkResult or AuditActions.QualificationBulkPurge),
    ];

    /// <summary>Checks the typed filters the way this screen labels them (アカウント = a user ID, at most 16 characters).</summary>
    public static OpResult<AuditCriteria> Parse(AuditCriteriaInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return AuditCriteriaParser.Parse(input with { InstitutionCode = null }, "Account", "アカウント", 16);
    }

    public async Task<OpResult<AuditRowPage>> SearchAsync(ActorContext actor, AuditCriteria criteria, int page,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(criteria);
        if (!await PermittedAsync(actor, cancellationToken))
        {
            return OpResult<AuditRowPage>.Fail(AccountErrors.NotPermitted);
        }

        var query = await FilteredAsync(actor, criteria, cancellationToken);
        var (total, shown, rows) = await query.PageAsync(page, PageSize, cancellationToken);
        var rowOf = await RowsAsync(actor, cancellationToken);
        return OpResult<AuditRowPage>.Success(new AuditRowPage([.. rows.Select(rowOf)], total, shown, PageSize));
    }

    /// <summary>
    /// The CSV export of the filter (at most <see cref="AuditCsv.MaxRows"/> rows, newest first). The export is audited
    /// (<c>audit.export</c>, detail <c>rows=N</c>) before the first row is read.
    /// </summary>
    public async Task<OpResult<AuditExport>> ExportAsync(ActorContext actor, AuditCriteria criteria, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(criteria);
        if (!await PermittedAsync(actor, cancellationToken))
        {
            return OpResult<AuditExport>.Fail(AccountErrors.NotPermitted);
        }

        var query = await FilteredAsync(actor, criteria, cancellationToken);
        var total = await query.CountAsync(cancellationToken);
        var count = Math.Min(total, AuditCsv.MaxRows);
        audit.Record(actor.Audit(AuditActions.AuditExport, AuditOutcomes.Success, AuditDetails.CsvTarget,
            "rows=" + count.ToString(CultureInfo.InvariantCulture)));
        await audit.CommitAsync(cancellationToken);
        var code = actor.Principal.InstitutionCode;
        var (name, ascii) = AuditCsv.FileNames(code, code, Jst.Today(time));
        var rowOf = await RowsAsync(actor, cancellationToken);
        var rows = query.Newest().Take(AuditCsv.MaxRows).AsAsyncEnumerable().Select(rowOf);
        return OpResult<AuditExport>.Success(new AuditExport(name, ascii, count, total, rows));
    }

    /// <summary>
    /// ログイン履歴: each successful login in the filter, newest first, with the <c>logout</c> or <c>session.end</c> row that
    /// ended its session. Rows are paired per account in chain order: an end row belongs to the oldest open login of
    /// the same account from the same client address (else the oldest open login of the account).
    /// </summary>
    public async Task<OpResult<LoginHistoryPage>> LoginHistoryAsync(ActorContext actor, AuditCriteria criteria, int page,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(criteria);
        if (!await PermittedAsync(actor, cancellationToken))
        {
            return OpResult<LoginHistoryPage>.Fail(AccountErrors.NotPermitted);
        }

        var logins = (await FilteredAsync(actor, criteria with { Action = "", Outcome = "" }, cancellationToken))
            .Where(a => a.Action == AuditActions.Login && a.Outcome == AuditOutcomes.Success);
        if (criteria.Actor.Length > 0)
        {
            // For logins the account is the actor (the target is the same ID).
            var id = await CanonicalUserIdAsync(actor, criteria.Actor, cancellationToken);
            logins = logins.Where(a => a.Actor == id);
        }

        (var total, page, var pageRows) = await logins.PageAsync(page, PageSize, cancellationToken);
        if (pageRows.Count == 0)
        {
            return OpResult<LoginHistoryPage>.Success(new LoginHistoryPage([], total, page, PageSize));
        }

        // Sessions last at most 12 hours: starting 13 hours before the oldest login of the page, every session still
        // open at that login is in the walk, so no earlier session's end is mistaken for one of ours.
        var actors = pageRows.Select(r => r.Actor).Distinct().ToList();
        var since = pageRows.Min(r => r.OccurredAt) - TimeSpan.FromHours(13);
        var walk = await Visible(actor)
            .Where(a => actors.Contains(a.Actor) && a.OccurredAt >= since
                && ((a.Action == AuditActions.Login && a.Outcome == AuditOutcomes.Success)
                    || a.Action == AuditActions.Logout || a.Action == AuditActions.SessionEnd))
            .OrderBy(a => a.Id).Take(50_000).ToListAsync(cancellationToken);
        var ends = Pair(walk);
        var rowOf = await RowsAsync(actor, cancellationToken);
        var rows = pageRows.Select(l => new LoginHistoryRow(rowOf(l), ends.TryGetValue(l.Id, out var e) ? rowOf(e) : null)).ToList();
        return OpResult<LoginHistoryPage>.Success(new LoginHistoryPage(rows, total, page, PageSize));
    }

    /// <summary>Login row id → the row that ended its session.</summary>
    public static Dictionary<long, AuditEntry> Pair(IEnumerable<AuditEntry> rowsInChainOrder)
    {
        ArgumentNullException.ThrowIfNull(rowsInChainOrder);
        var open = new Dictionary<string, List<AuditEntry>>(StringComparer.Ordinal);
        var ends = new Dictionary<long, AuditEntry>();
        foreach (var row in rowsInChainOrder)
        {
            if (!open.TryGetValue(row.Actor, out var list))
            {
                open[row.Actor] = list = [];
            }

            if (row.Action == AuditActions.Login)
            {
                list.Add(row);
                continue;
            }

            var match = list.FirstOrDefault(l => l.ClientAddress == row.ClientAddress) ?? list.FirstOrDefault();
            if (match is not null)
            {
                list.Remove(match);
                ends[match.Id] = row;
            }
        }

        return ends;
    }

    private async Task<bool> PermittedAsync(ActorContext actor, CancellationToken cancellationToken)
    {
        if (PermissionMatrix.Allows(actor.Principal.Kind, OqsCapability.AuditLog))
        {
            return true;
        }

        audit.Record(actor.Audit(AuditActions.AccessDenied, AuditOutcomes.Denied, AuditDetails.AuditLogTarget, AuditDetails.NotPermitted));
        await audit.CommitAsync(cancellationToken);
        return false;
    }

    /// <summary>
    /// How a stored row becomes the institution's row (<see cref="AuditRow.ForInstitution"/>), with the 端末名 of its
    /// certificate when it is one of this institution's terminals: the clinic knows its terminals by name, not by serial.
    /// An institution has a handful of terminals, so all their names are read once per page or export.
    /// </summary>
    private async Task<Func<AuditEntry, AuditRow>> RowsAsync(ActorContext actor, CancellationToken cancellationToken)
    {
        var institutionId = actor.Principal.InstitutionId;
        var names = (await db.TerminalCertificates.AsNoTracking().Where(c => c.InstitutionId == institutionId)
                .Select(c => new { c.SerialNumber, c.TerminalName }).ToListAsync(cancellationToken))
            .GroupBy(c => c.SerialNumber, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First().TerminalName, StringComparer.OrdinalIgnoreCase);
        return e =>
        {
            var row = AuditRow.ForInstitution(e);
            return row.CertificateSerial.Length > 0 && names.TryGetValue(row.CertificateSerial, out var name) ? row with { TerminalName = name } : row;
        };
    }

    private IQueryable<AuditEntry> Visible(ActorContext actor)
    {
        var p = actor.Principal;
        var wide = InstitutionWideActions.ToList();
        return db.AuditEntries.AsNoTracking().Where(a => a.InstitutionId == p.InstitutionId
            && (a.Environment == p.Environment || (a.Environment == null && wide.Contains(a.Action))));
    }

    private async Task<IQueryable<AuditEntry>> FilteredAsync(ActorContext actor, AuditCriteria criteria, CancellationToken cancellationToken)
    {
        var query = Visible(actor);
        if (criteria.StartUtc is { } start)
        {
            query = query.Where(a => a.OccurredAt >= start);
        }

        if (criteria.EndUtc is { } end)
        {
            query = query.Where(a => a.OccurredAt < end);
        }

        if (criteria.Actor.Length > 0)
        {
            var id = await CanonicalUserIdAsync(actor, criteria.Actor, cancellationToken);
            query = query.Where(a => a.Actor == id || a.Target == id);
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

    /// <summary>The user ID as registered in this institution (IDs are matched case-insensitively), else as typed.</summary>
    private async Task<string> CanonicalUserIdAsync(ActorContext actor, string typed, CancellationToken cancellationToken)
    {
        var p = actor.Principal;
        var normalized = typed.ToUpperInvariant();
        return await db.Accounts.AsNoTracking()
            .Where(a => a.InstitutionId == p.InstitutionId && a.Environment == p.Environment && a.NormalizedUserId == normalized)
            .Select(a => a.UserId).FirstOrDefaultAsync(cancellationToken) ?? typed;
    }

}
