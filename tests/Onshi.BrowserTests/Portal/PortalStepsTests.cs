using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Onshi.BrowserTests.Oqs;
using Onshi.Core.Data;
using Onshi.Core.Features.Applications;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Portal;
using Shouldly;

namespace Onshi.BrowserTests.Portal;

/// <summary>
/// Issue 14 (10) in Chromium at 1366×768 and 390 px: the home's 「はじめての方へ」 (five steps, the current one marked
/// aria-current="step"), the 新規申請's 入力 → 確認 (秘密の番号 ●●●●) → 「修正する」 (entries kept, the 秘密の番号 asked
/// again) → 「申請する」 → 完了 with the 受付番号, which the list shows too; the 補助金申請's 入力 → 確認 (the 領収書 chosen
/// there, a wrong file refused on 確認) → 完了 with its S- 受付番号. axe-core runs on every screenshot
/// (artifacts/screenshots/portal-steps and portal-steps-subsidy).
/// </summary>
public sealed class PortalStepsTests : IAsyncLifetime
{
    private const string Email = "hajimete@clinic.example.jp";
    private const string Code = "1310000018";

    private PortalServer portal = null!;

    public async ValueTask InitializeAsync() => portal = await PortalServer.StartAsync(TestDatabase.Sqlite);

    public async ValueTask DisposeAsync() => await portal.DisposeAsync();

    [Fact]
    public async Task NewApplication_InputConfirmEditDone_WithReceiptNumber_AndTheFirstStepsStrip()
    {
        await portal.RegisterVerifiedAsync(Email);
        await using var browser = await BrowserSession.StartAsync("portal-steps");
        var page = await browser.NewPageAsync(portal.BaseAddress);
        await page.GotoAsync(new Uri(portal.BaseAddress, "/Account/Login").ToString());
        await page.GetByLabel("ユーザーID (原則メールアドレス)").FillAsync(Email);
        await page.GetByLabel("パスワード", new() { Exact = true }).FillAsync(PortalStories.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "ログイン" }).ClickAsync();

        var strip = page.GetByTestId("first-steps");
        await Assertions.Expect(strip.Locator("ol li")).ToHaveCountAsync(5);
        await Assertions.Expect(strip.Locator("li[aria-current=step]")).ToContainTextAsync("利用申請");
        await ShotsAsync(browser, page, "home-apply", "はじめての方へ: 1. 利用申請 is the current step");

        await page.GotoAsync(new Uri(portal.BaseAddress, "/OnlineEligibility/Application/New").ToString());
        await page.GetByLabel("医療機関等コード").FillAsync(Code);
        await page.GetByLabel("医療機関等名").FillAsync("はじめて内科クリニック");
        await page.GetByLabel("所在地").FillAsync("東京都千代田区霞が関1-2-2");
        await page.Locator("#Phone").FillAsync("03-1234-5678");
        await page.GetByLabel("本番環境").CheckAsync();
        await page.Locator("#ContactName").FillAsync("山田 花子");
        await page.Locator("#ContactPhone").FillAsync("090-1234-5678");
        await page.GetByLabel("秘密の番号（数字4桁）").FillAsync("3870");
        await page.GetByLabel("秘密の番号（確認）").FillAsync("3870");
        await Assertions.Expect(page.GetByTestId("secret-reminder")).ToContainTextAsync("安全な場所に保管");
        await ShotsAsync(browser, page, "input", "入力: the form with the reminder to keep the 秘密の番号");

