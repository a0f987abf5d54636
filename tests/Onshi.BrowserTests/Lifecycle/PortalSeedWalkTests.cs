using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Onshi.BrowserTests.Oqs;
using Onshi.Core.Data;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Portal;
using Shouldly;

namespace Onshi.BrowserTests.Lifecycle;

/// <summary>
/// The seed's P4–P5 in a real browser, end to end: a user registers on the portal (the verification mail opened in the
/// development outbox), logs in, sees the カテゴリ home, applies for a new institution; a Supervisor approves it in the
/// operator console (on the same database), changing the temporary password first; the user downloads the
/// ユーザ設定情報 PDF from マスタアカウント情報ダウンロード.
/// </summary>
public sealed class PortalSeedWalkTests : IAsyncLifetime
{
    private const string Email = "clinic@example.jp";
    private const string Code = "1310000034";
    private const string InstitutionName = "ブラウザ医科診療所";
    private const string ProductionFile = "本_オンライン資格確認等システムユーザ設定情報.pdf";
    private const string VerificationFile = "接続_オンライン資格確認等システムユーザ設定情報.pdf";

    private PortalServer portal = null!;
    private ConsoleOnPortalDatabase console = null!;

    public async ValueTask InitializeAsync()
    {
        portal = await PortalServer.StartAsync(TestDatabase.Sqlite, showOutbox: true);
        console = await ConsoleOnPortalDatabase.StartAsync(portal, TestDatabase.Sqlite);
    }

    public async ValueTask DisposeAsync()
    {
        await console.DisposeAsync();
        await portal.DisposeAsync();
    }

    [Fact]
    public async Task P4_P5_RegisterApply_ConsoleApproves_UserSettingsPdfDownloads()
    {
        await using var browser = await BrowserSession.StartAsync("portal-p4-p5");
        var page = await browser.NewPageAsync(portal.BaseAddress);

        // P4: the login page, in the seed's words.
        await page.GotoAsync(portal.BaseAddress.ToString());
        new Uri(page.Url).AbsolutePath.ShouldBe("/Account/Login");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "ログイン", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("ユーザーID (原則メールアドレス)")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("パスワード", new() { Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "パスワードの再設定" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("register-link")).ToHaveTextAsync("アカウントがありませんか? 新規登録はこちら");
        await browser.ShotAsync(page, "login", "ログイン, ユーザーID (原則メールアドレス), パスワード, パスワードの再設定, 「アカウントがありませんか? 新規登録はこちら」");

        // 新規登録.
        await page.GetByRole(AriaRole.Link, new() { Name = "新規登録はこちら" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "新規登録" })).ToBeVisibleAsync();
        await page.GetByLabel("メールアドレス").FillAsync(Email);
        await page.GetByLabel("担当者名").FillAsync("山田 花子");
        await page.GetByLabel("パスワード", new() { Exact = true }).FillAsync(PortalStories.Password);
        await page.GetByLabel("パスワード（確認）").FillAsync(PortalStories.Password);
        await browser.ShotAsync(page, "register", "新規登録 form filled (メールアドレス, 担当者名, パスワード twice)");
        await page.GetByRole(AriaRole.Button, new() { Name = "登録する" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "確認メールを送信しました" })).ToBeVisibleAsync();
        await browser.ShotAsync(page, "register-sent", "「確認メールを送信しました」");

