using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.IntegrationTests.Oqs;
using Shouldly;

namespace Onshi.BrowserTests.Oqs;

/// <summary>
/// 操作ログ照会 in a real browser: the master opens it from the メニュー, filters by 操作, pages, downloads the CSV, sees
/// a bad period refused on its field, and opens the ログイン履歴; axe-core and the form rules on every step.
/// </summary>
public sealed class AuditLogWalkTests : IAsyncLifetime
{
    private OqsServer server = null!;

    public async ValueTask InitializeAsync() => server = await OqsServer.StartAsync("sqlite");

    public async ValueTask DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task Master_FiltersPagesAndDownloadsTheCsv()
    {
        var code = server.Demo.Institution.Code;
        var institution = await server.WithDbAsync(db => db.Institutions.AsNoTracking().SingleAsync(i => i.Code == code));
        await using (var scope = server.App.Services.CreateAsyncScope())
        {
            var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();
            for (var i = 0; i < 60; i++)
            {
                audit.Record(new AuditRecord(AuditActions.AccountUpdate, AuditOutcomes.Success)
                {
                    Environment = OqsEnvironment.Production,
                    InstitutionId = institution.Id,
                    InstitutionCode = code,
                    Actor = server.Account("admin").UserId,
                    ActorKind = AccountKind.Admin,
                    Target = $"STAFF{i:00}",
                    Detail = "name",
                });
            }

            await audit.CommitAsync();
        }

        await using var browser = await BrowserSession.StartAsync(server, "oqs-audit-log");
        var master = server.Account("master");
        var page = await browser.NewPageAsync(server, server.Demo.Terminal);
        await page.GotoAsync(server.BaseAddress + "Login");
        await page.GetByLabel("ユーザID").FillAsync(master.UserId);
        await page.GetByLabel("パスワード").FillAsync(master.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "ログイン" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "メニュー" })).ToBeVisibleAsync();
        await browser.ShotAsync(page, "menu", "メニュー lists 操作ログ照会 under アカウント情報管理");

        await page.GetByRole(AriaRole.Link, new() { Name = "操作ログ照会" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "操作ログ照会" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("audit-log").GetByRole(AriaRole.Cell, new() { Name = "ログイン", Exact = true }).First).ToBeVisibleAsync();
        await browser.ShotAsync(page, "all", "newest first: the master's own login on top, times in JST");

        await page.GetByLabel("操作", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "アカウント更新" });
        await page.GetByRole(AriaRole.Button, new() { Name = "検索", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("count")).ToHaveTextAsync("1~50 件目 / 60 件");
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = "STAFF59", Exact = true })).ToBeVisibleAsync();
        await browser.ShotAsync(page, "filtered", "操作「アカウント更新」: 1~50 件目 / 60 件");

        await page.GetByRole(AriaRole.Link, new() { Name = "次へ" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("count")).ToHaveTextAsync("51~60 件目 / 60 件");
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = "STAFF00", Exact = true })).ToBeVisibleAsync();
        await browser.ShotAsync(page, "page-2", "次へ: 51~60 件目 / 60 件, the filter kept");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "CSV出力" }).ClickAsync());
        var jstToday = server.Time.GetUtcNow().AddHours(9).ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        download.SuggestedFilename.ShouldBe($"操作ログ_{code}_{jstToday}.csv");
        var csvPath = Path.Combine(browser.ShotDirectory, "audit.csv");
        await download.SaveAsAsync(csvPath);
        var bytes = await File.ReadAllBytesAsync(csvPath);
        bytes[..3].ShouldBe(new byte[] { 0xEF, 0xBB, 0xBF });
        var records = CsvReader.Parse(System.Text.Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3));
        records.Count.ShouldBe(61);
        records.Skip(1).ShouldAllBe(r => r[1] == code && r[5] == "アカウント更新" && r[9] == "ユーザ名");

        await page.GetByLabel("期間（開始日）").FillAsync("2026-11-25");
        await page.GetByLabel("期間（終了日）").FillAsync("2026-11-24");
        await page.GetByRole(AriaRole.Button, new() { Name = "検索", Exact = true }).ClickAsync();
        var summary = page.GetByTestId("error-summary");
        await Assertions.Expect(summary).ToBeVisibleAsync();
        await Assertions.Expect(summary.GetByRole(AriaRole.Link, new() { Name = "期間の開始日は終了日以前の日付を入力してください。" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("期間（開始日）")).ToHaveAttributeAsync("aria-invalid", "true");
        await browser.ShotAsync(page, "bad-period", "開始日 after 終了日: the error summary and the field error, no results");

        await page.GetByRole(AriaRole.Link, new() { Name = "ログイン履歴（ログイン日時と利用時間）" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "ログイン履歴" })).ToBeVisibleAsync();
        await page.GetByLabel("期間（開始日）").FillAsync("");
        await page.GetByLabel("期間（終了日）").FillAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "検索", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("login-history").GetByRole(AriaRole.Cell, new() { Name = "終了の記録なし（ログイン中）" })).ToBeVisibleAsync();
        await browser.ShotAsync(page, "logins", "ログイン履歴: the master's session, still open");
    }
}
