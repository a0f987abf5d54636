using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Onshi.BrowserTests.Lifecycle;
using Onshi.BrowserTests.Oqs;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Applications;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Institutions;
using Onshi.Core.Features.Operators;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Oqs;
using Onshi.IntegrationTests.Portal;
using Shouldly;

namespace Onshi.BrowserTests.Layout;

/// <summary>
/// Issue 14 (1): every list table of the three sites, filled with realistic data (dozens of rows, long names), at
/// 1366×768, 1920×1080, 390 px wide and 200 % zoom (683×384 CSS pixels: the layout of 1366×768 at 200 %). No cell that
/// holds an ID, a state, a date, an amount or a link may wrap (each of its text nodes stays on one line); only cells
/// marked <c>cell-wrap</c> (names, addresses, free text) may. Every list table sits in its own focusable, named scroll
/// box, and the page itself never scrolls sideways. Screenshots in artifacts/screenshots/list-tables-*.
/// </summary>
public sealed class ListTableLayoutTests : IAsyncLifetime
{
    private const string Email = "jimu.tanto@clinic.example.jp";
    private const string OperatorPassword = "Shinsa-Kanri-2026!";

    private static readonly (string Name, int Width, int Height)[] Viewports =
    [
        ("1366", 1366, 768),
        ("1920", 1920, 1080),
        ("390", 390, 844),
        ("zoom200", 683, 384),
    ];

    private static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    // What a list page must satisfy: the cells that are not cell-wrap on one line; the page without sideways overflow;
    // every list table inside a focusable, named scroll box.
    private const string LayoutScript = """
        () => {
          const broken = [];
          for (const cell of document.querySelectorAll('table.data:not(.kv) th, table.data:not(.kv) td')) {
            if (cell.classList.contains('cell-wrap')) continue;
            const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
            for (let n = walker.nextNode(); n; n = walker.nextNode()) {
              if (!n.textContent.trim() || n.parentElement.closest('.visually-hidden')) continue;
              const range = document.createRange();
              range.selectNodeContents(n);
              const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
              if (tops.size > 1) broken.push(cell.textContent.trim().slice(0, 40));
            }
          }
          const doc = document.documentElement;
          const tables = document.querySelectorAll('table.data:not(.kv)');
          const boxed = [...tables].filter(t => {
            const box = t.parentElement;
            return box.classList.contains('table-scroll') && box.getAttribute('role') === 'group' && box.tabIndex === 0
              && (box.getAttribute('aria-label') || box.getAttribute('aria-labelledby'));
          }).length;
          const rows = document.querySelectorAll('table.data:not(.kv) tbody tr').length;
          const scrolling = [...document.querySelectorAll('.table-scroll')].filter(b => b.scrollWidth > b.clientWidth + 1).length;
          return JSON.stringify({ broken, overflow: doc.scrollWidth - doc.clientWidth, tables: tables.length, boxed, rows, scrolling });
        }
        """;

    private PortalServer portal = null!;
    private ConsoleOnPortalDatabase console = null!;
    private OqsServer oqs = null!;

    public async ValueTask InitializeAsync()
    {
        portal = await PortalServer.StartAsync(TestDatabase.Sqlite, showOutbox: true);
        console = await ConsoleOnPortalDatabase.StartAsync(portal, TestDatabase.Sqlite);
        oqs = await OqsServer.StartAsync(TestDatabase.Sqlite);
    }

    public async ValueTask DisposeAsync()
    {
        await oqs.DisposeAsync();
        await console.DisposeAsync();
        await portal.DisposeAsync();
    }

