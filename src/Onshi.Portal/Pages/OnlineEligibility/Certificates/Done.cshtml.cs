using Microsoft.AspNetCore.Mvc;
using Onshi.Core.Features.Applications;

namespace Onshi.Portal.Pages.OnlineEligibility.Certificates;

/// <summary>完了 of a 電子証明書発行申請: the 受付番号. Only an application of the user's own institutions is shown.</summary>
public sealed class DoneModel(UsageApplicationService applications, CertificateApplicationService certificates) : PortalPageModel
{
    public PortalInstitution Institution { get; private set; } = null!;

    public CertificateApplicationRow Application { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(long id)
    {
        foreach (var institution in await applications.ListMyInstitutionsAsync(UserId, Aborted))
        {
            var rows = await certificates.ListAsync(UserId, institution.Id, Aborted);
            if (rows.Succeeded && rows.Value!.FirstOrDefault(r => r.Id == id) is { } row)
            {
                (Institution, Application) = (institution, row);
                return Page();
            }
        }

        return NotFoundPage();
    }
}
