using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Onshi.Core.Data;
using Onshi.Core.Features.Applications;

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
public sealed class UsageModel(ApplicationReviewService reviews, OnshiDbContext db) : ReviewPageModel<UsageApplicationReview>(
    "Usage", reviews.GetUsageAsync, reviews.SendBackUsageAsync,
    "差し戻しました。差戻し理由は申請者のポータルサイトの申請一覧に表示されます。")
{
    public IReadOnlyList<ProvisionedEnvironment> Provisioned { get; private set; } = [];

    public IReadOnlyList<PostedDocument> Documents { get; private set; } = [];

    public override bool Pending => Application?.Application.Status == ReviewStatus.Pending;

    public async Task<IActionResult> OnPostApproveAsync(long id) =>
        await DecidedAsync(id, await reviews.ApproveUsageAsync(Actor, id, HttpContext.RequestAborted), "承認しました。", null);

    protected override async Task ShowAsync(long id, UsageApplicationReview application, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(application);
        var a = application.Application;
        if (a.Status == ReviewStatus.Approved && a.InstitutionId is { } institutionId)
        {
            var accounts = await db.Accounts.AsNoTracking()
                .Where(x => x.InstitutionId == institutionId && (x.Kind == AccountKind.Master || x.Kind == AccountKind.MasterReset))
                .Select(x => new { x.Environment, x.Kind, x.UserId })
                .ToListAsync(cancellationToken);
            Provisioned = [.. accounts.Select(x => x.Environment).Distinct().Order().Select(e => new ProvisionedEnvironment(e,
                accounts.FirstOrDefault(x => x.Environment == e && x.Kind == AccountKind.Master)?.UserId,
                accounts.FirstOrDefault(x => x.Environment == e && x.Kind == AccountKind.MasterReset)?.UserId))];
            var documents = await db.PortalDocuments.AsNoTracking()
                .Where(d => d.UsageApplicationId == id)
                .Select(d => new PostedDocument(d.Environment, d.FileName, d.ImportedOn))
                .ToListAsync(cancellationToken);
            Documents = [.. documents.OrderBy(d => d.Environment)];
        }
    }
}
