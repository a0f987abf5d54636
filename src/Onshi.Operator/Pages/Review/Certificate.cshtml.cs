using Microsoft.AspNetCore.Mvc;
using Onshi.Core.Data;
using Onshi.Core.Features.Applications;

namespace Onshi.Operator.Pages.Review;

/// <summary>One 電子証明書発行申請: 「承認」 issues the certificate (held encrypted for the applicant's one download), 「差戻し」.</summary>
public sealed class CertificateModel(CertificateApplicationService applications) : ReviewPageModel<CertificateApplicationReview>(
    "Certificate", applications.GetForReviewAsync, applications.SendBackAsync,
    "差し戻しました。差戻し理由は申請者のポータルサイトの申請照会に表示されます。")
{
    public override bool Pending => Application?.Status == ReviewStatus.Pending;

    public async Task<IActionResult> OnPostApproveAsync(long id) =>
        await DecidedAsync(id, await applications.ApproveAsync(Actor, id, HttpContext.RequestAborted),
            "承認し、電子証明書を発行しました。申請者はポータルサイトの申請照会から証明書ファイルとパスワードを一度だけダウンロードできます。", null);
}
