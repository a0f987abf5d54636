using Microsoft.Playwright;
using Onshi.IntegrationTests.Oqs;
using Shouldly;

namespace Onshi.BrowserTests.Oqs;

/// <summary>
/// The seed's P7–P8 in a browser with JavaScript turned off: the confirmation is a page instead of a dialog, and
/// 「パスワード表示」/「パスワード非表示」 still show and hide the password (P8-6). axe-core needs JavaScript in the page,
/// so these screens are photographed only (the same screens with JavaScript are checked in <see cref="SeedWalkTests"/>).
/// </summary>
public sealed class NoScriptSeedTests : IAsyncLifetime
{
    private OqsServer server = null!;

    public async ValueTask InitializeAsync() => server = await OqsServer.StartAsync("sqlite");

    public async ValueTask DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task P7_P8_WithoutJavaScript_ConfirmationPage_PasswordShowAndHide()
    {
        await using var browser = await BrowserSession.StartAsync(server, "oqs-p7-p8-no-javascript");
        var master = server.Account("master");
        var admin = server.Account("admin");
        var page = await browser.NewPageWithoutJavaScriptAsync(server, server.Demo.Terminal);

        await page.GotoAsync(server.BaseAddress + "Login");
        await page.GetByLabel("ユーザID").FillAsync(master.UserId);
        await page.GetByLabel("パスワード").FillAsync(master.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "ログイン" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "アカウント管理（更新）" }).ClickAsync();
        await page.GetByLabel("権限区分").SelectOptionAsync(new SelectOptionValue { Label = "管理者" });
        await page.GetByRole(AriaRole.Button, new() { Name = "検索" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = $"{admin.UserId} のアカウント情報" }).ClickAsync();

        // P8-5: without JavaScript the question is a page of its own, with OK and キャンセル.
        await page.GetByRole(AriaRole.Link, new() { Name = "パスワード初期化" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "パスワード初期化" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("パスワードを初期化します。よろしいですか？")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "キャンセル" })).ToBeVisibleAsync();
        await ShotAsync(browser, page, "confirm-page");
        await page.GetByRole(AriaRole.Button, new() { Name = "OK" }).ClickAsync();

        // P8-6: masked; 「パスワード表示」 shows it and the button reads 「パスワード非表示」, which hides it again.
        var secret = page.Locator("#issued-password");
        await Assertions.Expect(secret).ToHaveTextAsync("●●●●●●●●");
        await ShotAsync(browser, page, "result-masked");
        await page.GetByRole(AriaRole.Button, new() { Name = "パスワード表示" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "パスワード非表示" })).ToBeVisibleAsync();
        var temporary = (await secret.TextContentAsync())!.Trim();
        temporary.ShouldNotBe("●●●●●●●●");
        temporary.Length.ShouldBe(8);
        await ShotAsync(browser, page, "result-shown");
        await page.GetByRole(AriaRole.Button, new() { Name = "パスワード非表示" }).ClickAsync();
        await Assertions.Expect(secret).ToHaveTextAsync("●●●●●●●●");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "パスワード表示" })).ToBeVisibleAsync();

        // 「OK」 finishes: back to the account.
        await page.GetByRole(AriaRole.Link, new() { Name = "OK" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "アカウント情報", Exact = true })).ToBeVisibleAsync();
    }

    private static async Task ShotAsync(BrowserSession browser, IPage page, string name) =>
        await page.ScreenshotAsync(new() { Path = Path.Combine(browser.ShotDirectory, name + ".png"), FullPage = true });
}