    [Fact]
    public async Task EveryListTable_KeepsIdsStatesDatesAndLinksOnOneLine_AndScrollsInItsOwnBox()
    {
        var institutionId = await SeedPortalAsync();
        await SeedOqsAsync();
        await using var browser = await BrowserSession.StartAsync("list-tables", oqs.Demo.CaCert);

        // The OQS, as its マスタ.
        var master = oqs.Account("master");
        var oqsPage = await browser.NewPageAsync(oqs, oqs.Demo.Terminal);
        await oqsPage.GotoAsync(oqs.BaseAddress + "Login");
        await oqsPage.GetByLabel("ユーザID").FillAsync(master.UserId);
        await oqsPage.GetByLabel("パスワード").FillAsync(master.Password);
        await oqsPage.GetByRole(AriaRole.Button, new() { Name = "ログイン" }).ClickAsync();
        await Assertions.Expect(oqsPage.GetByRole(AriaRole.Heading, new() { Name = "メニュー" })).ToBeVisibleAsync();
        await CheckAsync(browser, oqsPage, "oqs-accounts", new Uri(oqs.BaseAddress, "/Accounts?search=1"), minRows: 20);
        await CheckAsync(browser, oqsPage, "oqs-audit-log", new Uri(oqs.BaseAddress, "/AuditLog"), minRows: 40);
        await CheckAsync(browser, oqsPage, "oqs-logins", new Uri(oqs.BaseAddress, "/AuditLog/Logins"), minRows: 1);
        await CheckAsync(browser, oqsPage, "oqs-terminals", new Uri(oqs.BaseAddress, "/Terminals"), minRows: 1);

        // The portal, as the institutions' contact person.
        var portalPage = await browser.NewPageAsync(portal.BaseAddress);
        await portalPage.GotoAsync(new Uri(portal.BaseAddress, "/Account/Login").ToString());
        await portalPage.GetByLabel("ユーザーID (原則メールアドレス)").FillAsync(Email);
        await portalPage.GetByLabel("パスワード", new() { Exact = true }).FillAsync(PortalStories.Password);
        await portalPage.GetByRole(AriaRole.Button, new() { Name = "ログイン" }).ClickAsync();
        await Assertions.Expect(portalPage).Not.ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/Account/Login"));
        foreach (var (name, path, rows) in new[]
        {
            ("portal-applications", "/OnlineEligibility/Application", 30),
            ("portal-master-accounts", "/OnlineEligibility/MasterAccount", 4),
            ("portal-certificates", "/OnlineEligibility/Certificates", 4),
            ("portal-subsidies", "/OnlineEligibility/Subsidy", 4),
            ("portal-grant-notices", "/OnlineEligibility/GrantNotices", 1),
            ("portal-operation-start", "/OnlineEligibility/OperationStart", 2),
            ("portal-outbox", "/Dev/Outbox", 1),
        })
        {
            await CheckAsync(browser, portalPage, name, new Uri(portal.BaseAddress, path), rows);
        }

        // The operator console, as a Supervisor (every screen).
        var temporary = await console.CreateOperatorAsync("sv-layout", OperatorRole.Supervisor);
        var op = await browser.NewPageAsync(console.BaseAddress);
        await op.GotoAsync(new Uri(console.BaseAddress, "/Login").ToString());
        await op.GetByLabel("ユーザID").FillAsync("sv-layout");
        await op.GetByLabel("パスワード").FillAsync(temporary);
        await op.GetByRole(AriaRole.Button, new() { Name = "ログイン" }).ClickAsync();
        await op.GetByLabel("現在のパスワード").FillAsync(temporary);
        await op.GetByLabel("新しいパスワード", new() { Exact = true }).FillAsync(OperatorPassword);
        await op.GetByLabel("新しいパスワード（確認）").FillAsync(OperatorPassword);
        await op.GetByRole(AriaRole.Button, new() { Name = "変更する" }).ClickAsync();
        await Assertions.Expect(op.GetByText("パスワードを変更しました。")).ToBeVisibleAsync();
        var usageId = await portal.WithDbAsync(db => db.UsageApplications.Where(a => a.InstitutionId == institutionId).Select(a => a.Id).FirstAsync());
        foreach (var (name, path, rows) in new[]
        {
            ("console-review", "/Review", 25),
            ("console-review-usage", $"/Review/Usage/{usageId}", 2),
            ("console-certificates", "/Certificates", 3),
            ("console-audit", "/Audit", 40),
            ("console-callcenter", "/CallCenter?q=" + Uri.EscapeDataString("医療法人"), 3),
            ("console-callcenter-institution", $"/CallCenter/Institution/{institutionId}", 2),
        })
        {
            await CheckAsync(browser, op, name, new Uri(console.BaseAddress, path), rows);
        }
    }

