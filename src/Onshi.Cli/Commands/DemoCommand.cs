using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Cli.Seeding;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Accounts;
using Onshi.Core.Features.Applications;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Caching;
using Onshi.Core.Features.Certificates;
using Onshi.Core.Features.Documents;
using Onshi.Core.Features.Institutions;
using Onshi.Core.Features.Mail;
using Onshi.Core.Features.Operators;
using Onshi.Core.Features.Passwords;
using Onshi.Core.Features.Secrets;
using Onshi.Operator.Hosting;
using Onshi.Portal.Hosting;

namespace Onshi.Cli.Commands;

/// <summary>
/// <c>onshi demo --out DIR</c>: a fresh data directory with a demo institution (one account of each kind, a terminal
/// certificate, and on the portal what its contact's applications left there) and a second institution for trying
/// isolation, described in <c>DIR/demo.json</c>.
/// </summary>
internal static class DemoCommand
{
    /// <summary>The name of each demo institution's one terminal.</summary>
    private const string Terminal = "T0001";

    /// <summary>The demo 補助金申請: 事業費 and 申請額 (yen), and the receipt's file name.</summary>
    private const long SubsidyTotalCost = 858_000;
    private const long SubsidyClaimed = 429_000;
    private const string ReceiptFileName = "領収書_資格確認端末.pdf";

