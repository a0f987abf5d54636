using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Applications;
using Onshi.Core.Features.Operators;
using Onshi.Operator.Hosting;

namespace Onshi.Operator.Pages.Review;

/// <summary>How a decided application was decided, for the review pages' 「審査結果」 block.</summary>
public sealed record ReviewDecision(ReviewStatus Status, DateTime? DecidedAt, string? DecidedBy, string? SendBackReason)
{
    public string StatusLabel => ApplicationLabels.Status(Status);

    /// <summary>The operator's user ID without the audit prefix.</summary>
    public string DecidedByLabel => DecidedBy is { } d && d.StartsWith(OperatorAudit.ActorPrefix, StringComparison.Ordinal)
        ? d[OperatorAudit.ActorPrefix.Length..]
        : DecidedBy ?? "";
}

/// <summary>The 差戻し reason and the 交付決定額 typed in a confirmation dialog.</summary>
public sealed class ReviewInput
{
    /// <summary>差戻し理由.</summary>
    public string? Reason { get; set; }

    /// <summary>交付決定額 as typed (parsed by <see cref="ReviewPages.ParseYen"/>).</summary>
    public string? GrantedAmount { get; set; }
}

/// <summary>
/// What the review pages share: the operator as the actor of the application services (<c>op:</c> + user ID, like every
/// operator row of the 操作ログ), the confirmation step asked for, and the read-only look-ups the services do not offer
/// (the applicants' e-mail addresses). The decisions' rules stay in the services.
/// </summary>
public static class ReviewPages
{
    public const string Approve = "approve";
    public const string SendBack = "sendback";

    /// <summary>The actor the application services record: <c>op:</c> + the operator's user ID.</summary>
    public static string ReviewActor(this HttpContext context) => OperatorAudit.Actor(context.Operator().UserId);

    /// <summary>The confirmation dialog asked for in the query (<c>?confirm=approve|sendback</c>), if any.</summary>
    public static string? Confirmation(string? value) => value is Approve or SendBack ? value : null;

    /// <summary>The e-mail addresses of the given portal users (those that still exist).</summary>
    public static async Task<IReadOnlyDictionary<long, string>> EmailsAsync(OnshiDbContext db, IEnumerable<long> portalUserIds,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var ids = portalUserIds.Distinct().ToList();
        if (ids.Count == 0)
        {
            return new Dictionary<long, string>();
        }

        return await db.PortalUsers.AsNoTracking().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Email, cancellationToken);
    }

    /// <summary>
    /// A yen amount as typed: full-width digits, separators and a trailing 円 are accepted. Null (with the service's own
    /// message) when empty or not a whole number; the service checks the range.
    /// </summary>
    public static long? ParseYen(string? value, string field, string label, out OnshiError? error)
    {
        var s = (value ?? "").Normalize(NormalizationForm.FormKC).Trim().Replace(",", "", StringComparison.Ordinal);
        if (s.EndsWith('円'))
        {
            s = s[..^1].TrimEnd();
        }

        if (s.Length == 0)
        {
            error = ApplicationErrors.AmountRequired(field, label);
            return null;
        }

        if (s.Length > 15 || !s.All(char.IsAsciiDigit) || !long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            error = ApplicationErrors.AmountPositive(field, label);
            return null;
        }

        error = null;
        return amount;
    }
}