    /// <summary>Opens <paramref name="url"/> at each viewport, saves a screenshot (axe-core runs) and checks the layout.</summary>
    private static async Task CheckAsync(BrowserSession browser, IPage page, string name, Uri url, int minRows)
    {
        foreach (var (viewport, width, height) in Viewports)
        {
            await page.SetViewportSizeAsync(width, height);
            var response = await page.GotoAsync(url.ToString());
            response.ShouldNotBeNull().Ok.ShouldBeTrue($"{url} answered {response?.Status}");
            using var result = JsonDocument.Parse(await page.EvaluateAsync<string>(LayoutScript));
            var r = result.RootElement;
            var broken = r.GetProperty("broken").EnumerateArray().Select(e => e.GetString()).ToList();
            var summary = string.Create(CultureInfo.InvariantCulture,
                $"{viewport}: {r.GetProperty("tables").GetInt32()} list table(s), {r.GetProperty("rows").GetInt32()} rows, "
                + $"{r.GetProperty("scrolling").GetInt32()} scrolling in its box, page overflow {r.GetProperty("overflow").GetInt32()} px, no ID/state/date/link cell wrapped");
            await browser.ShotAsync(page, $"{name}-{viewport}", summary);

            r.GetProperty("tables").GetInt32().ShouldBeGreaterThan(0, $"{name}: no list table at {url}");
            r.GetProperty("rows").GetInt32().ShouldBeGreaterThanOrEqualTo(minRows, $"{name}: too few rows to test");
            r.GetProperty("boxed").GetInt32().ShouldBe(r.GetProperty("tables").GetInt32(), $"{name}: a list table outside its scroll box");
            broken.ShouldBeEmpty($"{name} at {viewport}: cells broken across lines");
            r.GetProperty("overflow").GetInt32().ShouldBeLessThanOrEqualTo(1, $"{name} at {viewport}: the page scrolls sideways");
        }

        await page.SetViewportSizeAsync(1280, 900);
    }

    /// <summary>
    /// A portal user with 30 applications for institutions with long names; three approved, each with certificate
    /// applications (two issued), subsidies (one granted) and 運用開始日 registered. Returns the first institution's id.
    /// </summary>
    private async Task<long> SeedPortalAsync()
    {
        await portal.RegisterVerifiedAsync(Email);
        var userId = (await portal.UsersAsync(Email)).Single().Id;
        var reviewer = await TestOperators.CreateAsync(portal.App.Services, "reviewer-layout", OperatorRole.Reviewer);
        var applications = new List<long>();
        for (var i = 0; i < 30; i++)
        {
            var code = InstitutionCode.WithCheckDigit(string.Create(CultureInfo.InvariantCulture, $"131{700000 + (i * 7):000000}"));
            var id = await ServiceAsync<UsageApplicationService, OpResult<long>>(s => s.SubmitNewAsync(userId, new NewApplicationInput
            {
                InstitutionCode = code,
                InstitutionName = $"医療法人社団さくら会　みなと中央総合クリニック・リハビリテーションセンター第{i + 1}分院",
                Address = "東京都港区芝公園四丁目二番八号　みなとメディカルプラザ十二階",
                Phone = "03-5555-0101",
                Environments = EnvironmentSet.Production | EnvironmentSet.Verification,
                ContactName = "事務長　山田 花子",
                ContactPhone = "090-5555-0202",
                SecretNumber = "3870",
                SecretNumberConfirm = "3870",
            }));
            id.Succeeded.ShouldBeTrue(string.Join(" / ", id.Errors.Select(e => e.Message)));
            applications.Add(id.Value);
        }

        var institutions = new List<long>();
        foreach (var applicationId in applications.Take(3))
        {
            var approved = await ServiceAsync<ApplicationReviewService, OpResult<UsageApprovalResult>>(s => s.ApproveUsageAsync(reviewer, applicationId));
            approved.Succeeded.ShouldBeTrue(string.Join(" / ", approved.Errors.Select(e => e.Message)));
            institutions.Add(approved.Value!.InstitutionId);
        }

        foreach (var institutionId in institutions)
        {
            for (var t = 1; t <= 2; t++)
            {
                var applied = await ServiceAsync<CertificateApplicationService, OpResult<long>>(s =>
                    s.SubmitAsync(userId, institutionId, string.Create(CultureInfo.InvariantCulture, $"UKETSUKE-MADOGUCHI-{t:00}")));
                applied.Succeeded.ShouldBeTrue(string.Join(" / ", applied.Errors.Select(e => e.Message)));
                if (t == 1)
                {
                    (await ServiceAsync<CertificateApplicationService, OpResult>(s => s.ApproveAsync(reviewer, applied.Value))).Succeeded.ShouldBeTrue();
                }
            }

            var subsidy = await ServiceAsync<SubsidyService, OpResult<long>>(s => s.SubmitAsync(userId, institutionId, new SubsidyInput
            {
                TotalCost = 5_410_000,
                ClaimedAmount = 541_000,
                Description = "資格確認端末（顔認証付きカードリーダー）の導入とレセプトコンピュータの改修",
                ReceiptFileName = "領収書_資格確認端末導入_2026年度.png",
                ReceiptContentType = "image/png",
                ReceiptBytes = Png,
            }));
            subsidy.Succeeded.ShouldBeTrue(string.Join(" / ", subsidy.Errors.Select(e => e.Message)));
            await ServiceAsync<SubsidyService, OpResult<long>>(s => s.SubmitAsync(userId, institutionId, new SubsidyInput
            {
                TotalCost = 1_200_000,
                ClaimedAmount = 300_000,
                Description = "ネットワーク機器の導入",
                ReceiptFileName = "receipt.png",
                ReceiptContentType = "image/png",
                ReceiptBytes = Png,
            }));
            if (institutionId == institutions[0])
            {
                (await ServiceAsync<SubsidyService, OpResult<long>>(s => s.ApproveAsync(reviewer, subsidy.Value, 541_000))).Succeeded.ShouldBeTrue();
            }
        }

        return institutions[0];
    }

