using Microsoft.Playwright;
using Onshi.BrowserTests.Oqs;
using Onshi.Core.Data;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Operator;
using Onshi.IntegrationTests.Oqs;
using Onshi.IntegrationTests.Portal;
using Shouldly;

namespace Onshi.BrowserTests.Sessions;

/// <summary>
/// ログアウト in Chromium on the three sites: the logout answer carries <c>Clear-Site-Data: "cache", "cookies",
/// "storage"</c>, and the browser really drops the site's cookies (the session cookie and the antiforgery cookie) and
/// its storage; the 「ログアウトしました」 page still shows, and logging in again works.
/// </summary>
public sealed class LogoutTests
{
    [Fact]
    public async Task Logout_OnEachSite_BrowserDropsCookiesAndStorage_LogoutPageShows_LoginAgainWorks()
    {
        await using var oqs = await OqsServer.StartAsync(TestDatabase.Sqlite);
        await using var portal = await PortalServer.StartAsync(TestDatabase.Sqlite);
        await using var console = await OperatorServer.StartAsync(TestDatabase.Sqlite);
        const string email = "logout-browser@example.jp";
        await portal.RegisterVerifiedAsync(email);
        var (operatorId, operatorPassword) = await console.ReadyOperatorAsync(OperatorRole.Supervisor);
        var master = oqs.Account("master");
        await using var browser = await BrowserSession.StartAsync(oqs, "logout-clear-site-data");

        var oqsPage = await browser.NewPageAsync(oqs, oqs.Demo.Terminal);
        await CheckAsync(browser, oqsPage, oqs.BaseAddress, "oqs", "/Login", "ユーザID", master.UserId, master.Password, "メニュー", "トップへ戻る");

        var portalPage = await browser.NewPageAsync(portal.BaseAddress);
        await CheckAsync(browser, portalPage, portal.BaseAddress, "portal", "/Account/Login", "ユーザーID (原則メールアドレス)", email, PortalStories.Password,
            "医療機関等向け総合ポータルサイト", "ログイン画面へ");

        var consolePage = await browser.NewPageAsync(console.BaseAddress);
        await CheckAsync(browser, consolePage, console.BaseAddress, "console", "/Login", "ユーザID", operatorId, operatorPassword, "運用者コンソール", "ログイン画面へ");
    }

    private static async Task CheckAsync(BrowserSession browser, IPage page, Uri site, string name, string loginPath, string userLabel, string userId,
        string password, string homeHeading, string backLink)
    {
        var origin = site.GetLeftPart(UriPartial.Authority);
        await LoginAsync(page, site, loginPath, userLabel, userId, password, homeHeading);
        await page.EvaluateAsync("() => { localStorage.setItem('onshi-probe', '1'); sessionStorage.setItem('onshi-probe', '1'); }");
        var before = await page.Context.CookiesAsync([origin]);
        before.Select(c => c.Name).ShouldContain(n => n.StartsWith("__Host-onshi-", StringComparison.Ordinal) && !n.EndsWith("-af", StringComparison.Ordinal));
        before.Count.ShouldBeGreaterThanOrEqualTo(2, "the session and antiforgery cookies");

        var response = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "ログアウト" }).ClickAsync(),
            r => r.Request.Method == "POST");
        (await response.HeaderValueAsync("clear-site-data")).ShouldBe("\"cache\", \"cookies\", \"storage\"");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "ログアウトしました" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "ログアウト" })).ToHaveCountAsync(0);

        // Not only the session cookie (which the answer also expires): the antiforgery cookie and the storage are gone too.
        (await page.Context.CookiesAsync([origin])).ShouldBeEmpty();
        (await page.EvaluateAsync<string?>("() => localStorage.getItem('onshi-probe')")).ShouldBeNull();
        await browser.ShotAsync(page, name + "-logged-out", "「ログアウトしました」 after Clear-Site-Data: no cookie of the site, no storage");

        await page.GetByRole(AriaRole.Link, new() { Name = backLink }).ClickAsync();
        await LoginAsync(page, site, loginPath, userLabel, userId, password, homeHeading);
    }

    private static async Task LoginAsync(IPage page, Uri site, string loginPath, string userLabel, string userId, string password, string homeHeading)
    {
        await page.GotoAsync(new Uri(site, loginPath).ToString());
        await page.GetByLabel(userLabel).FillAsync(userId);
        await page.GetByLabel("パスワード", new() { Exact = true }).FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "ログイン", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = homeHeading, Level = 1 })).ToBeVisibleAsync();
    }
}
