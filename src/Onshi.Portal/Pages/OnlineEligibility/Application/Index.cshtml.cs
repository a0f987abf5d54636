using Onshi.Core.Features.Applications;

namespace Onshi.Portal.Pages.OnlineEligibility.Application;

/// <summary>利用開始・変更申請: the user's own applications (申請中 / 承認 / 差戻し with the reason) and the two kinds of 申請.</summary>
public sealed class IndexModel(UsageApplicationService applications) : PortalPageModel
{
    public IReadOnlyList<UsageApplicationRow> Rows { get; private set; } = [];

    public IReadOnlyList<PortalInstitution> Institutions { get; private set; } = [];

    public async Task OnGetAsync()
    {
        Rows = await applications.ListMineAsync(UserId, Aborted);
        Institutions = await applications.ListMyInstitutionsAsync(UserId, Aborted);
    }
}
