using System.IO.Compression;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Cli.Commands;
using Onshi.Core.Data;
using Onshi.Core.Features.Applications;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Operators;
using Onshi.Core.Features.Secrets;
using Onshi.Core.Hosting;
using Onshi.IntegrationTests.Durability;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Oqs;
using Onshi.Web.Hosting;
using Shouldly;

namespace Onshi.IntegrationTests.Portal;

/// <summary>
/// <c>onshi demo</c> and then <c>onshi serve</c> (the real commands, child processes), as README's
/// <c>scripts/demo.sh</c> runs them: the demo institution's contact logs in to the portal like a new user and finds every
/// オンライン資格確認 item filled as the real flows leave it — the approved 利用申請, both ユーザ設定情報 and their ZIP with the
/// IDs of the accounts the demo printed, the 運用開始日, the approved and downloaded certificate of the demo's terminal, the
/// approved 補助金申請 and its 交付決定通知書 — on each database.
/// </summary>
public abstract class DemoPortalTests(string provider) : IAsyncLifetime
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly string dataDirectory = Directory.CreateTempSubdirectory("onshi-demo-").FullName;
    private TestDatabase? database;

    private OnshiSettings Settings => new() { DataDirectory = dataDirectory, DatabaseProvider = provider, ConnectionString = database?.ConnectionString };

    public async ValueTask InitializeAsync()
    {
        if (provider == TestDatabase.Postgres)
        {
            database = await TestDatabase.CreateAsync(provider);
        }
    }

    public async ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        if (database is not null)
        {
            await database.DisposeAsync();
        }

        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }

        File.Delete(MasterKey.DefaultKeyFilePath(dataDirectory));
        File.Delete(dataDirectory + ".serve.log");
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Demo_ThenServe_PortalContactFindsEveryItem_WithTheIdsOfTheDemoAccounts()
    {
        var ct = TestContext.Current.CancellationToken;
        var (code, output) = await OnshiChildProcess.RunAsync(Settings, ["demo", "--out", dataDirectory], ct);
        code.ShouldBe(0, output);
        var demo = JsonSerializer.Deserialize<DemoFile>(await File.ReadAllTextAsync(Path.Combine(dataDirectory, "demo.json"), ct), Json)!;
        var items = demo.PortalItems.ShouldNotBeNull();
        var master = demo.Accounts.Single(a => a.Kind == "master");
        var reset = demo.Accounts.Single(a => a.Kind == "reset");
        var production = items.MasterAccountInformation.Single(d => d.Environment == "production");
        var verification = items.MasterAccountInformation.Single(d => d.Environment == "verification");
        var today = items.OperationStart[0].StartDate;

        // What demo.json and the printed summary say: the served (本番) master and reset are those of the 本_ PDF.
        production.MasterUserId.ShouldBe(master.UserId);
        production.ResetUserId.ShouldBe(reset.UserId);
        production.InitialPasswordChanged.ShouldBeTrue();
        verification.MasterUserId.ShouldNotBe(master.UserId);
        verification.InitialPasswordChanged.ShouldBeFalse();
        output.ShouldContain($"本_オンライン資格確認等システムユーザ設定情報.pdf  master {master.UserId}  reset {reset.UserId}");
        output.ShouldContain($"接続_オンライン資格確認等システムユーザ設定情報.pdf  master {verification.MasterUserId}  reset {verification.ResetUserId}");
        output.ShouldContain(PortalDocumentService.BothEnvironmentsZipFileName);
        items.OperationStart.Select(o => (o.Environment, o.StartDate)).ShouldBe([("production", today), ("verification", today)]);
        items.CertificateApplication.Serial.ShouldBe(demo.Terminal.Serial);

        // The rows are those of the real flows: the contact applied, the demo operator decided (actor op: + its user ID,
        // as every operator row; the review services take it from the operator they checked).
        var audit = await AuditAsync(ct);
        var contact = audit.Single(a => a.Action == ApplicationAuditActions.UsageSubmit).Actor;
        contact.ShouldStartWith("portal:");
        audit.Where(a => a.Actor == OperatorAudit.Actor(demo.Operator!.UserId)).Select(a => a.Action).Distinct().ShouldBe(
        [
            ApplicationAuditActions.InstitutionCreate, AuditActions.AccountCreate, ApplicationAuditActions.UsageApprove, AuditActions.CertificateIssue,
            ApplicationAuditActions.CertificateApplicationApprove, ApplicationAuditActions.SubsidyApprove,
        ], ignoreOrder: true);
        audit.Where(a => a.Actor == contact).Select(a => a.Action).ShouldBe(
        [
            ApplicationAuditActions.UsageSubmit, ApplicationAuditActions.CertificateApplicationSubmit, ApplicationAuditActions.CertificateApplicationDownload,
            ApplicationAuditActions.CertificateApplicationFileSaved,
            ApplicationAuditActions.OperationStartRegister, ApplicationAuditActions.OperationStartRegister, ApplicationAuditActions.SubsidySubmit,
        ]);

        await using (var onshi = await OnshiChildProcess.ServeAsync(Settings, dataDirectory + ".serve.log", null, ct))
        {
            using var ca = X509CertificateLoader.LoadCertificateFromFile(demo.CaCert);
            using var portal = TestTls.Client(onshi.Portal, ca);
            var user = demo.PortalUser.ShouldNotBeNull();
            (await portal.PortalLoginAsync(user.Email, user.Password)).Path.ShouldBe("/");

            // 利用開始・変更申請: the 新規 of both environments, 承認.
            var applications = await portal.GetAsync("/OnlineEligibility/Application");
            Cells(applications, "[data-testid=applications] tbody tr").Select(r => r.Skip(1)).ShouldBe(
                [["新規", demo.Institution.Code, demo.Institution.Name, "本番環境・接続確認環境", today, "承認", ""]]);

            // マスタアカウント情報ダウンロード: the list of the seed (P4-3) with both environments.
            var list = await portal.GetAsync("/OnlineEligibility/MasterAccount");
            Cells(list, "[data-testid=documents] tbody tr").ShouldBe(
            [
                ["本_オンライン資格確認等システムユーザ設定情報.pdf", "本番環境", "新規", today],
                ["接続_オンライン資格確認等システムユーザ設定情報.pdf", "接続確認環境", "新規", today],
            ]);
            list.Q("[data-testid=count]")!.TextContent.Trim().ShouldBe("1~2 件目 / 2 件");

            // Detail → 添付ファイル (P4-4): each PDF names the accounts of its environment. The 本番 master has changed the
            // initial password the PDF shows, which the PDF itself says (as for every institution after its first login).
            var text = new Dictionary<string, string>();
            foreach (var link in list.Document.QuerySelectorAll("[data-testid=documents] tbody a").Select(a => a.GetAttribute("href")!).ToList())
            {
                var detail = await portal.GetAsync(link);
                using var pdf = await portal.Http.GetAsync(detail.Q("[data-testid=attachment]")!.GetAttribute("href"), ct);
                pdf.StatusCode.ShouldBe(HttpStatusCode.OK);
                text[pdf.Content.Headers.ContentDisposition!.FileNameStar!] = await PdfText.ExtractAsync(await pdf.Content.ReadAsByteArrayAsync(ct));
            }

            var productionPdf = text[production.FileName];
            productionPdf.ShouldMatch(@"利用環境\s+本番環境");
            productionPdf.ShouldMatch($@"医療機関等コード\s+{demo.Institution.Code}");
            productionPdf.ShouldMatch($@"(?m)^\s*ユーザID\s+{master.UserId}\s*$");
            productionPdf.ShouldMatch($@"リセット用ユーザID\s+{reset.UserId}");
            productionPdf.ShouldMatch(@"(?m)^\s*パスワード\s+\S{8,}\s*$");
            productionPdf.ShouldNotContain(master.Password);
            // The note may wrap: compare without whitespace.
            Regex.Replace(productionPdf, @"\s+", "").ShouldContain("※初回ログイン後にパスワードを変更いただいた場合、こちらに記載のパスワードではログインできません。");
            var verificationPdf = text[verification.FileName];
            verificationPdf.ShouldMatch(@"利用環境\s+接続確認環境");
            verificationPdf.ShouldMatch($@"(?m)^\s*ユーザID\s+{verification.MasterUserId}\s*$");
            verificationPdf.ShouldMatch($@"リセット用ユーザID\s+{verification.ResetUserId}");

            // The ZIP of both (P5-5, the old site's applicants).
            var first = await portal.GetAsync(list.Q("[data-testid=documents] tbody a")!.GetAttribute("href")!);
            using var zip = await portal.Http.GetAsync(first.Q("[data-testid=zip]")!.GetAttribute("href"), ct);
            zip.Content.Headers.ContentDisposition!.FileNameStar.ShouldBe(items.BothEnvironmentsZip);
            using (var archive = new ZipArchive(new MemoryStream(await zip.Content.ReadAsByteArrayAsync(ct))))
            {
                archive.Entries.Select(e => e.FullName).ShouldBe([production.FileName, verification.FileName], ignoreOrder: true);
            }

            // 運用開始日登録: a date in each environment.
            (await portal.GetAsync("/OnlineEligibility/OperationStart")).Document.QuerySelectorAll("[data-testid=current]").Select(e => e.TextContent)
                .ShouldBe([today, today]);

            // 電子証明書発行申請 / 申請照会: T0001, approved and already downloaded (the file the demo printed).
            var certificates = await portal.GetAsync("/OnlineEligibility/Certificates");
            var certificate = Cells(certificates, "[data-testid=certificate-applications] tbody tr").Single().Skip(1).ToList();
            certificate[0].ShouldBe("T0001");
            certificate[2].ShouldBe("承認");
            certificate[4].ShouldMatch(@"^\d{4}-\d{2}-\d{2}$");
            certificate[5].ShouldStartWith("証明書ファイル保存済み");
            certificates.Q("[data-testid=download-form]").ShouldBeNull();

            // 補助金申請 (承認) and its 交付決定通知書.
            var subsidy = Cells(await portal.GetAsync("/OnlineEligibility/Subsidy"), "[data-testid=subsidies] tbody tr").Single();
            subsidy[0].ShouldMatch(@"^S-\d{8}-\d{6}$");
            subsidy[1].ShouldBe($"{demo.Institution.Code} {demo.Institution.Name}");
            subsidy[3].ShouldBe("858,000円");
            subsidy[4].ShouldBe("429,000円");
            subsidy[5].ShouldBe(items.Subsidy.ReceiptFileName);
            subsidy[6].ShouldBe("承認");
            var notices = await portal.GetAsync("/OnlineEligibility/GrantNotices");
            Cells(notices, "[data-testid=notices] tbody tr").ShouldBe([[SubsidyService.GrantNoticeFileName, $"{demo.Institution.Code} {demo.Institution.Name}", today]]);
            using var notice = await portal.Http.GetAsync(notices.Q("[data-testid=notices] tbody a")!.GetAttribute("href"), ct);
            (await PdfText.ExtractAsync(await notice.Content.ReadAsByteArrayAsync(ct))).ShouldContain("429,000円");

            // The terminal certificate the demo wrote is the one downloaded there, and the master logs in with the password
            // the demo printed, without a forced change.
            using var terminal = X509CertificateLoader.LoadPkcs12FromFile(demo.Terminal.Pfx, demo.Terminal.Passphrase);
            terminal.SerialNumber.ShouldBe(demo.Terminal.Serial);
            using var oqs = TestTls.Client(onshi.Oqs, ca, terminal);
            (await oqs.LoginAsync(master.UserId, master.Password)).Path.ShouldBe("/Menu");
        }

        var (verifyCode, verifyOutput) = await OnshiChildProcess.RunAsync(Settings, ["audit", "verify"], ct);
        verifyCode.ShouldBe(0, verifyOutput);

        // --reuse prints the same summary from demo.json.
        var (reuseCode, reused) = await OnshiChildProcess.RunAsync(Settings, ["demo", "--out", dataDirectory, "--reuse"], ct);
        reuseCode.ShouldBe(0, reused);
        reused.ShouldContain($"本_オンライン資格確認等システムユーザ設定情報.pdf  master {master.UserId}  reset {reset.UserId}");
        reused.ShouldContain(SubsidyService.GrantNoticeFileName);
    }

    private static List<List<string>> Cells(OqsPage page, string rowSelector) =>
        [.. page.Document.QuerySelectorAll(rowSelector).Select(tr => tr.Children.Select(c => c.TextContent.Trim()).ToList())];

    private async Task<List<AuditEntry>> AuditAsync(CancellationToken ct)
    {
        var settings = Settings;
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddSingleton(MasterKey.Resolve(settings.DataDirectory));
        services.AddOnshiCore(settings.DataDirectory, o => OnshiDatabase.Configure(o, settings));
        await using var sp = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        await using var scope = sp.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<OnshiDbContext>().AuditEntries.AsNoTracking().OrderBy(a => a.Id).ToListAsync(ct);
    }
}

public sealed class DemoPortalTestsSqlite() : DemoPortalTests(TestDatabase.Sqlite);

public sealed class DemoPortalTestsPostgres() : DemoPortalTests(TestDatabase.Postgres);
