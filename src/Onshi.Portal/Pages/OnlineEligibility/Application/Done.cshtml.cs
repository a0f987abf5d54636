using Microsoft.AspNetCore.Mvc;
using Onshi.Core.Features.Applications;

namespace Onshi.Portal.Pages.OnlineEligibility.Application;

/// <summary>完了 of a 利用開始・変更申請: the 受付番号 and what happens next. Only the applicant's own application is shown.</summary>
public sealed class DoneModel(UsageApplicationService applications) : PortalPageModel
{
    public UsageApplicationRow Application { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(long id)
    {
        var result = await applications.GetMineAsync(UserId, id, Aborted);
        if (!result.Succeeded)
        {
            return NotFoundPage();
        }

        Application = result.Value!;
        return Page();
    }
}
