using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Onshi.IntegrationTests.Oqs;
using Shouldly;

namespace Onshi.BrowserTests.Oqs;

/// <summary>
/// The seed in a real browser: P2 (certificate, start page, login) and P7–P8 (the master initializes the admin's
/// password, shows it, downloads the PDF; the admin logs in with it and must change it).
/// </summary>
public sealed class SeedWalkTests : IAsyncLifetime
{
    private OqsServer server = null!;

    public async ValueTask InitializeAsync() => server = await OqsServer.StartAsync("sqlite");

    public async ValueTask DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task P2_P7_P8_MasterInitializesAdminPassword_AdminLogsInAndMustChangeIt()
    {
        await using var browser = await BrowserSession.StartAsync(server, "oqs-p2-p7-p8");
        var master = server.Account("master");
        var admin = server.Account("admin");

        // P2: the terminal opens the OQS with its certificate.
        var page = await browser.NewPageAsync(server, server.Demo.Terminal);
        await page.GotoAsync(server.BaseAddress.ToString());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "オンライン資格確認等システム" })).ToBeVisibleAsync();
        await browser.ShotAsync(page, "start", "start page with 「システムの利用を始める」");
        await page.GetByRole(AriaRole.Link, new() { Name = "システムの利用を始める" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "ログイン", Exact = true })).ToBeVisibleAsync();
        await page.GetByLabel("ユーザID").FillAsync(master.UserId);
        await page.GetByLabel("パスワード").FillAsync(master.Password);
        await browser.ShotAsync(page, "login", "login form with ユーザID / パスワード");
        await page.GetByRole(AriaRole.Button, new() { Name = "ログイン" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "メニュー" })).ToBeVisibleAsync();
        await browser.ShotAsync(page, "menu", "master's menu with アカウント情報管理");

        // P7: アカウント管理（更新） → 権限区分「管理者」 → 検索 → アカウント情報.
        await page.GetByRole(AriaRole.Link, new() { Name = "アカウント管理（更新）" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "アカウント管理（更新）" })).ToBeVisibleAsync();
        await browser.ShotAsync(page, "search", "アカウント管理（更新） search form");
        await page.GetByLabel("権限区分").SelectOptionAsync(new SelectOptionValue { Label = "管理者" });
        await page.GetByRole(AriaRole.Button, new() { Name = "検索" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = admin.UserId, Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("1~1 件目 / 1 件")).ToBeVisibleAsync();
        await browser.ShotAsync(page, "search-admin", "search 権限区分「管理者」 lists the admin");
        await page.GetByRole(AriaRole.Link, new() { Name = $"{admin.UserId} のアカウント情報" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "アカウント情報", Exact = true })).ToBeVisibleAsync();
        await browser.ShotAsync(page, "detail", "アカウント情報 with 「パスワード初期化」");

        // P8-5: the confirmation dialog, then OK.
        await page.GetByRole(AriaRole.Link, new() { Name = "パスワード初期化" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "パスワード初期化" });
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        await Assertions.Expect(dialog.GetByText("パスワードを初期化します。よろしいですか？")).ToBeVisibleAsync();
        await browser.ShotAsync(page, "confirm", "dialog 「パスワードを初期化します。よろしいですか？」 OK / キャンセル");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "OK" }).ClickAsync();

        // P8-6: the result dialog, masked, then shown, then hidden.
        await Assertions.Expect(page.GetByText("パスワードを初期化しました。利用者にパスワード情報を通知してください。")).ToBeVisibleAsync();
        var secret = page.Locator("#issued-password");
        await Assertions.Expect(secret).ToHaveTextAsync("●●●●●●●●");
        await browser.ShotAsync(page, "result-masked", "result dialog, password masked ●●●●●●●●");
        await page.GetByRole(AriaRole.Button, new() { Name = "パスワード表示" }).ClickAsync();
        var temporary = (await secret.TextContentAsync())!.Trim();
        temporary.ShouldNotBe("●●●●●●●●");
        temporary.Length.ShouldBe(8);
        Regex.IsMatch(temporary, "[A-Z]").ShouldBeTrue();
        Regex.IsMatch(temporary, "[a-z]").ShouldBeTrue();
        Regex.IsMatch(temporary, "[0-9]").ShouldBeTrue();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "パスワード非表示" })).ToBeVisibleAsync();
        await browser.ShotAsync(page, "result-shown", "「パスワード表示」 shows it; the button reads 「パスワード非表示」");
        await page.GetByRole(AriaRole.Button, new() { Name = "パスワード非表示" }).ClickAsync();
        await Assertions.Expect(secret).ToHaveTextAsync("●●●●●●●●");

        // 「ダウンロード」: the アカウント設定情報 PDF holds the user ID and the password.
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "ダウンロード" }).ClickAsync());
        var pdfPath = Path.Combine(browser.ShotDirectory, "account-settings.pdf");
        await download.SaveAsAsync(pdfPath);
        var text = await BrowserSession.PdfToTextAsync(pdfPath);
        text.ShouldContain(admin.UserId);
        text.ShouldContain(temporary);
        text.ShouldContain("アカウント設定情報");
        await page.GetByRole(AriaRole.Link, new() { Name = "OK" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "アカウント情報", Exact = true })).ToBeVisibleAsync();

        // The admin, on a fresh browser, logs in with the new password and must change it first.
        var adminPage = await browser.NewPageAsync(server, server.Demo.Terminal);
        await adminPage.GotoAsync(server.BaseAddress + "Login");
        await adminPage.GetByLabel("ユーザID").FillAsync(admin.UserId);
        await adminPage.GetByLabel("パスワード").FillAsync(temporary);
        await adminPage.GetByRole(AriaRole.Button, new() { Name = "ログイン" }).ClickAsync();
        await Assertions.Expect(adminPage.GetByRole(AriaRole.Heading, new() { Name = "パスワード変更" })).ToBeVisibleAsync();
        await Assertions.Expect(adminPage.GetByText("パスワードの変更が必要です。")).ToBeVisibleAsync();
        await browser.ShotAsync(adminPage, "forced-change", "admin is made to change the temporary password");
        await adminPage.GetByLabel("現在のパスワード").FillAsync(temporary);
        await adminPage.GetByLabel("新しいパスワード", new() { Exact = true }).FillAsync("Uketsuke-Kanri-2026!");
        await adminPage.GetByLabel("新しいパスワード（確認）").FillAsync("Uketsuke-Kanri-2026!");
        await adminPage.GetByRole(AriaRole.Button, new() { Name = "変更する" }).ClickAsync();
        await Assertions.Expect(adminPage.GetByText("パスワードを変更しました。")).ToBeVisibleAsync();
        await adminPage.GetByRole(AriaRole.Link, new() { Name = "メニューへ" }).ClickAsync();
        await Assertions.Expect(adminPage.GetByRole(AriaRole.Heading, new() { Name = "メニュー" })).ToBeVisibleAsync();
        await browser.ShotAsync(adminPage, "admin-menu", "admin reaches the menu after changing the password");
    }

    [Fact]
    public async Task P2_BrowserWithoutCertificate_SeesJapanesePage()
    {
        await using var browser = await BrowserSession.StartAsync(server, "oqs-no-certificate");
        var page = await browser.NewPageAsync(server, terminal: null);

        var response = await page.GotoAsync(server.BaseAddress.ToString());

        response!.Status.ShouldBe(403);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "認証用の証明書が確認できません" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("0800-080-4583").First).ToBeVisibleAsync();
        await browser.ShotAsync(page, "no-certificate", "the certificate error page, in Japanese, with the call center");
    }
}
