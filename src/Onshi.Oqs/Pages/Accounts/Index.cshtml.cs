using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Features.AccountManagement;
using Onshi.Oqs.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Oqs.Pages.Accounts;

/// <summary>アカウント管理（更新）: the search screen and its paged results (seed P6, P9).</summary>
public sealed class SearchModel(AccountAdministration accounts) : PageModel
{
    public static IReadOnlyList<(KindFilter Value, string Label)> KindOptions { get; } =
    [
        (KindFilter.All, "全て"), (KindFilter.Master, "マスタ"), (KindFilter.Admin, "管理者"), (KindFilter.General, "一般"),
        (KindFilter.MedicalInfo, "医療情報閲覧"), (KindFilter.LinkedApp, "連携アプリ用"), (KindFilter.WebApi, "Web API用"), (KindFilter.FaceAuth, "顔認証用"),
    ];

    public static IReadOnlyList<(StatusFilter Value, string Label)> StatusOptions { get; } =
        [(StatusFilter.All, "全て"), (StatusFilter.Active, "有効"), (StatusFilter.Disabled, "無効"), (StatusFilter.Locked, "ロック中")];

    [FromQuery]
    [CodeInput]
    public string? UserId { get; set; }

    [FromQuery]
    public string? DisplayName { get; set; }

    [FromQuery]
    public KindFilter Kind { get; set; }

    [FromQuery]
    public StatusFilter Status { get; set; }

    [FromQuery(Name = "page")]
    public int PageNumber { get; set; } = 1;

    [FromQuery(Name = "search")]
    public int? Searched { get; set; }

    public AccountPage? Results { get; private set; }

    public async Task OnGetAsync()
    {
        if (!Enum.IsDefined(Kind))
        {
            Kind = KindFilter.All;
        }

        if (!Enum.IsDefined(Status))
        {
            Status = StatusFilter.All;
        }

        if (Searched is null)
        {
            return;
        }

        Results = await accounts.SearchAsync(HttpContext.Actor(),
            new AccountSearch(Clip(UserId, 16), Clip(DisplayName, 50), Kind, Status, PageNumber), HttpContext.RequestAborted);
    }

    public string PageUrl(int page) => "/Accounts" + QueryString.Create(new Dictionary<string, string?>
    {
        ["search"] = "1",
        ["UserId"] = UserId,
        ["DisplayName"] = DisplayName,
        ["Kind"] = ((int)Kind).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Status"] = ((int)Status).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["page"] = page.ToString(System.Globalization.CultureInfo.InvariantCulture),
    }).ToUriComponent();

    private static string? Clip(string? s, int max)
    {
        if (s is null)
        {
            return null;
        }

        // Control characters (NUL included) can match nothing and some databases refuse them.
        var clean = new string([.. s.Where(c => !char.IsControl(c))]);
        return clean.Length > max ? clean[..max] : clean;
    }
}
