using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Onshi.Core.Data;
using Onshi.Core.Features.Applications;
using Onshi.Web.Hosting;

namespace Onshi.Operator.Pages.Review;

/// <summary>The master and reset user IDs of one environment of an approved institution.</summary>
public sealed record ProvisionedEnvironment(OqsEnvironment Environment, string? MasterUserId, string? ResetUserId);

/// <summary>A portal document an approval posted (its name and 決定通知書取込日; never its content).</summary>
public sealed record PostedDocument(OqsEnvironment? Environment, string FileName, DateOnly ImportedOn);

/// <summary>
/// One 利用開始・変更申請: the applicant's data (the 秘密の番号 only as 「設定あり」), 「承認」 and 「差戻し」 each behind a
/// confirmation, and, once decided, the decision; for an approval, the institution, the accounts per environment and the
/// documents posted to the portal.
/// </summary>
public sealed class UsageModel(ApplicationReviewService reviews, OnshiDbContext db) : PageModel
{
    public UsageApplicationReview? Review { get; private set; }

    /// <summary><see cref="ReviewPages.Approve"/> or <see cref="ReviewPages.SendBack"/> while a confirmation is shown.</summary>
    public string? Confirm { get; private set; }

    public IReadOnlyList<ProvisionedEnvironment> Provisioned { get; private set; } = [];

    public IReadOnlyList<PostedDocument> Documents { get; private set; } = [];

    [BindProperty]
    public ReviewInput Input { get; set; } = new();

    [TempData]
    public string? Done { get; set; }

    public bool Pending => Review?.Application.Status == ReviewStatus.Pending;

    public async Task<IActionResult> OnGetAsync(long id, string? confirm)
    {
        if (!await LoadAsync(id))
        {
            return NotFound();
        }

        Confirm = Pending ? ReviewPages.Confirmation(confirm) : null;
        return Page();
    }

    public async Task<IActionResult> OnPostApproveAsync(long id)
    {
        var result = await reviews.ApproveUsageAsync(id, HttpContext.ReviewActor(), HttpContext.RequestAborted);
        if (result.Succeeded)
        {
            Done = "承認しました。";
            return Redirect($"/Review/Usage/{id}");
        }

        return await FailedAsync(id, result.Errors, null);
    }

    public async Task<IActionResult> OnPostSendBackAsync(long id)
    {
        var result = await reviews.SendBackUsageAsync(id, HttpContext.ReviewActor(), Input.Reason, HttpContext.RequestAborted);
        if (result.Succeeded)
        {
            Done = "差し戻しました。差戻し理由は申請者のポータルサイトの申請一覧に表示されます。";
            return Redirect($"/Review/Usage/{id}");
        }

        return await FailedAsync(id, result.Errors, ReviewPages.SendBack);
    }

    private async Task<IActionResult> FailedAsync(long id, IEnumerable<Core.Common.OnshiError> errors, string? confirm)
    {
        if (!await LoadAsync(id))
        {
            return NotFound();
        }

        ModelState.Clear();
        ModelState.AddOnshiErrors(errors);
        // A refused reason shows the dialog again with what was typed; a decided application shows no dialog.
        Confirm = Pending ? confirm : null;
        ViewData["Reason"] = Input.Reason;
        return Page();
    }

    private async Task<bool> LoadAsync(long id)
    {
        var ct = HttpContext.RequestAborted;
        var result = await reviews.GetUsageAsync(id, ct);
        if (!result.Succeeded)
        {
            return false;
        }

        Review = result.Value!;
        var a = Review.Application;
        if (a.Status == ReviewStatus.Approved && a.InstitutionId is { } institutionId)
        {
            var accounts = await db.Accounts.AsNoTracking()
                .Where(x => x.InstitutionId == institutionId && (x.Kind == AccountKind.Master || x.Kind == AccountKind.MasterReset))
                .Select(x => new { x.Environment, x.Kind, x.UserId })
                .ToListAsync(ct);
            Provisioned = [.. accounts.Select(x => x.Environment).Distinct().Order().Select(e => new ProvisionedEnvironment(e,
                accounts.FirstOrDefault(x => x.Environment == e && x.Kind == AccountKind.Master)?.UserId,
                accounts.FirstOrDefault(x => x.Environment == e && x.Kind == AccountKind.MasterReset)?.UserId))];
            var documents = await db.PortalDocuments.AsNoTracking()
                .Where(d => d.UsageApplicationId == id)
                .Select(d => new PostedDocument(d.Environment, d.FileName, d.ImportedOn))
                .ToListAsync(ct);
            Documents = [.. documents.OrderBy(d => d.Environment)];
        }

        return true;
    }
}
