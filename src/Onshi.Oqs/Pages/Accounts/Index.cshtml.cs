using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Features.AccountManagement;
using Onshi.Oqs.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Oqs.Pages.Accounts;

/// <summary>
/// アカウント管理（更新）: the search screen and its paged results (seed P6, P9). It lists the accounts on opening (every kind the
/// actor may see, paged as a search), and its filters travel with the links to アカウント情報 and back (<see cref="AccountSearchQuery"/>).
/// </summary>
public sealed class SearchModel(AccountAdministration accounts) : PageModel
{
    public static IReadOnlyList<(KindFilter Value, string Label)> KindOptions { get; } =
    [
        (KindFilter.All, "全て"), (KindFilter.Master, "マスタ"), (KindFilter.Admin, "管理者"), (KindFilter.General, "一般"),
        (KindFilter.MedicalInfo, "医療情報閲覧"), (KindFilter.LinkedApp, "連携アプリ用"), (KindFilter.WebApi, "Web API用"), (KindFilter.FaceAuth, "顔認証用"),
    ];

    public static IReadOnlyList<(StatusFilter Value, string Label)> StatusOptions { get; } =
        [(StatusFilter.All, "全て"), (StatusFilter.Active, "有効"), (StatusFilter.Disabled, "無効"), (StatusFilter.Locked, "ロック中")];

    public AccountSearchQuery Query { get; private set; } = AccountSearchQuery.Default;

    public AccountPage? Results { get; private set; }

    public async Task OnGetAsync()
    {
        Query = AccountSearchQuery.From(Request.Query);
        Results = await accounts.SearchAsync(HttpContext.Actor(),
            new AccountSearch(Query.UserId, Query.DisplayName, Query.Kind, Query.Status, Query.Page), HttpContext.RequestAborted);
        Query = Query with { Page = Results.Page };
    }

    public string PageUrl(int page) => Query.SearchUrl(page);
}