    /// <summary>The client address of the demo operator's decisions, made by this command rather than from a browser.</summary>
    private const string CliClientAddress = "cli";

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Command Create()
    {
        var common = new CommonOptions();
        var output = new Option<string>("--out") { Description = "作成するデータディレクトリ", DefaultValueFactory = _ => "demo" };
        var oqsPort = new Option<int>("--oqs-port") { Description = "demo.json に書く OQS のポート", DefaultValueFactory = _ => 8443 };
        var portalPort = new Option<int>("--portal-port") { Description = "demo.json に書くポータルのポート", DefaultValueFactory = _ => PortalApp.DefaultPort };
        var operatorPort = new Option<int>("--operator-port") { Description = "demo.json に書く運用者コンソールのポート", DefaultValueFactory = _ => OperatorApp.DefaultPort };
        var force = new Option<bool>("--force") { Description = "既存のディレクトリを消して作り直す" };
        var reuse = new Option<bool>("--reuse") { Description = "demo.json があればそのまま使い、内容を表示する" };
        var cmd = new Command("demo", "デモ用のデータディレクトリを作成します (create a demo data directory)") { output, oqsPort, portalPort, operatorPort, force, reuse };
        common.AddTo(cmd);
        cmd.SetAction(async (r, ct) =>
        {
            var dir = Path.GetFullPath(r.GetValue(output)!);
            var existing = Path.Combine(dir, "demo.json");
            if (r.GetValue(reuse) && File.Exists(existing))
            {
                Print(JsonSerializer.Deserialize<DemoFile>(await File.ReadAllTextAsync(existing, ct), Json)!, existing);
                return 0;
            }

            if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any())
            {
                if (!r.GetValue(force))
                {
                    Console.Error.WriteLine($"{dir} は空ではありません。作り直す場合は --force を付けてください。");
                    return 2;
                }

                Directory.Delete(dir, recursive: true);
            }

            var settings = common.Settings(r, dir);
            // The portal's and the console's use cases, with the key ring the sites share: the documents and the
            // certificate the demo's applications leave behind are encrypted for the served portal to open.
            await using var sp = await CommonOptions.BuildServicesAsync(settings, ct, (s, key) =>
            {
                s.AddOnshiDataProtection(settings.DataDirectory, key);
                s.AddOnshiMail(settings.DataDirectory);
                s.AddOnshiApplications();
            });
            var demo = await BuildAsync(sp, settings.Environment, dir, r.GetValue(oqsPort), ct, r.GetValue(portalPort), r.GetValue(operatorPort), portalItems: true,
                insuredPopulation: DemoInsured.Population);
            var path = Path.Combine(dir, "demo.json");
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(demo, Json), ct);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            Console.WriteLine($"デモデータを作成しました: {path}");
            Print(demo, path);
            return 0;
        });
        return cmd;
    }

    private static void Print(DemoFile demo, string path)
    {
        var w = Console.Out;
        w.WriteLine();
        w.WriteLine("== Onshi demo ==========================================================================");
        w.WriteLine($"OQS (オンライン資格確認等システム): {demo.OqsUrl}   (mutual TLS: the browser must present the terminal certificate)");
        w.WriteLine($"demo.json:        {path}");
        w.WriteLine($"CA certificate:   {demo.CaCert}");
        w.WriteLine($"Terminal (端末):   {demo.Institution.Code} {demo.Institution.Name} / T0001");
        w.WriteLine($"  PKCS#12:        {demo.Terminal.Pfx}");
        w.WriteLine($"  passphrase:     {demo.Terminal.Passphrase}");
        w.WriteLine();
        w.WriteLine("Accounts of the demo institution (kind / ユーザID / パスワード; the reset account's password is its 秘密の番号):");
        foreach (var a in demo.Accounts)
        {
            w.WriteLine($"  {a.Kind,-8} {a.UserId,-14} {a.Password}");
        }

        w.WriteLine();
        if (demo.Insured.Count > 0)
        {
            w.WriteLine("Patients to look up (資格情報照会 as 一般 or 管理者; also in demo.json `insured`):");
            w.WriteLine("  保険者番号 / 記号 / 番号 / 枝番 / 生年月日 → 資格有効性");
            foreach (var p in demo.Insured)
            {
                w.WriteLine($"  {p.InsurerNumber} / {(p.Symbol.Length == 0 ? "-" : p.Symbol)} / {p.Number} / {p.Branch ?? "-"} / {p.Birthdate} → {p.Validity}");
            }

            w.WriteLine("Reception software: `bash scripts/recekon.sh " + path + "` (the Web API with the webapi account, and `onshi link` with the app account).");
            w.WriteLine();
        }

        w.WriteLine($"Another institution, to try isolation: {demo.OtherInstitution.Code} {demo.OtherInstitution.Name}");
        w.WriteLine($"  PKCS#12: {demo.OtherInstitution.Terminal.Pfx}  passphrase: {demo.OtherInstitution.Terminal.Passphrase}");
        foreach (var a in demo.OtherInstitution.Accounts.Where(a => a.Kind is "master" or "admin"))
        {
            w.WriteLine($"  {a.Kind,-8} {a.UserId,-14} {a.Password}");
        }

        w.WriteLine();
        if (demo.PortalUser is { } pu)
        {
            w.WriteLine($"医療機関等向け総合ポータルサイト: {demo.PortalUrl}   user {pu.Email}  password {pu.Password}   (mail outbox: {demo.PortalUrl}Dev/Outbox)");
        }

        if (demo.PortalItems is { } items)
        {
            PrintPortalItems(w, items);
        }

        if (demo.Operator is { } op)
        {
            w.WriteLine($"運用者コンソール (loopback):     {demo.OperatorUrl}   user {op.UserId}  password {op.Password}   (role: 管理)");
        }

        w.WriteLine();
        w.WriteLine("Import into Chromium / Chrome (Linux): chrome://certificates (or Settings → Privacy and security → Security →");
        w.WriteLine("  Manage certificates):");
        w.WriteLine($"  1. 「Your certificates」 → Import → {demo.Terminal.Pfx} → passphrase above.");
        w.WriteLine($"  2. 「Authorities」 → Import → {demo.CaCert} → trust for identifying websites.");
        w.WriteLine($"  Then open {demo.OqsUrl}, pick the certificate in the dialog, and click 「システムの利用を始める」.");
        w.WriteLine("  Command line alternative (NSS): pk12util -d sql:$HOME/.pki/nssdb -i <PKCS#12> -W <passphrase>;");
        w.WriteLine("    certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n onshi-ca -i <CA certificate>");
        w.WriteLine($"  curl: curl --cacert {demo.CaCert} --cert {demo.Terminal.CertPem} --key {demo.Terminal.KeyPem} {demo.OqsUrl}");
        w.WriteLine("=========================================================================================");
    }

    private static void PrintPortalItems(TextWriter w, DemoPortalItems items)
    {
        w.WriteLine("  What its contact finds there (made by the portal's and the console's own flows, approved by the operator below):");
        w.WriteLine($"    利用開始・変更申請:           {items.UsageApplication.Kind} {items.UsageApplication.Environments} → {items.UsageApplication.Status}");
        w.WriteLine("    マスタアカウント情報ダウンロード:");
        foreach (var d in items.MasterAccountInformation)
        {
            var password = d.InitialPasswordChanged
                ? "the PDF's password is the initial one, which the master changed at its first login: use the one above"
                : "the PDF's password is the initial one, to be changed at the first login";
            w.WriteLine($"      {d.FileName}  master {d.MasterUserId}  reset {d.ResetUserId}  ({password})");
        }

        w.WriteLine($"      {items.BothEnvironmentsZip}  (both, as for the old site's applicants)");
        w.WriteLine($"    運用開始日登録:               {string.Join("  ", items.OperationStart.Select(o => $"{EnvironmentLabel(o.Environment)} {o.StartDate}"))}");
        var c = items.CertificateApplication;
        w.WriteLine($"    電子証明書発行申請 / 申請照会: {c.TerminalName} {c.Status}, downloaded once (the PKCS#12 above, serial {c.Serial})");
        var sub = items.Subsidy;
        w.WriteLine($"    補助金申請:                   {sub.Status} 事業費 {sub.TotalCost:#,0}円 申請額 {sub.ClaimedAmount:#,0}円 交付決定額 {sub.GrantedAmount:#,0}円");
        w.WriteLine($"    交付決定通知書ダウンロード:   {sub.GrantNoticeFileName}");
    }

    private static string EnvironmentLabel(string environment) => environment == EnvironmentCode(OqsEnvironment.Production) ? "本番環境" : "接続確認環境";

    private static string EnvironmentCode(OqsEnvironment environment) => environment == OqsEnvironment.Production ? "production" : "verification";

    /// <summary>
    /// Fills the database and <paramref name="dir"/> with the demo. With <paramref name="portalItems"/> (what <c>onshi demo</c>
    /// does) the demo institution comes to be as a real one does, through the portal's and the console's services (see
    /// <see cref="AppliedInstitutionAsync"/>; needs <c>AddOnshiApplications</c> and the shared key ring). Without, it is
    /// provisioned directly and the portal shows it nothing: the test servers of the OQS and the console use this, which
    /// renders no PDF.
    /// </summary>
    internal static async Task<DemoFile> BuildAsync(IServiceProvider sp, OqsEnvironment environment, string dir, int oqsPort, CancellationToken ct,
        int portalPort = PortalApp.DefaultPort, int operatorPort = OperatorApp.DefaultPort, bool portalItems = true, int insuredPopulation = 0)
    {
        var ca = sp.GetRequiredService<CertificateAuthority>();
        var (op, operatorId) = await OperatorAsync(sp, ct);
        var contact = await PortalUserAsync(sp, ct);
        var demo = new DemoApplicant(contact.Id, new OperatorActor(operatorId, CliClientAddress), portalItems);
        var a = await InstitutionAsync(sp, environment, dir, "1310000018", "オンシ内科クリニック", "東京都千代田区霞が関1-2-2", "03-0000-0001", "DEMO", ct, demo);
        var b = await InstitutionAsync(sp, environment, dir, "2740000027", "みなと調剤薬局", "大阪府大阪市北区1-1-1", "06-0000-0002", "OTHER", ct);
        await using var scope = sp.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OnshiDbContext>();
        var insured = await DemoInsured.AddAsync(db, Jst.Today(sp.GetRequiredService<TimeProvider>()), ct);
        if (insuredPopulation > 0)
        {
            var (code, message) = await InsuredSeeder.SeedAsync(scope.ServiceProvider, dir, db.Database.GetConnectionString()!,
                new SeedInsuredOptions { Members = insuredPopulation }, TextWriter.Null, interactive: false, ct);
            if (code != 0)
            {
                throw new InvalidOperationException(message);
            }
        }

        return new DemoFile($"https://127.0.0.1:{oqsPort}/", ca.CertificatePath, a.Terminal, a.Info, a.Accounts,
            new DemoOtherInstitution(b.Info.Code, b.Info.Name, b.Terminal, b.Accounts))
        {
            Insured = insured,
            PortalUrl = $"https://127.0.0.1:{portalPort}/",
            OperatorUrl = $"https://127.0.0.1:{operatorPort}/",
            PortalUser = contact.User,
            Operator = op,
            PortalItems = a.PortalItems,
        };
    }

    /// <summary>Who applies for the demo institution (its contact on the portal) and who approves (the demo operator).</summary>
    private sealed record DemoApplicant(long ContactId, OperatorActor Reviewer, bool ThroughThePortal);

    /// <summary>A confirmed portal user: the demo institution's contact, once its 利用申請 is approved.</summary>
    private static async Task<(long Id, DemoPortalUser User)> PortalUserAsync(IServiceProvider sp, CancellationToken ct)
    {
        await using var scope = sp.CreateAsyncScope();
        var s = scope.ServiceProvider;
        var db = s.GetRequiredService<OnshiDbContext>();
        var hasher = s.GetRequiredService<Argon2idPasswordHasher>();
        const string email = "tanto@onshi-clinic.example.jp";
        var password = s.GetRequiredService<PasswordGenerator>().Generate(email, 16);
        var user = new PortalUser
        {
            Email = email,
            NormalizedEmail = email.ToUpperInvariant(),
            DisplayName = "窓口 担当",
            PasswordHash = hasher.Hash(password),
            EmailConfirmed = true,
            CreatedAt = s.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime,
        };
        db.PortalUsers.Add(user);
        await db.SaveChangesAsync(ct);
        return (user.Id, new DemoPortalUser(email, password));
    }

    /// <summary>A supervisor of the operator console whose first login is behind it (a permanent password), and its id.</summary>
    private static async Task<(DemoOperator Operator, long Id)> OperatorAsync(IServiceProvider sp, CancellationToken ct)
    {
        await using var scope = sp.CreateAsyncScope();
        var s = scope.ServiceProvider;
        const string userId = "op-demo";
        var created = await s.GetRequiredService<OperatorCreationService>().CreateAsync(userId, "運用 太郎", OperatorRole.Supervisor, "demo", ct);
        if (!created.Succeeded)
        {
            throw new InvalidOperationException(string.Join(" ", created.Errors.Select(e => e.Message)));
        }

        var password = s.GetRequiredService<PasswordGenerator>().Generate(userId, 16);
        var hash = s.GetRequiredService<Argon2idPasswordHasher>().Hash(password);
        var db = s.GetRequiredService<OnshiDbContext>();
        var normalized = userId.ToUpperInvariant();
        var operatorId = await db.OperatorAccounts.Where(o => o.NormalizedUserId == normalized).Select(o => o.Id).SingleAsync(ct);
        db.InvalidateOnCommit(CacheKeys.Operator(operatorId));
        await db.OperatorAccounts.Where(o => o.Id == operatorId)
            .ExecuteUpdateAsync(u => u.SetProperty(o => o.PasswordHash, hash).SetProperty(o => o.MustChangePassword, false)
                .SetProperty(o => o.PasswordExpiresAt, (DateTime?)null), ct);
        return (new DemoOperator(userId, password), operatorId);
    }

    /// <summary>What one demo institution is made of, as demo.json describes it.</summary>
    private sealed record DemoInstitutionResult(DemoInstitution Info, DemoTerminal Terminal, List<DemoAccount> Accounts, DemoPortalItems? PortalItems);

    /// <summary>
    /// A demo institution with an account of every kind and the terminal certificate T0001. Through the portal
    /// (<paramref name="applicant"/>): see <see cref="AppliedInstitutionAsync"/>. Otherwise provisioned directly in
    /// <paramref name="environment"/> (the other institution, which has no contact on the portal; the test servers' demo).
    /// </summary>
    private static async Task<DemoInstitutionResult> InstitutionAsync(IServiceProvider sp, OqsEnvironment environment, string dir, string code,
        string name, string address, string phone, string prefix, CancellationToken ct, DemoApplicant? applicant = null)
    {
        var secret = SecretNumber.GenerateSecretNumber();
        if (applicant is { ThroughThePortal: true })
        {
            return await AppliedInstitutionAsync(sp, environment, dir, code, name, address, phone, prefix, secret, applicant, ct);
        }

        long institutionId;
        await using (var scope = sp.CreateAsyncScope())
        {
            var s = scope.ServiceProvider;
            var provisioned = await s.GetRequiredService<InstitutionProvisioning>()
                .ProvisionAsync(code, name, address, phone, environment, secret, "demo", ct);
            institutionId = Succeeded(provisioned).Institution.Id;
            if (applicant is not null)
            {
                var db = s.GetRequiredService<OnshiDbContext>();
                db.InvalidateOnCommit(CacheKeys.Institution(institutionId));
                await db.Institutions.Where(i => i.Id == institutionId)
                    .ExecuteUpdateAsync(u => u.SetProperty(i => i.ContactPortalUserId, applicant.ContactId), ct);
            }
        }

        var accounts = await AccountsAsync(sp, environment, institutionId, code, secret, prefix, ct);
        await using (var scope = sp.CreateAsyncScope())
        {
            using var cert = Succeeded(await scope.ServiceProvider.GetRequiredService<TerminalCertificateService>().IssueAsync(institutionId, Terminal, "demo", ct));
            var files = TerminalFiles.Write(Path.Combine(dir, "terminals"), code, Terminal, cert, includePlainKey: true);
            return new DemoInstitutionResult(new DemoInstitution(code, name), new DemoTerminal(files.Pfx, cert.Passphrase, files.CertPem, files.KeyPem!, cert.SerialNumber),
                accounts, null);
        }
    }

    /// <summary>
    /// The demo institution as a real one comes to be, through the services behind the portal's and the console's pages, so
    /// that its rows, documents and audit rows are exactly those of a real run: the contact's 利用開始・変更申請 (新規, 本番環境
    /// and 接続確認環境) approved by the demo operator (the institution, a master and a reset account per environment, the two
    /// ユーザ設定情報 PDFs and with them the ZIP); the 電子証明書発行申請 of T0001, approved and downloaded once by the contact
    /// (the PKCS#12 and passphrase the demo prints); the 運用開始日 of both environments (today); a 補助金申請 with its receipt,
    /// approved (the 交付決定通知書). Only the accounts are the demo's own: the master of the served environment has made its
    /// first login (a permanent password; its PDF keeps the initial one, see docs/portal.md), and the staff accounts.
    /// </summary>
    private static async Task<DemoInstitutionResult> AppliedInstitutionAsync(IServiceProvider sp, OqsEnvironment environment, string dir, string code,
        string name, string address, string phone, string prefix, string secret, DemoApplicant applicant, CancellationToken ct)
    {
        const EnvironmentSet both = EnvironmentSet.Production | EnvironmentSet.Verification;

        // The 補助金申請's receipt is drawn on another thread meanwhile: the first PDF of the process pays for loading the
        // font, and the approval's two PDFs overlap with it instead of waiting for it.
        var receipt = Task.Run(() => Receipt(sp, code, name), ct);
        var contactName = await InScopeAsync<OnshiDbContext, string>(sp, db => db.PortalUsers.Where(u => u.Id == applicant.ContactId).Select(u => u.DisplayName).FirstAsync(ct));
        var applicationId = Succeeded(await InScopeAsync<UsageApplicationService, OpResult<long>>(sp, u => u.SubmitNewAsync(applicant.ContactId, new NewApplicationInput
        {
            InstitutionCode = code,
            InstitutionName = name,
            Address = address,
            Phone = phone,
            Environments = both,
            ContactName = contactName,
            ContactPhone = phone,
            SecretNumber = secret,
            SecretNumberConfirm = secret,
        }, ct)));
        var approval = Succeeded(await InScopeAsync<ApplicationReviewService, OpResult<UsageApprovalResult>>(sp, r => r.ApproveUsageAsync(applicant.Reviewer, applicationId, ct)));
        var institutionId = approval.InstitutionId;

        var accounts = await AccountsAsync(sp, environment, institutionId, code, secret, prefix, ct);
        var documents = await InScopeAsync<PortalDocumentService, PortalDocumentPage>(sp, d => d.ListMasterAccountDocumentsAsync(applicant.ContactId, 1, PortalDocumentService.DefaultPageSize, ct));
        var ids = await InScopeAsync<OnshiDbContext, List<Account>>(sp, db => db.Accounts.AsNoTracking()
            .Where(a => a.InstitutionId == institutionId && (a.Kind == AccountKind.Master || a.Kind == AccountKind.MasterReset)).ToListAsync(ct));
        List<DemoUserSettings> userSettings =
        [
            .. documents.Rows.Where(d => d.Environment is not null).OrderBy(d => d.Environment).Select(d => new DemoUserSettings(
                EnvironmentCode(d.Environment!.Value),
                d.FileName,
                ids.Single(a => a.Environment == d.Environment && a.Kind == AccountKind.Master).UserId,
                ids.Single(a => a.Environment == d.Environment && a.Kind == AccountKind.MasterReset).UserId,
                InitialPasswordChanged: d.Environment == environment)),
        ];

        // 電子証明書発行申請 → 承認 → the contact's one download, whose file and passphrase the terminal gets.
        var certificateId = Succeeded(await InScopeAsync<CertificateApplicationService, OpResult<long>>(sp, c => c.SubmitAsync(applicant.ContactId, institutionId, Terminal, ct)));
        Succeeded(await InScopeAsync<CertificateApplicationService, OpResult>(sp, c => c.ApproveAsync(applicant.Reviewer, certificateId, ct)));
        var download = Succeeded(await InScopeAsync<CertificateApplicationService, OpResult<CertificateDownload>>(sp, c => c.DownloadOnceAsync(applicant.ContactId, certificateId, ct)));
        // The demo writes the file below, as 「証明書ファイルを保存」 would: 申請照会 says 保存済み.
        await InScopeAsync<CertificateApplicationService, bool>(sp, async c =>
        {
            await c.MarkFileSavedAsync(applicant.ContactId, certificateId, ct);
            return true;
        });
        var row = Succeeded(await InScopeAsync<CertificateApplicationService, OpResult<IReadOnlyList<CertificateApplicationRow>>>(sp, c => c.ListAsync(applicant.ContactId, institutionId, ct)))
            .Single(r => r.Id == certificateId);
        DemoTerminal terminal;
        using (var certificate = X509CertificateLoader.LoadPkcs12(download.Pkcs12, download.Passphrase, X509KeyStorageFlags.Exportable | X509KeyStorageFlags.EphemeralKeySet))
        using (var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("The terminal certificate has no ECDSA key."))
        {
            var files = TerminalFiles.Write(Path.Combine(dir, "terminals"), code, Terminal, download.Pkcs12, certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
            terminal = new DemoTerminal(files.Pfx, download.Passphrase, files.CertPem, files.KeyPem!, row.SerialNumber!);
        }

        // 運用開始日登録: the demo institution works from today, in both environments.
        var today = DateOnly.FromDateTime(sp.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime.AddHours(9)); // JST, no DST
        var operationStart = new List<DemoOperationStart>();
        foreach (var e in ApplicationLabels.Split(both))
        {
            var registered = Succeeded(await InScopeAsync<OperationStartService, OpResult<OperationStartRow>>(sp, o => o.RegisterAsync(applicant.ContactId, institutionId, e, today, ct)));
            operationStart.Add(new DemoOperationStart(EnvironmentCode(e), ApplicationLabels.Date(registered.StartDate!.Value)));
        }

        var subsidy = await SubsidyAsync(sp, applicant, institutionId, await receipt, ct);
        var items = new DemoPortalItems(
            new DemoUsageApplication(applicationId, ApplicationLabels.Kind(ApplicationKind.New), ApplicationLabels.Status(ReviewStatus.Approved), ApplicationLabels.Environments(both)),
            userSettings,
            PortalDocumentService.BothEnvironmentsZipFileName,
            new DemoCertificateApplication(certificateId, Terminal, row.StatusLabel, terminal.Serial),
            subsidy,
            operationStart);
        return new DemoInstitutionResult(new DemoInstitution(code, name), terminal, accounts, items);
    }

    /// <summary>
    /// 補助金申請 for the terminal and the reader, with the supplier's <paramref name="receipt"/>, and its 承認 for the whole
    /// claim: the 交付決定通知書 under 交付決定通知書ダウンロード. The amounts are those of a clinic's subsidy (half of 858,000 yen).
    /// </summary>
    private static async Task<DemoSubsidy> SubsidyAsync(IServiceProvider sp, DemoApplicant applicant, long institutionId, byte[] receipt, CancellationToken ct)
    {
        var subsidyId = Succeeded(await InScopeAsync<SubsidyService, OpResult<long>>(sp, s => s.SubmitAsync(applicant.ContactId, institutionId, new SubsidyInput
        {
            TotalCost = SubsidyTotalCost,
            ClaimedAmount = SubsidyClaimed,
            Description = "資格確認端末（顔認証付きカードリーダー）の導入及びレセプトコンピュータの改修",
            ReceiptFileName = ReceiptFileName,
            ReceiptContentType = "application/pdf",
            ReceiptBytes = receipt,
        }, ct)));
        Succeeded(await InScopeAsync<SubsidyService, OpResult<long>>(sp, s => s.ApproveAsync(applicant.Reviewer, subsidyId, SubsidyClaimed, ct)));
        return new DemoSubsidy(subsidyId, ApplicationLabels.Status(ReviewStatus.Approved), SubsidyTotalCost, SubsidyClaimed, SubsidyClaimed, ReceiptFileName,
            SubsidyService.GrantNoticeFileName);
    }

    /// <summary>The supplier's receipt for the 補助金申請: a PDF of a fictitious company, drawn like the product's notices.</summary>
    private static byte[] Receipt(IServiceProvider sp, string code, string name) =>
        sp.GetRequiredService<IPdfRenderer<NoticeDocument>>().Render(new NoticeDocument(
            "領収書",
            [name + " 様", "医療機関等コード：" + code],
            ["オンシ医療システム株式会社（デモ用の架空の事業者）"],
            ["下記のとおり領収いたしました。"],
            [
                new DocumentField("金額", ApplicationLabels.Yen(SubsidyTotalCost) + "（税込）"),
                new DocumentField("但し", "資格確認端末一式・顔認証付きカードリーダー・レセプトコンピュータ改修費として"),
            ],
            ["※ デモ用に作成した架空の領収書です。"],
            sp.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime,
            "No. DEMO-0001"));

    /// <summary>
    /// The accounts demo.json lists for the institution's served environment: the master, which has made its first login
    /// (a permanent 16-character password without expiry), the reset account (its password is the 秘密の番号), and one
    /// staff account of each kind, created by the master.
    /// </summary>
    private static async Task<List<DemoAccount>> AccountsAsync(IServiceProvider sp, OqsEnvironment environment, long institutionId, string code,
        string secret, string prefix, CancellationToken ct)
    {
        await using var scope = sp.CreateAsyncScope();
        var s = scope.ServiceProvider;
        var db = s.GetRequiredService<OnshiDbContext>();
        var hasher = s.GetRequiredService<Argon2idPasswordHasher>();
        var generator = s.GetRequiredService<PasswordGenerator>();
        var audit = s.GetRequiredService<AuditLog>();
        var now = s.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        var accounts = new List<DemoAccount>();

        var master = await db.Accounts.FirstAsync(x => x.InstitutionId == institutionId && x.Environment == environment && x.Kind == AccountKind.Master, ct);
        var reset = await db.Accounts.AsNoTracking().FirstAsync(x => x.InstitutionId == institutionId && x.Environment == environment && x.Kind == AccountKind.MasterReset, ct);
        var masterPassword = generator.Generate(master.UserId, 16);
        master.PasswordHash = hasher.HashPassword(master, masterPassword);
        master.MustChangePassword = false;
        master.PasswordExpiresAt = null;
        master.PasswordChangedAt = now;
        accounts.Add(new("master", master.UserId, masterPassword));
        accounts.Add(new("reset", reset.UserId, secret));

        var staff = new (AccountKind Kind, string Suffix, string Name)[]
        {
            (AccountKind.Admin, "ADMIN", "管理 太郎"),
            (AccountKind.General, "USER", "受付 花子"),
            (AccountKind.MedicalInfo, "MED", "医師 一郎"),
            (AccountKind.LinkedApp, "APP", "連携アプリ"),
            (AccountKind.WebApi, "API", "Web API"),
            (AccountKind.FaceAuth, "FACE", "顔認証付きカードリーダー"),
        };
        foreach (var (kind, suffix, displayName) in staff)
        {
            var userId = $"{prefix}{suffix}01";
            var password = generator.Generate(userId, 16);
            var account = new Account
            {
                InstitutionId = institutionId,
                Environment = environment,
                UserId = userId,
                NormalizedUserId = userId.ToUpperInvariant(),
                DisplayName = displayName,
                Kind = kind,
                CreatedAt = now,
                CreatedBy = master.UserId,
                UpdatedAt = now,
                UpdatedBy = master.UserId,
                PasswordChangedAt = now,
            };
            account.PasswordHash = hasher.HashPassword(account, password);
            db.Accounts.Add(account);
            audit.Record(new AuditRecord(AuditActions.AccountCreate, AuditOutcomes.Success)
            {
                Environment = environment,
                InstitutionId = institutionId,
                InstitutionCode = code,
                Actor = "demo",
                Target = userId,
                Detail = AccountKinds.Code(kind),
            });
            accounts.Add(new(AccountKinds.Code(kind), userId, password));
        }

        await audit.CommitAsync(ct);
        return accounts;
    }

    private static async Task<TResult> InScopeAsync<TService, TResult>(IServiceProvider sp, Func<TService, Task<TResult>> action)
        where TService : notnull
    {
        // One scope per step, as one request of a site would have.
        await using var scope = sp.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    private static T Succeeded<T>(OpResult<T> result) =>
        result.Succeeded ? result.Value! : throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Message)));

    private static void Succeeded(OpResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Message)));
        }
    }
}

