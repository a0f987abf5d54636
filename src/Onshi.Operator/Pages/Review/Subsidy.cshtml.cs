using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Onshi.Core.Data;
using Onshi.Core.Features.Applications;
using Onshi.Web.Hosting;

namespace Onshi.Operator.Pages.Review;

/// <summary>
/// One 補助金申請: amounts, 事業内容, the receipt (downloaded as an attachment, audited by the service), 「承認」 with the
/// 交付決定額 (posts the 交付決定通知書 to the portal) and 「差戻し」, each behind a confirmation.
/// </summary>
public sealed class SubsidyModel(SubsidyService subsidies, OnshiDbContext db) : PageModel
{
    public SubsidyRow? Application { get; private set; }

    public string ApplicantEmail { get; private set; } = "";

    public string? DecidedBy { get; private set; }

    public string? Confirm { get; private set; }

    [BindProperty]
    public ReviewInput Input { get; set; } = new();

    [TempData]
    public string? Done { get; set; }

    public bool Pending => Application?.Status == ReviewStatus.Pending;

    public async Task<IActionResult> OnGetAsync(long id, string? confirm)
    {
        if (!await LoadAsync(id))
        {
            return NotFound();
        }

        Confirm = Pending ? ReviewPages.Confirmation(confirm) : null;
        return Page();
    }

    /// <summary>The receipt as a download (<c>Content-Disposition: attachment</c>, its checked content type).</summary>
    public async Task<IActionResult> OnGetReceiptAsync(long id)
    {
        var result = await subsidies.GetReceiptForReviewAsync(id, HttpContext.ReviewActor(), HttpContext.RequestAborted);
        if (!result.Succeeded)
        {
            return NotFound();
        }

        var file = result.Value!;
        return File(file.Content, file.ContentType, file.FileName);
    }

    public async Task<IActionResult> OnPostApproveAsync(long id)
    {
        var amount = ReviewPages.ParseYen(Input.GrantedAmount, "GrantedAmount", "交付決定額", out var error);
        if (amount is null)
        {
            return await FailedAsync(id, [error!], ReviewPages.Approve);
        }

        var result = await subsidies.ApproveAsync(id, HttpContext.ReviewActor(), amount.Value, HttpContext.RequestAborted);
        if (result.Succeeded)
        {
            Done = $"承認しました（交付決定額 {ApplicationLabels.Yen(amount.Value)}）。交付決定通知書を申請者のポータルサイトに掲載しました。";
            return Redirect($"/Review/Subsidy/{id}");
        }

        return await FailedAsync(id, result.Errors, ReviewPages.Approve);
    }

    public async Task<IActionResult> OnPostSendBackAsync(long id)
    {
        var result = await subsidies.SendBackAsync(id, HttpContext.ReviewActor(), Input.Reason, HttpContext.RequestAborted);
        if (result.Succeeded)
        {
            Done = "差し戻しました。差戻し理由は申請者のポータルサイトの補助金申請の一覧に表示されます。";
            return Redirect($"/Review/Subsidy/{id}");
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
        Confirm = Pending ? confirm : null;
        ViewData["Reason"] = Input.Reason;
        return Page();
    }

    private async Task<bool> LoadAsync(long id)
    {
        var ct = HttpContext.RequestAborted;
        var result = await subsidies.GetForReviewAsync(id, ct);
        if (!result.Succeeded)
        {
            return false;
        }

        Application = result.Value!;
        var who = await db.SubsidyApplications.AsNoTracking().Where(a => a.Id == id)
            .Select(a => new { a.PortalUserId, a.DecidedBy }).FirstAsync(ct);
        DecidedBy = who.DecidedBy;
        var emails = await ReviewPages.EmailsAsync(db, [who.PortalUserId], ct);
        ApplicantEmail = emails.TryGetValue(who.PortalUserId, out var email) ? email : "";
        return true;
    }
}
