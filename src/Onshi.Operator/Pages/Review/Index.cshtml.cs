using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Onshi.Core.Data;
using Onshi.Core.Features.Applications;
using Onshi.Operator.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Operator.Pages.Review;

/// <summary>
/// 審査: the pending 利用開始・変更申請, 電子証明書発行申請 and 補助金申請, oldest first, filtered by kind, each with its 受付番号;
/// 「受付番号で検索」 opens the review page of the application a 受付番号 names (in any state).
/// </summary>
public sealed class ReviewIndexModel(ApplicationReviewService reviews, OnshiDbContext db) : PageModel
{
    /// <summary>The kinds in the order of the tabs, with their query value and heading.</summary>
    public static readonly IReadOnlyList<(ReviewQueueKind Kind, string Value, string Label)> Kinds =
    [
        (ReviewQueueKind.Usage, "usage", "利用開始・変更申請"),
        (ReviewQueueKind.Certificate, "certificate", "電子証明書発行申請"),
        (ReviewQueueKind.Subsidy, "subsidy", "補助金申請"),
    ];

    /// <summary>The kind shown; <see cref="ReviewQueueKind.All"/> shows the three sections.</summary>
    public ReviewQueueKind Kind { get; private set; }

    public IReadOnlyList<ReviewQueueItem> Items { get; private set; } = [];

    public IReadOnlyDictionary<long, string> Emails { get; private set; } = new Dictionary<long, string>();

    /// <summary>新規 / 変更 of the pending 利用開始・変更申請.</summary>
    public IReadOnlyDictionary<long, ApplicationKind> UsageKinds { get; private set; } = new Dictionary<long, ApplicationKind>();

    /// <summary>The 受付番号 searched for, as typed (shown again with its error).</summary>
    public string? ReceiptNumber { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? kind, string? receipt)
    {
        Kind = Kinds.FirstOrDefault(k => k.Value == kind).Kind;
        var ct = HttpContext.RequestAborted;
        // Nothing is searched until 「検索」 is pressed; an empty box then gets its message.
        if (Request.Query.ContainsKey("receipt"))
        {
            ReceiptNumber = receipt;
            var found = await reviews.FindByReceiptNumberAsync(HttpContext.OperatorActor(), receipt, ct);
            if (found.Succeeded)
            {
                return Redirect(Path(found.Value!.Kind, found.Value.Id));
            }

            // Under "Input.": the query parameter "receipt" owns the bare key.
            ModelState.AddOnshiErrors(found.Errors);
        }

        await ListAsync(ct);
        return Page();
    }

    private async Task ListAsync(CancellationToken ct)
    {
        // Every kind is read for the tabs' counts; the queues are short (pending items only).
        var result = await reviews.ListPendingAsync(HttpContext.OperatorActor(), ReviewQueueKind.All, ct);
        if (!result.Succeeded)
        {
            ModelState.AddOnshiErrors(result.Errors);
            return;
        }

        Items = result.Value!;
        Emails = await ReviewPages.EmailsAsync(db, Items.Select(i => i.PortalUserId), ct);
        var usageIds = Items.Where(i => i.Kind == ReviewQueueKind.Usage).Select(i => i.Id).ToList();
        UsageKinds = usageIds.Count == 0
            ? new Dictionary<long, ApplicationKind>()
            : await db.UsageApplications.AsNoTracking().Where(a => usageIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.Kind, ct);
    }

    public IReadOnlyList<ReviewQueueItem> Of(ReviewQueueKind kind) => [.. Items.Where(i => i.Kind == kind)];

    public static string Path(ReviewQueueItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return Path(item.Kind, item.Id);
    }

    public static string Path(ReviewQueueKind kind, long id) => kind switch
    {
        ReviewQueueKind.Usage => $"/Review/Usage/{id}",
        ReviewQueueKind.Certificate => $"/Review/Certificate/{id}",
        _ => $"/Review/Subsidy/{id}",
    };
}