/// <summary>The contract of <c>demo.json</c> that scripts rely on.</summary>
public sealed record DemoFile(string OqsUrl, string CaCert, DemoTerminal Terminal, DemoInstitution Institution, List<DemoAccount> Accounts,
    DemoOtherInstitution OtherInstitution)
{
    public string PortalUrl { get; init; } = "";

    public string OperatorUrl { get; init; } = "";

    public DemoPortalUser? PortalUser { get; init; }

    public DemoOperator? Operator { get; init; }

    /// <summary>What the demo institution's contact finds on the portal (absent from older demo.json files).</summary>
    public DemoPortalItems? PortalItems { get; init; }

    /// <summary>Patients to look up, at least one for each 資格有効性 (absent from older demo.json files).</summary>
    public List<DemoInsuredEntry> Insured { get; init; } = [];
}

/// <summary>The portal items of the demo institution, each made by the real flow (<c>AppliedInstitutionAsync</c>).</summary>
public sealed record DemoPortalItems(
    DemoUsageApplication UsageApplication,
    List<DemoUserSettings> MasterAccountInformation,
    string BothEnvironmentsZip,
    DemoCertificateApplication CertificateApplication,
    DemoSubsidy Subsidy,
    List<DemoOperationStart> OperationStart);

/// <summary>The approved 利用開始・変更申請: 申請区分, 状態 and 環境 as the portal shows them.</summary>
public sealed record DemoUsageApplication(long Id, string Kind, string Status, string Environments);

