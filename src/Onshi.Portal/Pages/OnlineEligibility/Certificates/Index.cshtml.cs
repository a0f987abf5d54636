using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc;
using Onshi.Core.Common;
using Onshi.Core.Data;
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
    TimeProvider time,
    ConfirmDrafts drafts,
    PortalSubmissions submissions) : ConfirmPageModel<CertificateApplicationForm>(drafts, submissions)
{
    /// <summary>The token of the result screen (read there once).</summary>
    [TempData]
    public string? CertificateToken { get; set; }

    public IReadOnlyList<CertificateInstitution> Institutions { get; private set; } = [];

    protected override PortalSubmissionKind Kind => PortalSubmissionKind.Certificate;

    public override bool HasSecretNumber => false;

    protected override string Purpose => "certificate";

    public async Task OnGetAsync()
    {
        await LoadAsync();
        Input.InstitutionId = Institutions.Count > 0 ? Institutions[0].Institution.Id : null;
    }

    protected override async Task<OpResult> CheckAsync(CertificateApplicationForm form) =>
        form.InstitutionId is { } id
            ? await certificates.CheckAsync(UserId, id, form.TerminalName, Aborted)
            : OpResult.Fail(new OnshiError("InstitutionRequired", "医療機関等を選択してください。", "InstitutionId"));

    protected override Task<OpResult<long>> SubmitAsync(CertificateApplicationForm form, string nonce) =>
        certificates.SubmitAsync(UserId, form.InstitutionId ?? 0, form.TerminalName, nonce, Aborted);

    protected override IReadOnlyList<ConfirmRow> Describe(CertificateApplicationForm form)
    {
        var institution = Institutions.Select(i => i.Institution).FirstOrDefault(i => i.Id == form.InstitutionId);
        return
        [
            new("医療機関等", institution is null ? "" : institution.Code + " " + institution.Name),
            new("端末名", form.TerminalName?.Trim() ?? ""),
        ];
    }

    protected override bool ClearSecrets(CertificateApplicationForm form) => false;

    protected override string DonePath(long applicationId) => "/OnlineEligibility/Certificates/Done?id=" + applicationId;

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

    protected override async Task LoadAsync()
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
