using Microsoft.Playwright;
using Onshi.BrowserTests.Oqs;
using Onshi.Core.Features.Login;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Oqs;
using Onshi.Oqs.Pages;
using Shouldly;

namespace Onshi.BrowserTests.Sessions;

/// <summary>
/// 強制ログイン in Chromium (SPEC §4.8), on both databases: the same account logs in from a second browser, is asked
/// 「該当のユーザは既に使用されています。強制的にログインしますか？」, presses OK by keyboard, and the first browser's next
/// click lands on the login page saying why it was signed out.
/// </summary>
public sealed class ForcedLoginBrowserTests
{
    public static TheoryData<string> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task SecondBrowser_IsAsked_OkSignsIn_FirstBrowserIsToldWhy(string provider)
    {
        await using var oqs = await OqsServer.StartAsync(provider);
        var admin = oqs.Account("admin");
        await using var browser = await BrowserSession.StartAsync(oqs, "forced-login-" + provider);
        var first = await browser.NewPageAsync(oqs, oqs.Demo.Terminal);
        var second = await browser.NewPageAsync(oqs, oqs.Demo.Terminal);
        await LoginAsync(first, oqs, admin.UserId, admin.Password);
        await Assertions.Expect(first.GetByRole(AriaRole.Heading, new() { Name = "メニュー", Level = 1 })).ToBeVisibleAsync();

        await LoginAsync(second, oqs, admin.UserId, admin.Password);

        var question = second.GetByRole(AriaRole.Alertdialog);
        await Assertions.Expect(question.GetByRole(AriaRole.Heading, new() { Name = LoginResult.AlreadyInUseQuestion })).ToBeVisibleAsync();
        await Assertions.Expect(question.GetByRole(AriaRole.Button, new() { Name = "OK" })).ToBeFocusedAsync();
        await Assertions.Expect(second.GetByLabel("パスワード", new() { Exact = true })).ToBeHiddenAsync();
        await browser.ShotAsync(second, "forced-login-question", "the second browser is asked before the first session ends (OK focused)");
        await second.SetViewportSizeAsync(390, 844);
        await browser.ShotAsync(second, "forced-login-question-390", "the question at 390 px: the text wraps, both buttons stay whole");
        await second.SetViewportSizeAsync(1280, 900);

        await second.Keyboard.PressAsync("Enter");
        await Assertions.Expect(second.GetByRole(AriaRole.Heading, new() { Name = "メニュー", Level = 1 })).ToBeVisibleAsync();

        await first.GetByRole(AriaRole.Link, new() { Name = "アカウント管理（更新）" }).First.ClickAsync();
        await Assertions.Expect(first.GetByRole(AriaRole.Heading, new() { Name = "ログイン", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(first.GetByText(LoginModel.ForcedOutNotice)).ToBeVisibleAsync();
        await browser.ShotAsync(first, "forced-login-signed-out", "the first browser's next click: the login page says it was signed out by a forced login");
        new Uri(first.Url).Query.ShouldContain("ended=forced-login");
    }

    private static async Task LoginAsync(IPage page, OqsServer oqs, string userId, string password)
    {
        await page.GotoAsync(new Uri(oqs.BaseAddress, "/Login").ToString());
        await page.GetByLabel("ユーザID").FillAsync(userId);
        await page.GetByLabel("パスワード", new() { Exact = true }).FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "ログイン", Exact = true }).ClickAsync();
    }
}
