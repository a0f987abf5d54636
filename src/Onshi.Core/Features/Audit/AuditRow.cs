using Microsoft.EntityFrameworkCore;
using Onshi.Core.Data;
using Onshi.Core.Features.Accounts;
using Onshi.Core.Features.Operators;

namespace Onshi.Core.Features.Audit;

/// <summary>One 操作ログ row as a screen or the CSV shows it (codes kept; the labels are computed).</summary>
public sealed record AuditRow(long Id, DateTime OccurredAt, string InstitutionCode, OqsEnvironment? Environment, string Actor,
    AccountKind? ActorKind, string Action, string Target, string Outcome, string Detail, string CertificateSerial, string ClientAddress)
{
    public string ActionLabel => AuditLabels.Action(Action);

    /// <summary>The 対象 in words where it is one of our codes (<see cref="AuditLabels.Target"/>).</summary>
    public string TargetLabel => AuditLabels.Target(Action, Target);

    /// <summary>The 端末名 of the row's certificate, when it is one of the institution's terminals (set by the institution's query).</summary>
    public string TerminalName { get; init; } = "";

    /// <summary>What the clinic sees for the terminal: its 端末名, else the certificate's serial number.</summary>
    public string Terminal => TerminalName.Length > 0 ? TerminalName : CertificateSerial;

    public string OutcomeLabel => AuditLabels.Outcome(Outcome);

    public string DetailLabel => AuditLabels.Detail(Detail);

    public string ActorKindLabel => ActorKind is { } k ? AccountKinds.Label(k) : "";

    public string EnvironmentLabel => Environment switch
    {
        OqsEnvironment.Production => "本番",
        OqsEnvironment.Verification => "接続確認",
        _ => "",
    };

    /// <summary>The row exactly as stored (the console's view).</summary>
    public static AuditRow Of(AuditEntry e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new AuditRow(e.Id, e.OccurredAt, e.InstitutionCode, e.Environment, e.Actor, e.ActorKind, e.Action, e.Target, e.Outcome,
            e.Detail, e.CertificateSerial, e.ClientAddress);
    }

    /// <summary>
    /// The row as an institution's master or admin sees it: the operators' user IDs and workstation addresses, and the
    /// certificate and address of another institution's terminal, are not shown; internal actors are named in words.
    /// </summary>
    public static AuditRow ForInstitution(AuditEntry e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var row = Of(e);
        if (e.Actor.StartsWith(OperatorAudit.ActorPrefix, StringComparison.Ordinal))
        {
            return row with { Actor = "運用者", ClientAddress = "" };
        }

        return e.Actor switch
        {
            InstitutionActors.OtherInstitutionTerminal => row with { Actor = "他の医療機関等の端末", CertificateSerial = "", ClientAddress = "" },
            "system" => row with { Actor = "システム" },
            "cli" => row with { Actor = "システム管理者", ClientAddress = "" },
            "anonymous" => row with { Actor = "（ログイン前）" },
            "(unknown)" => row with { Actor = "（登録されていないユーザID）" },
            _ when e.Actor.StartsWith("portal:", StringComparison.Ordinal) => row with { Actor = "ポータル利用者", ClientAddress = "" },
            _ => row,
        };
    }
}

/// <summary>Actor values of rows written for an institution by something other than one of its accounts.</summary>
public static class InstitutionActors
{
    /// <summary>A login with this institution's user ID from another institution's terminal (see <c>LoginService</c>).</summary>
    public const string OtherInstitutionTerminal = "other-institution-terminal";
}

/// <summary>How both 操作ログ screens read the audit table: newest first, a page at a time.</summary>
internal static class AuditPaging
{
    /// <summary>Newest first; the id breaks ties (a session end may be written late with an earlier time).</summary>
    public static IOrderedQueryable<AuditEntry> Newest(this IQueryable<AuditEntry> query) =>
        query.OrderByDescending(a => a.OccurredAt).ThenByDescending(a => a.Id);

    /// <summary>The total of <paramref name="query"/>, the page clamped to 1..last, and that page's rows, newest first.</summary>
    public static async Task<(int Total, int Page, List<AuditEntry> Rows)> PageAsync(this IQueryable<AuditEntry> query, int page,
        int pageSize, CancellationToken cancellationToken)
    {
        var total = await query.CountAsync(cancellationToken);
        page = Math.Clamp(page, 1, Math.Max(1, (total + pageSize - 1) / pageSize));
        var rows = await query.Newest().Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        return (total, page, rows);
    }
}

/// <summary>One page of rows, newest first.</summary>
public sealed record AuditRowPage(IReadOnlyList<AuditRow> Rows, int Total, int Page, int PageSize)
{
    public int PageCount => Math.Max(1, (Total + PageSize - 1) / PageSize);

    public int First => Total == 0 ? 0 : ((Page - 1) * PageSize) + 1;

    public int Last => ((Page - 1) * PageSize) + Rows.Count;
}

/// <summary>A CSV export about to be streamed: its rows are read from the database as they are written.</summary>
/// <param name="FileName">The Japanese file name, e.g. <c>操作ログ_1310000059_20261124.csv</c>.</param>
/// <param name="AsciiFileName">The fallback for clients without RFC 5987, e.g. <c>audit_1310000059_20261124.csv</c>.</param>
/// <param name="Count">Rows that will be written (at most <see cref="AuditCsv.MaxRows"/>).</param>
/// <param name="Total">Rows matching the filter.</param>
/// <param name="Rows">The rows, read from the database while they are written (enumerate once).</param>
public sealed record AuditExport(string FileName, string AsciiFileName, int Count, int Total, IAsyncEnumerable<AuditRow> Rows)
{
    public bool Capped => Total > Count;
}