        await page.GetByRole(AriaRole.Button, new() { Name = "確認画面へ進む" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("confirm-summary")).ToContainTextAsync("●●●●");
        await Assertions.Expect(page.Locator("ol.steps li[aria-current=step]")).ToHaveTextAsync("確認");
        (await page.ContentAsync()).ShouldNotContain("3870");
        (await portal.WithDbAsync(db => db.UsageApplications.CountAsync())).ShouldBe(0);
        await ShotsAsync(browser, page, "confirm", "確認: every entry, 秘密の番号 ●●●●, 「申請する」 and 「修正する」; nothing stored yet");

        await page.GetByRole(AriaRole.Button, new() { Name = "修正する" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("医療機関等名")).ToHaveValueAsync("はじめて内科クリニック");
        await Assertions.Expect(page.GetByLabel("秘密の番号（数字4桁）")).ToHaveValueAsync("");
        await Assertions.Expect(page.GetByTestId("edit-note")).ToContainTextAsync("秘密の番号は、確認のためもう一度入力してください。");
        await ShotsAsync(browser, page, "edit", "修正する: entries kept, the 秘密の番号 to be typed again");

        await page.GetByLabel("秘密の番号（数字4桁）").FillAsync("3870");
        await page.GetByLabel("秘密の番号（確認）").FillAsync("3870");
        await page.GetByRole(AriaRole.Button, new() { Name = "確認画面へ進む" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "申請する" }).ClickAsync();
        var receipt = (await page.GetByTestId("receipt-number").TextContentAsync())!.Trim();
        receipt.ShouldMatch(@"^R-\d{8}-\d{6}$");
        (await portal.WithDbAsync(db => db.UsageApplications.CountAsync())).ShouldBe(1);
        await ShotsAsync(browser, page, "done", $"完了: 受付番号 {receipt}");

        await page.GetByTestId("to-list").ClickAsync();
        await Assertions.Expect(page.GetByTestId("applications").Locator("tbody tr").First.GetByTestId("receipt-number")).ToHaveTextAsync(receipt);
        await ShotsAsync(browser, page, "list", $"申請一覧: the same 受付番号 {receipt}, 申請中");

        await page.GotoAsync(portal.BaseAddress.ToString());
        await Assertions.Expect(strip.Locator("li[aria-current=step]")).ToContainTextAsync("審査");
        await Assertions.Expect(strip.Locator("li.steps__done")).ToHaveCountAsync(1);
        await ShotsAsync(browser, page, "home-review", "はじめての方へ: 利用申請 done, 2. 審査 current, the institution named");
    }

    [Fact]
    public async Task Subsidy_InputConfirmWithReceiptDone_WithReceiptNumber()
    {
        await portal.RegisterVerifiedAsync(Email);
        await ApprovedAsync();
        await using var browser = await BrowserSession.StartAsync("portal-steps-subsidy");
        var page = await browser.NewPageAsync(portal.BaseAddress);
        await page.GotoAsync(new Uri(portal.BaseAddress, "/Account/Login").ToString());
        await page.GetByLabel("ユーザーID (原則メールアドレス)").FillAsync(Email);
        await page.GetByLabel("パスワード", new() { Exact = true }).FillAsync(PortalStories.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "ログイン" }).ClickAsync();

        await page.GotoAsync(new Uri(portal.BaseAddress, "/OnlineEligibility/Subsidy").ToString());
        await Assertions.Expect(page.Locator("ol.steps li[aria-current=step]")).ToHaveTextAsync("入力");
        await Assertions.Expect(page.Locator("#Receipt")).ToHaveCountAsync(0);
        await page.GetByLabel("事業費（円）").FillAsync("１，２００，０００");
        await page.GetByLabel("申請額（円）").FillAsync("500000");
        await page.GetByLabel("事業内容").FillAsync("資格確認端末（顔認証付きカードリーダー）の導入とレセプトコンピュータの改修");
        await ShotsAsync(browser, page, "subsidy-input", "補助金 入力: amounts and 事業内容; the 領収書 comes on 確認");

        await page.GetByRole(AriaRole.Button, new() { Name = "確認画面へ進む" }).ClickAsync();
        await Assertions.Expect(page.Locator("ol.steps li[aria-current=step]")).ToHaveTextAsync("確認");
        await Assertions.Expect(page.GetByTestId("confirm-summary")).ToContainTextAsync("1,200,000円");
        await Assertions.Expect(page.GetByLabel("領収書")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("confirm")).Not.ToContainTextAsync("秘密の番号");
        await Assertions.Expect(page.GetByTestId("subsidies")).ToHaveCountAsync(0);
        (await portal.WithDbAsync(db => db.SubsidyApplications.CountAsync())).ShouldBe(0);
        await ShotsAsync(browser, page, "subsidy-confirm", "補助金 確認: the entries, the 領収書 chosen here, 「申請する」 and 「修正する」");

        await page.GetByLabel("領収書").SetInputFilesAsync(new FilePayload { Name = "receipt.png", MimeType = "image/png", Buffer = "not a png"u8.ToArray() });
        await page.GetByRole(AriaRole.Button, new() { Name = "申請する" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("error-summary")).ToContainTextAsync(ApplicationErrors.ReceiptContentMismatch.Message);
        await Assertions.Expect(page.GetByTestId("confirm-summary")).ToContainTextAsync("1,200,000円");
        (await portal.WithDbAsync(db => db.SubsidyApplications.CountAsync())).ShouldBe(0);
        await ShotsAsync(browser, page, "subsidy-confirm-error", "補助金 確認: a file that is not what it says is refused on 確認, the entries kept");

        await page.GetByLabel("領収書").SetInputFilesAsync(new FilePayload { Name = "receipt.png", MimeType = "image/png", Buffer = Png });
        await page.GetByRole(AriaRole.Button, new() { Name = "申請する" }).ClickAsync();
        var receipt = (await page.GetByTestId("receipt-number").TextContentAsync())!.Trim();
        receipt.ShouldMatch(@"^S-\d{8}-\d{6}$");
        (await portal.WithDbAsync(db => db.SubsidyApplications.CountAsync())).ShouldBe(1);
        await ShotsAsync(browser, page, "subsidy-done", $"補助金 完了: 受付番号 {receipt}");

        await page.GetByTestId("to-list").ClickAsync();
        await Assertions.Expect(page.GetByTestId("subsidies").Locator("tbody tr").First.GetByTestId("receipt-number")).ToHaveTextAsync(receipt);
        await ShotsAsync(browser, page, "subsidy-list", $"補助金 申請一覧: the same 受付番号 {receipt}, 申請中");
    }

    private static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    /// <summary>The user's 新規申請 approved through the services (not the pages under test): the portal offers 補助金申請.</summary>
    private async Task ApprovedAsync()
    {
        var userId = (await portal.UsersAsync(Email)).Single().Id;
        var reviewer = await TestOperators.CreateAsync(portal.App.Services, "reviewer-steps", OperatorRole.Reviewer);
        await using var scope = portal.App.Services.CreateAsyncScope();
        var submitted = await scope.ServiceProvider.GetRequiredService<UsageApplicationService>().SubmitNewAsync(userId, new NewApplicationInput
        {
            InstitutionCode = Code,
            InstitutionName = "はじめて内科クリニック",
            Address = "東京都千代田区霞が関1-2-2",
            Phone = "03-1234-5678",
            Environments = EnvironmentSet.Production,
            ContactName = "山田 花子",
            ContactPhone = "090-1234-5678",
            SecretNumber = "3870",
            SecretNumberConfirm = "3870",
        });
        submitted.Succeeded.ShouldBeTrue();
        (await scope.ServiceProvider.GetRequiredService<ApplicationReviewService>().ApproveUsageAsync(reviewer, submitted.Value)).Succeeded.ShouldBeTrue();
    }

    /// <summary>The screen at 1366×768 and at 390 px wide (axe-core runs on each); the page must not scroll sideways.</summary>
    private static async Task ShotsAsync(BrowserSession browser, IPage page, string name, string asserted)
    {
        foreach (var (viewport, width, height) in new[] { ("1366", 1366, 768), ("390", 390, 844) })
        {
            await page.SetViewportSizeAsync(width, height);
            (await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth"))
                .ShouldBeLessThanOrEqualTo(1, $"{name} at {viewport}: the page scrolls sideways");
            await browser.ShotAsync(page, $"{name}-{viewport}", asserted);
        }

        await page.SetViewportSizeAsync(1366, 768);
    }
}