    /// <summary>35 more OQS accounts with long ユーザ名 (copies of the demo 一般 account) and 60 操作ログ rows.</summary>
    private async Task SeedOqsAsync()
    {
        var normalized = oqs.Account("general").UserId.ToUpperInvariant();
        await oqs.WithDbAsync(async db =>
        {
            var template = await db.Accounts.AsNoTracking().SingleAsync(a => a.NormalizedUserId == normalized);
            for (var i = 0; i < 35; i++)
            {
                var userId = string.Create(CultureInfo.InvariantCulture, $"UKETSUKE{i:00}");
                db.Accounts.Add(new Account
                {
                    InstitutionId = template.InstitutionId,
                    Environment = template.Environment,
                    UserId = userId,
                    NormalizedUserId = userId,
                    DisplayName = i % 3 == 0 ? "受付窓口・医事課（外来・入院・健診センター共用）担当者" : $"受付 {i}",
                    Kind = template.Kind,
                    PasswordHash = template.PasswordHash,
                    PasswordChangedAt = template.PasswordChangedAt,
                    PasswordExpiresAt = template.PasswordExpiresAt,
                    LastLoginAt = template.LastLoginAt ?? template.CreatedAt,
                    CreatedAt = template.CreatedAt,
                    UpdatedAt = template.UpdatedAt,
                });
            }

            return await db.SaveChangesAsync();
        });

        var code = oqs.Demo.Institution.Code;
        var institution = await oqs.WithDbAsync(db => db.Institutions.AsNoTracking().SingleAsync(i => i.Code == code));
        var serial = await oqs.WithDbAsync(db => db.TerminalCertificates.AsNoTracking().Where(c => c.InstitutionId == institution.Id)
            .Select(c => c.SerialNumber).FirstAsync());
        await using var scope = oqs.App.Services.CreateAsyncScope();
        var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();
        for (var i = 0; i < 60; i++)
        {
            audit.Record(new AuditRecord(i % 2 == 0 ? AuditActions.AccountUpdate : AuditActions.PasswordInitialize, AuditOutcomes.Success)
            {
                Environment = OqsEnvironment.Production,
                InstitutionId = institution.Id,
                InstitutionCode = code,
                Actor = oqs.Account("admin").UserId,
                ActorKind = AccountKind.Admin,
                Target = string.Create(CultureInfo.InvariantCulture, $"UKETSUKE{i % 35:00}"),
                Detail = i % 2 == 0 ? "name,kind:general>admin,disabled" : "general",
                CertificateSerial = serial,
                ClientAddress = "2001:db8:85a3::8a2e:370:7334",
            });
        }

        await audit.CommitAsync();
    }

    private async Task<TResult> ServiceAsync<TService, TResult>(Func<TService, Task<TResult>> action)
        where TService : notnull
    {
        await using var scope = portal.App.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }
}