        // The verification mail, opened in the development outbox, and its link followed.
        await page.GotoAsync(new Uri(portal.BaseAddress, "/Dev/Outbox").ToString());
        var mailRow = page.GetByRole(AriaRole.Row).Filter(new() { HasText = Email });
        await Assertions.Expect(mailRow).ToHaveCountAsync(1);
        await browser.ShotAsync(page, "outbox", "送信メール（開発用） lists one mail to " + Email);
        await mailRow.GetByRole(AriaRole.Link).ClickAsync();
        await Assertions.Expect(page.GetByTestId("mail")).ToContainTextAsync(Email);
        var link = page.GetByTestId("mail-link");
        await Assertions.Expect(link).ToHaveCountAsync(1);
        (await link.GetAttributeAsync("href")).ShouldStartWith(portal.BaseAddress.GetLeftPart(UriPartial.Authority) + "/Account/Verify");
        await browser.ShotAsync(page, "outbox-mail", "the verification mail with its /Account/Verify link");
        await link.ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "メールアドレスの確認が完了しました" })).ToBeVisibleAsync();
        await browser.ShotAsync(page, "verified", "「メールアドレスの確認が完了しました」");

        // ログイン → the home: カテゴリ and the six オンライン資格確認 items.
        await page.GetByRole(AriaRole.Link, new() { Name = "ログイン画面へ" }).ClickAsync();
        await page.GetByLabel("ユーザーID (原則メールアドレス)").FillAsync(Email);
        await page.GetByLabel("パスワード", new() { Exact = true }).FillAsync(PortalStories.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "ログイン" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "医療機関等向け総合ポータルサイト" })).ToBeVisibleAsync();
        var categories = page.GetByTestId("categories");
        await Assertions.Expect(categories.GetByRole(AriaRole.Heading, new() { Name = "カテゴリ" })).ToBeVisibleAsync();
        await Assertions.Expect(categories.GetByRole(AriaRole.Link)).ToHaveTextAsync(
            ["オンライン資格確認", "訪問診療等・オンライン診療等", "医療扶助", "電子処方箋管理サービス", "オンライン請求"]);
        var items = page.GetByTestId("online-eligibility");
        await Assertions.Expect(items.GetByRole(AriaRole.Heading, new() { Name = "オンライン資格確認" })).ToBeVisibleAsync();
        await Assertions.Expect(items.GetByText("オンライン資格確認に関する情報について確認いただけます")).ToBeVisibleAsync();
        (string Title, string Description)[] seedItems =
        [
            ("利用開始・変更申請", "こちらからオンライン資格確認の利用申請を実施いただけます。"),
            ("マスタアカウント情報ダウンロード", "こちらからオンライン資格確認のマスタアカウント情報がダウンロードいただけます。"),
            ("運用開始日登録", "こちらからオンライン資格確認の運用開始日を登録いただけます。"),
            ("電子証明書発行申請", "こちらから電子証明書発行の個別申請・申請照会を実施いただけます。"),
            ("補助金申請", "こちらからオンライン資格確認等の補助金を申請いただけます。"),
            ("交付決定通知書ダウンロード", "こちらからオンライン資格確認の交付決定通知書がダウンロードいただけます。"),
        ];
        await Assertions.Expect(items.GetByRole(AriaRole.Link)).ToHaveCountAsync(seedItems.Length);
        for (var i = 0; i < seedItems.Length; i++)
        {
            var item = items.GetByRole(AriaRole.Link).Nth(i);
            await Assertions.Expect(item).ToContainTextAsync(seedItems[i].Title);
            await Assertions.Expect(item.Locator("small")).ToHaveTextAsync(seedItems[i].Description);
        }

        await browser.ShotAsync(page, "home", "home: カテゴリ (5) and the six オンライン資格確認 items with the seed's titles and texts");

        // 利用開始・変更申請 → 新規申請.
        await items.GetByRole(AriaRole.Link).Filter(new() { HasText = "利用開始・変更申請" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "利用開始・変更申請", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("no-applications")).ToBeVisibleAsync();
        await browser.ShotAsync(page, "applications-empty", "利用開始・変更申請 with 「申請はまだありません。」");
        await page.GetByRole(AriaRole.Link, new() { Name = "新規申請" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "利用開始・変更申請（新規申請）" })).ToBeVisibleAsync();
        await page.GetByLabel("医療機関等コード").FillAsync(Code);
        await page.GetByLabel("医療機関等名").FillAsync(InstitutionName);
        await page.GetByLabel("所在地").FillAsync("東京都千代田区霞が関1-2-2");
        await page.Locator("#Phone").FillAsync("03-1234-5678");
        await page.GetByLabel("本番環境").CheckAsync();
        await page.GetByLabel("接続確認環境").CheckAsync();
        await page.Locator("#ContactName").FillAsync("山田 花子");
        await page.Locator("#ContactPhone").FillAsync("090-1234-5678");
        await page.GetByLabel("秘密の番号（数字4桁）").FillAsync("3870");
        await page.GetByLabel("秘密の番号（確認）").FillAsync("3870");
        await browser.ShotAsync(page, "new-application", $"新規申請 filled: {Code}, 本番環境 + 接続確認環境, 秘密の番号 twice");
        // 入力 → 確認 → 完了 (issue 14 item 10): the entries with the 秘密の番号 masked, then the 受付番号.
        await page.GetByRole(AriaRole.Button, new() { Name = "確認画面へ進む" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("confirm-summary")).ToContainTextAsync("●●●●");
        await page.GetByRole(AriaRole.Button, new() { Name = "申請する" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("done")).ToContainTextAsync("新規申請を受け付けました。");
        await page.GetByTestId("to-list").ClickAsync();
        var applicationRow = page.GetByTestId("applications").Locator("tbody tr");
        await Assertions.Expect(applicationRow).ToHaveCountAsync(1);
        await Assertions.Expect(applicationRow).ToContainTextAsync(Code);
        await Assertions.Expect(applicationRow).ToContainTextAsync(InstitutionName);
        await Assertions.Expect(applicationRow.GetByTestId("status")).ToHaveTextAsync("申請中");
        await browser.ShotAsync(page, "applied", "申請一覧: 新規, " + Code + ", 状態 申請中");

        // The operator console, same database: a Supervisor with a temporary password must change it first.
        var temporary = await console.CreateOperatorAsync("sv-tanaka", OperatorRole.Supervisor);
        var op = await browser.NewPageAsync(console.BaseAddress);
        await op.GotoAsync(console.BaseAddress.ToString());
        await Assertions.Expect(op.GetByRole(AriaRole.Heading, new() { Name = "ログイン", Exact = true })).ToBeVisibleAsync();
        await op.GetByLabel("ユーザID").FillAsync("sv-tanaka");
        await op.GetByLabel("パスワード").FillAsync(temporary);
        await browser.ShotAsync(op, "console-login", "運用者コンソール ログイン with the temporary password");
        await op.GetByRole(AriaRole.Button, new() { Name = "ログイン" }).ClickAsync();
        await Assertions.Expect(op.GetByRole(AriaRole.Heading, new() { Name = "パスワード変更" })).ToBeVisibleAsync();
        await Assertions.Expect(op.GetByText("パスワードの変更が必要です。")).ToBeVisibleAsync();
        await browser.ShotAsync(op, "console-forced-change", "「パスワードの変更が必要です。」 after the temporary password");
        await op.GetByLabel("現在のパスワード").FillAsync(temporary);
        await op.GetByLabel("新しいパスワード", new() { Exact = true }).FillAsync("Shinsa-Kanri-2026!");
        await op.GetByLabel("新しいパスワード（確認）").FillAsync("Shinsa-Kanri-2026!");
        await op.GetByRole(AriaRole.Button, new() { Name = "変更する" }).ClickAsync();
        await Assertions.Expect(op.GetByText("パスワードを変更しました。")).ToBeVisibleAsync();
        await op.GetByRole(AriaRole.Link, new() { Name = "トップへ" }).ClickAsync();
        await Assertions.Expect(op.GetByRole(AriaRole.Heading, new() { Name = "運用者コンソール" })).ToBeVisibleAsync();
        await browser.ShotAsync(op, "console-home", "console home of the Supervisor with 審査");

        // 審査 → the application → 承認 → its confirmation → 承認する.
        await op.GetByTestId("review").ClickAsync();
        await Assertions.Expect(op.GetByRole(AriaRole.Heading, new() { Name = "審査", Exact = true })).ToBeVisibleAsync();
        var queueRow = op.GetByTestId("queue-usage").Locator("tbody tr");
        await Assertions.Expect(queueRow).ToHaveCountAsync(1);
        await Assertions.Expect(queueRow).ToContainTextAsync(Code);
        await Assertions.Expect(queueRow).ToContainTextAsync("新規");
        await Assertions.Expect(queueRow).ToContainTextAsync(Email);
        await browser.ShotAsync(op, "console-queue", "審査: the portal's 新規 application of " + Email);
        await queueRow.GetByRole(AriaRole.Link, new() { Name = $"{InstitutionName} の利用開始・変更申請を審査" }).ClickAsync();
        await Assertions.Expect(op.GetByRole(AriaRole.Heading, new() { Name = "利用開始・変更申請（新規）" })).ToBeVisibleAsync();
        await Assertions.Expect(op.GetByTestId("secret")).ToHaveTextAsync("秘密の番号：設定あり");
        await browser.ShotAsync(op, "console-application", "the application, 秘密の番号：設定あり (never the number)");
        await op.GetByTestId("approve").ClickAsync();
        var confirm = op.GetByTestId("confirm-approve");
        await Assertions.Expect(confirm.GetByRole(AriaRole.Heading, new() { Name = "この申請を承認します。よろしいですか？" })).ToBeVisibleAsync();
        await browser.ShotAsync(op, "console-confirm", "「この申請を承認します。よろしいですか？」 承認する / キャンセル");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "承認する" }).ClickAsync();
        await Assertions.Expect(op.GetByTestId("done")).ToContainTextAsync("承認しました");
        await Assertions.Expect(op.GetByTestId("decision")).ToContainTextAsync("sv-tanaka");
        var accounts = op.GetByTestId("accounts").Locator("tbody tr");
        await Assertions.Expect(accounts).ToHaveCountAsync(2);
        var productionAccounts = accounts.Filter(new() { HasText = "本番環境" });
        var masterUserId = (await productionAccounts.Locator("td").Nth(1).TextContentAsync())!.Trim();
        var resetUserId = (await productionAccounts.Locator("td").Nth(2).TextContentAsync())!.Trim();
        masterUserId.ShouldNotBeNullOrWhiteSpace();
        resetUserId.ShouldNotBeNullOrWhiteSpace();
        await Assertions.Expect(op.GetByTestId("documents")).ToContainTextAsync(ProductionFile);
        await Assertions.Expect(op.GetByTestId("documents")).ToContainTextAsync(VerificationFile);
        await Assertions.Expect(op.GetByTestId("decide")).ToHaveCountAsync(0);
        await Assertions.Expect(op.GetByRole(AriaRole.Link, new() { Name = "承認", Exact = true })).ToHaveCountAsync(0);
        await Assertions.Expect(op.GetByRole(AriaRole.Link, new() { Name = "差戻し", Exact = true })).ToHaveCountAsync(0);
        await browser.ShotAsync(op, "console-approved", $"承認しました; master IDs per environment (本番 {masterUserId}); documents posted; no buttons");

        // Back on the portal: the application is 承認.
        await page.ReloadAsync();
        await Assertions.Expect(applicationRow.GetByTestId("status")).ToHaveTextAsync("承認");
        await browser.ShotAsync(page, "application-approved", "申請一覧: 状態 承認");

        // P5: マスタアカウント情報ダウンロード → the list → the 本番 file → 添付ファイル.
        await page.GetByRole(AriaRole.Link, new() { Name = "オンライン資格確認へ戻る" }).ClickAsync();
        await page.GetByTestId("online-eligibility").GetByRole(AriaRole.Link).Filter(new() { HasText = "マスタアカウント情報ダウンロード" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "オンライン資格確認マスタアカウント情報管理" })).ToBeVisibleAsync();
        var today = portal.Time.GetUtcNow().UtcDateTime.AddHours(9).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var documents = page.GetByTestId("documents").Locator("tbody tr");
        await Assertions.Expect(documents).ToHaveCountAsync(2);
        await Assertions.Expect(documents.Nth(0).Locator("td")).ToHaveTextAsync([ProductionFile, "本番環境", "新規", today]);
        await Assertions.Expect(documents.Nth(1).Locator("td")).ToHaveTextAsync([VerificationFile, "接続確認環境", "新規", today]);
        await Assertions.Expect(page.GetByTestId("count")).ToHaveTextAsync("1~2 件目 / 2 件");
        await browser.ShotAsync(page, "master-account-list", $"two rows (本番環境 / 接続確認環境, 新規, {today}) and 「1~2 件目 / 2 件」");
        await page.GetByRole(AriaRole.Link, new() { Name = ProductionFile }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "本_オンライン資格確認等システムユーザ設定情報" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "添付ファイル" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("document-info")).ToContainTextAsync("本番環境");
        await browser.ShotAsync(page, "master-account-detail", "detail: 添付ファイル " + ProductionFile + ", 本番環境, 新規, " + today);
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("attachment").ClickAsync());
        download.SuggestedFilename.ShouldBe(ProductionFile);
        var pdfPath = Path.Combine(browser.ShotDirectory, "user-settings.pdf");
        await download.SaveAsAsync(pdfPath);

        var text = await BrowserSession.PdfToTextAsync(pdfPath);
        text.ShouldContain("オンライン資格確認等システムユーザ設定情報");
        Regex.IsMatch(text, @"利用環境\s+本番環境").ShouldBeTrue(text);
        Regex.IsMatch(text, $@"医療機関等コード\s+{Code}").ShouldBeTrue(text);
        Regex.IsMatch(text, $@"ユーザID\s+{Regex.Escape(masterUserId)}").ShouldBeTrue(text);
        Regex.IsMatch(text, @"パスワード\s+\S{8,}").ShouldBeTrue(text);
        Regex.IsMatch(text, @"パスワード有効期限\s+\d{4}年\d{2}月\d{2}日").ShouldBeTrue(text);
        Regex.IsMatch(text, $@"リセット用ユーザID\s+{Regex.Escape(resetUserId)}").ShouldBeTrue(text);
        await browser.ShotAsync(page, "downloaded", $"downloaded {ProductionFile}: 利用環境 本番環境, {Code}, ユーザID {masterUserId}, パスワード, パスワード有効期限, リセット用ユーザID {resetUserId}");
    }
}
