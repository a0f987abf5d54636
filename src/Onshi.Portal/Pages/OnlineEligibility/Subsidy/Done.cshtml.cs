using Microsoft.AspNetCore.Mvc;
using Onshi.Core.Features.Applications;

namespace Onshi.Portal.Pages.OnlineEligibility.Subsidy;

/// <summary>完了 of a 補助金申請: the 受付番号. Only an application of the user's own institutions is shown.</summary>
public sealed class DoneModel(SubsidyService subsidies) : PortalPageModel
{
    public SubsidyRow Application { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(long id)
    {
        if (await subsidies.GetMineAsync(UserId, id, Aborted) is not { } row)
        {
            return NotFoundPage();
        }

        Application = row;
        return Page();
    }
}