/// <summary>
/// One ユーザ設定情報 of マスタアカウント情報ダウンロード (environment <c>production</c> or <c>verification</c>) and the IDs it holds.
/// <paramref name="InitialPasswordChanged"/>: the master has changed the initial password the PDF shows (the served
/// environment's master, listed in <c>accounts</c>).
/// </summary>
public sealed record DemoUserSettings(string Environment, string FileName, string MasterUserId, string ResetUserId, bool InitialPasswordChanged);

/// <summary>The 電子証明書発行申請 of the demo terminal: approved, and downloaded once (<c>terminal</c>).</summary>
public sealed record DemoCertificateApplication(long Id, string TerminalName, string Status, string Serial);

/// <summary>The 補助金申請, approved for the whole claim, and its 交付決定通知書.</summary>
public sealed record DemoSubsidy(long Id, string Status, long TotalCost, long ClaimedAmount, long GrantedAmount, string ReceiptFileName, string GrantNoticeFileName);

/// <summary>A registered 運用開始日 (yyyy-MM-dd) of an environment (<c>production</c> or <c>verification</c>).</summary>
public sealed record DemoOperationStart(string Environment, string StartDate);

public sealed record DemoPortalUser(string Email, string Password);

public sealed record DemoOperator(string UserId, string Password);

public sealed record DemoTerminal(string Pfx, string Passphrase, string CertPem, string KeyPem, string Serial);

public sealed record DemoInstitution(string Code, string Name);

public sealed record DemoAccount(string Kind, string UserId, string Password);

public sealed record DemoOtherInstitution(string Code, string Name, DemoTerminal Terminal, List<DemoAccount> Accounts);
