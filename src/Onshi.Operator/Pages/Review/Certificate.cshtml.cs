using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Onshi.Core.Data;
using Onshi.Core.Features.Applications;
using Onshi.Web.Hosting;

namespace Onshi.Operator.Pages.Review;

/// <summary>
/// A 電子証明書発行申請 as the reviewer sees it: never the PKCS#12 or its passphrase, only whether the one download is still
/// waiting.
/// </summary>
public sealed record CertificateReview(
    long Id,
    string InstitutionCode,
    string InstitutionName,
    string TerminalName,
    ReviewStatus Status,
    DateTime SubmittedAt,
    DateTime? DecidedAt,
    string? DecidedBy,
    string? SendBackReason,
    string ApplicantEmail,
    bool DownloadWaiting,
    DateTime? DownloadedAt,
    string? SerialNumber,
    DateTime? NotAfter,
    int ActiveCertificatesOfTerminal);

/// <summary>One 電子証明書発行申請: 「承認」 issues the certificate (held encrypted for the applicant's one download), 「差戻し」.</summary>
public sealed class CertificateModel(CertificateApplicationService applications, OnshiDbContext db, TimeProvider time) : PageModel
{
    public CertificateReview? Application { get; private set; }

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

    public async Task<IActionResult> OnPostApproveAsync(long id)
    {
        var result = await applications.ApproveAsync(id, HttpContext.ReviewActor(), HttpContext.RequestAborted);
        if (result.Succeeded)
        {
            Done = "承認し、電子証明書を発行しました。申請者はポータルサイトの申請照会から証明書ファイルとパスワードを一度だけダウンロードできます。";
            return Redirect($"/Review/Certificate/{id}");
        }

        return await FailedAsync(id, result.Errors, null);
    }

    public async Task<IActionResult> OnPostSendBackAsync(long id)
    {
        var result = await applications.SendBackAsync(id, HttpContext.ReviewActor(), Input.Reason, HttpContext.RequestAborted);
        if (result.Succeeded)
        {
            Done = "差し戻しました。差戻し理由は申請者のポータルサイトの申請照会に表示されます。";
            return Redirect($"/Review/Certificate/{id}");
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
        var a = await (from x in db.CertificateApplications.AsNoTracking()
                       where x.Id == id
                       join i in db.Institutions.AsNoTracking() on x.InstitutionId equals i.Id
                       join c in db.TerminalCertificates.AsNoTracking() on x.TerminalCertificateId equals c.Id into issued
                       from c in issued.DefaultIfEmpty()
                       select new
                       {
                           x.Id,
                           i.Code,
                           i.Name,
                           x.TerminalName,
                           x.Status,
                           x.SubmittedAt,
                           x.DecidedAt,
                           x.DecidedBy,
                           x.SendBackReason,
                           x.PortalUserId,
                           x.InstitutionId,
                           Waiting = x.ProtectedPkcs12 != null,
                           x.DownloadedAt,
                           Serial = c == null ? null : c.SerialNumber,
                           NotAfter = c == null ? null : (DateTime?)c.NotAfter,
                       }).FirstOrDefaultAsync(ct);
        if (a is null)
        {
            return false;
        }

        var emails = await ReviewPages.EmailsAsync(db, [a.PortalUserId], ct);
        var now = time.GetUtcNow().UtcDateTime;
        // Names compare case-insensitively, as the certificate service does; an institution has few certificates.
        var active = (await db.TerminalCertificates.AsNoTracking()
                .Where(c => c.InstitutionId == a.InstitutionId && c.RevokedAt == null && c.NotAfter > now)
                .Select(c => c.TerminalName).ToListAsync(ct))
            .Count(n => string.Equals(n, a.TerminalName, StringComparison.OrdinalIgnoreCase));
        Application = new CertificateReview(a.Id, a.Code, a.Name, a.TerminalName, a.Status, a.SubmittedAt, a.DecidedAt, a.DecidedBy,
            a.SendBackReason, emails.TryGetValue(a.PortalUserId, out var email) ? email : "", a.Waiting, a.DownloadedAt, a.Serial, a.NotAfter, active);
        return true;
    }
}
