using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Onshi.Core.Data;
using Onshi.Core.Features.Applications;

namespace Onshi.Operator.Pages.Review;

/// <summary>
/// One 補助金申請: amounts, 事業内容, the receipt (downloaded as an attachment, audited by the service), 「承認」 with the
/// 交付決定額 (posts the 交付決定通知書 to the portal) and 「差戻し」, each behind a confirmation.
/// </summary>
public sealed class SubsidyModel(SubsidyService subsidies, OnshiDbContext db) : ReviewPageModel<SubsidyRow>(
    "Subsidy", subsidies.GetForReviewAsync, subsidies.SendBackAsync,
    "差し戻しました。差戻し理由は申請者のポータルサイトの補助金申請の一覧に表示されます。")
{
    public string ApplicantEmail { get; private set; } = "";

    public string? DecidedBy { get; private set; }

    public override bool Pending => Application?.Status == ReviewStatus.Pending;

    /// <summary>The receipt as a download (<c>Content-Disposition: attachment</c>, its checked content type).</summary>
    public async Task<IActionResult> OnGetReceiptAsync(long id)
    {
        var result = await subsidies.GetReceiptForReviewAsync(Actor, id, HttpContext.RequestAborted);
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

        return await DecidedAsync(id, await subsidies.ApproveAsync(Actor, id, amount.Value, HttpContext.RequestAborted),
            $"承認しました（交付決定額 {ApplicationLabels.Yen(amount.Value)}）。交付決定通知書を申請者のポータルサイトに掲載しました。", ReviewPages.Approve);
    }

    protected override async Task ShowAsync(long id, SubsidyRow application, CancellationToken cancellationToken)
    {
        var who = await db.SubsidyApplications.AsNoTracking().Where(a => a.Id == id)
            .Select(a => new { a.PortalUserId, a.DecidedBy }).FirstAsync(cancellationToken);
        DecidedBy = who.DecidedBy;
        var emails = await ReviewPages.EmailsAsync(db, [who.PortalUserId], cancellationToken);
        ApplicantEmail = emails.TryGetValue(who.PortalUserId, out var email) ? email : "";
    }
}
