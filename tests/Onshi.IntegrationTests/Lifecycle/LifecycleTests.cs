using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Onshi.Core.Data;
using Onshi.Core.Features.Mail;
using Onshi.Core.Features.Operators;
using Onshi.IntegrationTests.Applications;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Operator;
using Onshi.IntegrationTests.Oqs;
using Onshi.IntegrationTests.Portal;
using Onshi.Operator.Hosting;
using Onshi.Oqs.Hosting;
using Onshi.Portal.Hosting;
using Onshi.Web.Hosting;
using Shouldly;

namespace Onshi.IntegrationTests.Lifecycle;

/// <summary>
/// An institution's whole life through the three real sites on one database, with nothing done by hand in the
/// database: a contact registers on the portal and applies; an operator approves in the console; the portal offers
/// the ユーザ設定情報 PDF; a terminal certificate is applied for, approved and downloaded once; the master logs in to the
/// OQS with the IDs read back out of the PDF; and the recovery chain of seed P3 ends at the call center, whose
/// re-issued 秘密の番号 lets the reset account in again.
/// </summary>
public abstract partial class LifecycleTests(string provider) : IAsyncLifetime
{
    private const string Code = "1310000042";
    private const string Email = "madoguchi@lifecycle-clinic.example.jp";
    private const string Secret = "3870";

    private TestDatabase database = null!;
    private string dataDirectory = null!;
    private WebApplication oqs = null!;
    private WebApplication portal = null!;
    private WebApplication console = null!;
    private X509Certificate2 ca = null!;
    private readonly CapturingLoggerProvider logs = new();
    private readonly List<CookieContainer> cookieJars = [];
    private readonly Dictionary<string, string> secrets = [];

