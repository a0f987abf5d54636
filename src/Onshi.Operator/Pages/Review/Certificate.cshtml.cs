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

    /// <summary>再発行: revokes the certificate and issues a new one for the same application (no new review), audited.</summary>
    public async Task<IActionResult> OnPostReissueAsync(long id) =>
        await DecidedAsync(id, await applications.ReissueAsync(Actor, id, HttpContext.RequestAborted),
            "電子証明書を再発行しました。以前の証明書は失効しました。申請者はポータルサイトの申請照会から新しい証明書ファイルとパスワードを一度だけダウンロードできます。", ReviewPages.Reissue);

    public async Task<IActionResult> OnPostApproveAsync(long id) =>
        await DecidedAsync(id, await applications.ApproveAsync(Actor, id, HttpContext.RequestAborted),
            "承認し、電子証明書を発行しました。申請者はポータルサイトの申請照会から証明書ファイルとパスワードを一度だけダウンロードできます。", null);
}
