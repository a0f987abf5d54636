using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc;
using Onshi.Core.Features.Applications;
using Onshi.Web.Hosting;

namespace Onshi.Portal.Pages.OnlineEligibility.Certificates;

/// <summary>An institution of the user with its 申請照会 rows.</summary>
public sealed record CertificateInstitution(PortalInstitution Institution, IReadOnlyList<CertificateApplicationRow> Rows);

/// <summary>電子証明書発行申請 with 申請照会: apply for a terminal's certificate; take an issued one (once).</summary>
public sealed class IndexModel(
    UsageApplicationService applications,
    CertificateApplicationService certificates,
    IDataProtectionProvider protection,
    TimeProvider time) : PortalPageModel
{
    [BindProperty]
    public CertificateApplicationForm Input { get; set; } = new();

    /// <summary>The token of the result screen (read there once).</summary>
    [TempData]
    public string? CertificateToken { get; set; }

    public IReadOnlyList<CertificateInstitution> Institutions { get; private set; } = [];

    public async Task OnGetAsync()
    {
        await LoadAsync();
        Input.InstitutionId = Institutions.Count > 0 ? Institutions[0].Institution.Id : null;
    }

    public async Task<IActionResult> OnPostAsync()
    {
        ModelState.Clear();
        if (Input.InstitutionId is not { } institutionId)
        {
            ModelState.AddModelError("Input.InstitutionId", "医療機関等を選択してください。");
            await LoadAsync();
            return Page();
        }

        var result = await certificates.SubmitAsync(UserId, institutionId, Input.TerminalName, Aborted);
        if (!result.Succeeded)
        {
            ModelState.AddOnshiErrors(result.Errors);
            await LoadAsync();
            return Page();
        }

        Notice = "電子証明書発行申請を受け付けました。審査結果は申請照会でご確認ください。";
        return Redirect("/OnlineEligibility/Certificates");
    }

    /// <summary>「ダウンロード」: takes the file and passphrase (once) and hands them to the result screen.</summary>
    public async Task<IActionResult> OnPostDownloadAsync(long applicationId)
    {
        ModelState.Clear();
        var download = await certificates.DownloadOnceAsync(UserId, applicationId, Aborted);
        if (!download.Succeeded)
        {
            ModelState.AddOnshiErrors(download.Errors);
            await LoadAsync();
            return Page();
        }

        CertificateToken = new CertificateDownloadTokens(protection, time).Protect(Principal.SessionId, UserId, applicationId, download.Value!);
        return Redirect("/OnlineEligibility/Certificates/Issued");
    }

    private async Task LoadAsync()
    {
        var list = new List<CertificateInstitution>();
        foreach (var institution in await applications.ListMyInstitutionsAsync(UserId, Aborted))
        {
            var rows = await certificates.ListAsync(UserId, institution.Id, Aborted);
            if (rows.Succeeded)
            {
                list.Add(new CertificateInstitution(institution, rows.Value!));
            }
        }

        Institutions = list;
    }
}

/// <summary>The 電子証明書発行申請 form.</summary>
public sealed class CertificateApplicationForm
{
    public long? InstitutionId { get; set; }

    [CodeInput]

    public string? TerminalName { get; set; }
}