    public async ValueTask InitializeAsync()
    {
        database = await TestDatabase.CreateAsync(provider);
        dataDirectory = Directory.CreateTempSubdirectory("onshi-life-").FullName;
        var settings = new OnshiSettings
        {
            DataDirectory = dataDirectory,
            DatabaseProvider = provider,
            ConnectionString = database.ConnectionString,
            OqsPort = 0,
        };
        void Logging(ILoggingBuilder b) => b.SetMinimumLevel(LogLevel.Debug).AddProvider(logs);
        oqs = OqsApp.Create(settings, configureLogging: Logging);
        await OnshiDatabase.MigrateAsync(oqs.Services, settings);
        await oqs.StartAsync();
        portal = PortalApp.Create(settings, 0, configureLogging: Logging, showOutbox: true);
        await portal.StartAsync();
        console = OperatorApp.Create(settings, 0, configureLogging: Logging);
        await console.StartAsync();
        ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(dataDirectory, "ca", "ca.crt"));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in new[] { console, portal, oqs })
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        ca.Dispose();
        await database.DisposeAsync();
        try
        {
            Directory.Delete(dataDirectory, recursive: true);
            File.Delete(Onshi.Core.Features.Secrets.MasterKey.DefaultKeyFilePath(dataDirectory));
        }
        catch (IOException)
        {
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Registration_Application_Approval_Pdf_Certificate_MastersFirstOqsLogin_ThenCallCenterRecovery()
    {
        // 1. Portal: register, follow the mailed link, log in, apply (新規, both environments).
        using var contact = Client(portal);
        (await contact.RegisterAsync(Email)).H1.ShouldBe("確認メールを送信しました");
        var outbox = portal.Services.GetRequiredService<IOptions<MailOptions>>().Value.OutboxDirectory!;
        var mail = OutboxReader.ReadAll(outbox).First(m => string.Equals(m.To, Email, StringComparison.OrdinalIgnoreCase));
        (await contact.GetAsync(new Uri(OutboxReader.Links(mail)[0]).PathAndQuery)).Status.ShouldBe(HttpStatusCode.OK);
        (await contact.PortalLoginAsync(Email, PortalStories.Password)).Path.ShouldBe("/");
        var newConfirm = await contact.SubmitAsync(await contact.GetAsync("/OnlineEligibility/Application/New"), "form[data-testid=new-form]", new Dictionary<string, string>
        {
            ["Input.InstitutionCode"] = Code,
            ["Input.InstitutionName"] = "ライフサイクル内科",
            ["Input.Address"] = "東京都千代田区千代田1-1",
            ["Input.Phone"] = "03-5555-0101",
            ["Input.Production"] = "true",
            ["Input.Verification"] = "true",
            ["Input.ContactName"] = "窓口 花子",
            ["Input.ContactPhone"] = "090-5555-0202",
            ["Input.SecretNumber"] = Secret,
            ["Input.SecretNumberConfirm"] = Secret,
        });
        var applied = await contact.SubmitAsync(newConfirm, "form[data-testid=confirm-submit]");
        applied.Text.ShouldContain("申請中");

        // 2. Console: a new supervisor's first login (forced change), then 審査 → 承認.
        using var operatorClient = await SupervisorAsync();
        await ApproveFirstAsync(operatorClient, "usage");

        // 3. Portal: マスタアカウント情報ダウンロード → list → detail → 添付ファイル; read the IDs out of the PDF.
        var documents = await contact.GetAsync("/OnlineEligibility/MasterAccount");
        documents.Q("[data-testid=count]")!.TextContent.Trim().ShouldBe("1~2 件目 / 2 件");
        var productionRow = documents.Document.QuerySelectorAll("[data-testid=documents] tbody tr").Single(r => r.TextContent.Contains("本番環境", StringComparison.Ordinal));
        var detail = await contact.GetAsync(productionRow.QuerySelector("a")!.GetAttribute("href")!);
        var attachment = detail.Q("[data-testid=attachment]")!;
        attachment.TextContent.Trim().ShouldBe("本_オンライン資格確認等システムユーザ設定情報.pdf");
        var pdf = await contact.Http.GetByteArrayAsync(attachment.GetAttribute("href"));
        var credentials = await ApplicationsHarness.ReadCredentialsAsync(pdf);
        credentials.Text.ShouldContain(Code);
        secrets["master initial password (PDF)"] = credentials.MasterPassword;
        secrets["portal password"] = PortalStories.Password;
        secrets["秘密の番号 (application)"] = Secret;

        // 4. Portal: 電子証明書発行申請 → console approves → the one-time download (passphrase shown once).
        var certificates = await contact.GetAsync("/OnlineEligibility/Certificates");
        var certificateConfirm = await contact.SubmitAsync(certificates, "form[data-testid=certificate-form]", new Dictionary<string, string> { ["Input.TerminalName"] = "UKETSUKE-01" });
        (await contact.SubmitAsync(certificateConfirm, "form[data-testid=confirm-submit]")).Path.ShouldBe("/OnlineEligibility/Certificates/Done");
        await ApproveFirstAsync(operatorClient, "certificate");
        var issued = await contact.SubmitAsync(await contact.GetAsync("/OnlineEligibility/Certificates"), "form[data-testid=download-form]");
        var passphrase = issued.Q("[data-testid=passphrase]")!.GetAttribute("data-secret")!;
        using var file = await contact.SubmitRawAsync(issued, "form[data-testid=file-form]");
        using var terminalCertificate = X509CertificateLoader.LoadPkcs12(await file.Content.ReadAsByteArrayAsync(), passphrase);
        secrets["certificate passphrase"] = passphrase;

        // 5. OQS with that terminal: the master's first login with the password from the PDF, which must be changed.
        using var terminal = Client(oqs, terminalCertificate);
        var forced = await terminal.LoginAsync(credentials.MasterUserId, credentials.MasterPassword);
        forced.Path.ShouldBe("/ChangePassword");
        (await terminal.ChangePasswordAsync(credentials.MasterPassword, "Lifecycle-Master-2026!")).Text.ShouldContain("パスワードを変更しました。");
        secrets["master new password"] = "Lifecycle-Master-2026!";
        (await terminal.GetAsync("/Menu")).H1.ShouldBe("メニュー");

        // P3 and P7–P8: the master registers an admin, then initializes its password; both passwords go into the scan.
        var register = await terminal.GetAsync("/Accounts/Register");
        var adminKind = register.Document.QuerySelectorAll("#Kind option").Single(o => o.TextContent.Trim() == "管理者").GetAttribute("value")!;
        var registered = await terminal.SubmitAsync(register, "main form", new Dictionary<string, string>
        {
            ["Input.Kind"] = adminKind,
            ["Input.UserId"] = "LIFE-ADMIN",
            ["Input.DisplayName"] = "受付 管理子",
        });
        registered.H1.ShouldBe("パスワード");
        secrets["admin initial password"] = registered.IssuedPassword();
        var initialized = await terminal.InitializePasswordAsync(await terminal.OpenDetailAsync(await terminal.SearchAsync("管理者"), "LIFE-ADMIN"));
        secrets["admin initialized password"] = initialized.IssuedPassword();
        secrets["admin initialized password"].ShouldNotBe(secrets["admin initial password"]);
        // Seed P5: 「初回ログイン後にパスワードを変更いただいているため、こちらに記載のパスワードでは、ログインはできません。」
        using (var again = Client(oqs, terminalCertificate))
        {
            (await again.LoginAsync(credentials.MasterUserId, credentials.MasterPassword)).Path.ShouldBe("/Login");
        }

        // 6. Seed P3's last branch: the 秘密の番号 is forgotten; five wrong tries lock the reset account for good.
        using var resetTerminal = Client(oqs, terminalCertificate);
        for (var i = 0; i < 5; i++)
        {
            (await resetTerminal.LoginAsync(credentials.ResetUserId, $"{i}{i + 1}{i + 3}9")).Path.ShouldBe("/Login");
        }

        (await resetTerminal.LoginAsync(credentials.ResetUserId, Secret)).Path.ShouldBe("/Login");

        // 7. The call center re-issues the number as a notice PDF (never on screen) and unlocks the account.
        var institutionId = await Db(db => db.Institutions.Where(i => i.Code == Code).Select(i => i.Id).SingleAsync());
        var desk = await operatorClient.GetAsync($"/CallCenter/Institution/{institutionId}");
        var confirm = await operatorClient.SubmitAsync(desk, "[data-testid=desk-form]", new Dictionary<string, string>
        {
            ["Input.Method"] = "registered-phone-callback",
            ["Input.CallerName"] = "窓口 花子",
            ["Input.Note"] = "登録電話番号に折り返して確認",
            ["Input.Environment"] = "Production",
        });
        var reissued = await operatorClient.SubmitAsync(confirm, "[data-testid=confirm-reissue] form");
        using var notice = await operatorClient.Http.GetAsync(reissued.Q("[data-testid=notice-download]")!.GetAttribute("href"));
        notice.Content.Headers.ContentType!.MediaType.ShouldBe("application/pdf");
        var noticeText = await PdfText.ExtractAsync(await notice.Content.ReadAsByteArrayAsync());
        var newSecret = NewSecretLine().Match(noticeText).Groups[1].Value;
        newSecret.ShouldMatch("^[0-9]{4}$");
        secrets["秘密の番号 (re-issued)"] = newSecret;
        noticeText.ShouldContain(credentials.ResetUserId);

        // 8. The reset account logs in with the new number from the notice; the old one no longer works.
        using var recovered = Client(oqs, terminalCertificate);
        (await recovered.LoginAsync(credentials.ResetUserId, Secret)).Path.ShouldBe("/Login");
        (await recovered.LoginAsync(credentials.ResetUserId, newSecret)).Path.ShouldBe("/Menu");

        // 9. No secret of this whole life in plain text: not in a log line (Debug level, all three sites), not in any
        //    column of any table, not in any file of the data directory (nor the SQLite file itself).
        var cookieValues = cookieJars.SelectMany(j => j.GetAllCookies()).Where(c => c.Value.Length >= 16).ToList();
        cookieValues.ShouldNotBeEmpty();
        foreach (var cookie in cookieValues)
        {
            secrets[$"cookie {cookie.Name}"] = cookie.Value;
        }

        logs.Lines.Count.ShouldBeGreaterThan(100, "Debug logging was captured");
        var rows = await Db(db => SecretScanner.DumpAsync(db.Database.GetDbConnection(), provider));
        var files = Directory.EnumerateFiles(dataDirectory, "*", SearchOption.AllDirectories)
            .Concat(provider == TestDatabase.Sqlite ? SecretScanner.SqliteFiles(database.ConnectionString) : []).ToList();
        SecretScanner.Scan(secrets, logs.Lines, rows, files).ShouldBeEmpty();

        // The CA key and the Data Protection keys are encrypted at rest.
        var caKey = await File.ReadAllTextAsync(Path.Combine(dataDirectory, "ca", "ca.key"));
        caKey.ShouldContain("BEGIN ENCRYPTED PRIVATE KEY");
        caKey.ShouldNotContain("BEGIN PRIVATE KEY");
        caKey.ShouldNotContain("BEGIN EC PRIVATE KEY");
        // The key ring is in the database (shared by every instance), no longer in DATA/keys.
        Directory.Exists(Path.Combine(dataDirectory, "keys")).ShouldBeFalse();
        var keyRows = await Db(db => db.DataProtectionKeys.Select(k => k.Xml).ToListAsync());
        keyRows.ShouldNotBeEmpty();
        foreach (var xml in keyRows)
        {
            xml.ShouldNotContain("<masterKey");
            xml.ShouldContain("onshiEncryptedSecret");
        }

        logs.Lines.ShouldNotContain(l => l.Contains("No XML encryptor", StringComparison.Ordinal));
    }

    private async Task<OqsClient> SupervisorAsync()
    {
        string temporary;
        await using (var scope = console.Services.CreateAsyncScope())
        {
            var created = await scope.ServiceProvider.GetRequiredService<OperatorCreationService>().CreateAsync("op-life", "運用 花子", OperatorRole.Supervisor, "test");
            temporary = created.Value!;
        }

        secrets["operator temporary password"] = temporary;
        secrets["operator password"] = "Unyou-Kanri-2026!";

        var client = Client(console);
        var forced = await client.OperatorLoginAsync("op-life", temporary);
        forced.Path.ShouldBe("/ChangePassword");
        await client.SubmitAsync(forced, "main form", new Dictionary<string, string>
        {
            ["Input.CurrentPassword"] = temporary,
            ["Input.NewPassword"] = "Unyou-Kanri-2026!",
            ["Input.ConfirmPassword"] = "Unyou-Kanri-2026!",
        });
        return client;
    }

    /// <summary>審査 → the oldest pending item of a queue → 承認 → confirm.</summary>
    private static async Task ApproveFirstAsync(OqsClient reviewer, string queue)
    {
        var list = await reviewer.GetAsync("/Review");
        var row = list.Q($"[data-testid=queue-{queue}] tbody tr").ShouldNotBeNull($"nothing pending in {queue}");
        var item = await reviewer.GetAsync(row.QuerySelector("a")!.GetAttribute("href")!);
        var confirm = await reviewer.GetAsync(item.Q("[data-testid=approve]")!.GetAttribute("href")!);
        var done = await reviewer.SubmitAsync(confirm, "[data-testid=confirm-approve] form");
        done.Q("[data-testid=approve]").ShouldBeNull();
    }

    private OqsClient Client(WebApplication app, X509Certificate2? clientCertificate = null)
    {
        var jar = new CookieContainer();
        cookieJars.Add(jar);
        return TestTls.Client(new Uri(app.Urls.First()), ca, clientCertificate, jar);
    }

    private async Task<T> Db<T>(Func<OnshiDbContext, Task<T>> action)
    {
        await using var scope = oqs.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<OnshiDbContext>());
    }

    [GeneratedRegex(@"新しい秘密の番号[^0-9]*?(?<![0-9])([0-9]{4})(?![0-9])")]
    private static partial Regex NewSecretLine();
}

public sealed class LifecycleTestsSqlite() : LifecycleTests(TestDatabase.Sqlite);

public sealed class LifecycleTestsPostgres() : LifecycleTests(TestDatabase.Postgres);
