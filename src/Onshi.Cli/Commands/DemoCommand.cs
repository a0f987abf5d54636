using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Data;
using Onshi.Core.Features.Accounts;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Certificates;
using Onshi.Core.Features.Institutions;
using Onshi.Core.Features.Operators;
using Onshi.Core.Features.Passwords;
using Onshi.Operator.Hosting;
using Onshi.Portal.Hosting;

namespace Onshi.Cli.Commands;

/// <summary>
/// <c>onshi demo --out DIR</c>: a fresh data directory with a demo institution (one account of each kind and a terminal
/// certificate) and a second institution for trying isolation, described in <c>DIR/demo.json</c>.
/// </summary>
internal static class DemoCommand
{
    private static readonly JsonSerializerOptions Json = new()
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
            await using var sp = await CommonOptions.BuildServicesAsync(settings, ct);
            var demo = await BuildAsync(sp, settings.Environment, dir, r.GetValue(oqsPort), ct, r.GetValue(portalPort), r.GetValue(operatorPort));
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

    internal static async Task<DemoFile> BuildAsync(IServiceProvider sp, OqsEnvironment environment, string dir, int oqsPort, CancellationToken ct,
        int portalPort = PortalApp.DefaultPort, int operatorPort = OperatorApp.DefaultPort)
    {
        var ca = sp.GetRequiredService<CertificateAuthority>();
        var a = await InstitutionAsync(sp, environment, dir, "1310000018", "オンシ内科クリニック", "東京都千代田区霞が関1-2-2", "03-0000-0001", "DEMO", ct);
        var b = await InstitutionAsync(sp, environment, dir, "2740000027", "みなと調剤薬局", "大阪府大阪市北区1-1-1", "06-0000-0002", "OTHER", ct);
        var portalUser = await PortalUserAsync(sp, a.Info.Code, ct);
        var op = await OperatorAsync(sp, ct);
        return new DemoFile($"https://127.0.0.1:{oqsPort}/", ca.CertificatePath, a.Terminal, a.Info, a.Accounts,
            new DemoOtherInstitution(b.Info.Code, b.Info.Name, b.Terminal, b.Accounts))
        {
            PortalUrl = $"https://127.0.0.1:{portalPort}/",
            OperatorUrl = $"https://127.0.0.1:{operatorPort}/",
            PortalUser = portalUser,
            Operator = op,
        };
    }

    /// <summary>A confirmed portal user, the registered contact of the demo institution.</summary>
    private static async Task<DemoPortalUser> PortalUserAsync(IServiceProvider sp, string institutionCode, CancellationToken ct)
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
        await db.Institutions.Where(i => i.Code == institutionCode).ExecuteUpdateAsync(u => u.SetProperty(i => i.ContactPortalUserId, user.Id), ct);
        return new DemoPortalUser(email, password);
    }

    /// <summary>A supervisor of the operator console whose first login is behind it (a permanent password).</summary>
    private static async Task<DemoOperator> OperatorAsync(IServiceProvider sp, CancellationToken ct)
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
        await db.OperatorAccounts.Where(o => o.NormalizedUserId == normalized)
            .ExecuteUpdateAsync(u => u.SetProperty(o => o.PasswordHash, hash).SetProperty(o => o.MustChangePassword, false)
                .SetProperty(o => o.PasswordExpiresAt, (DateTime?)null), ct);
        return new DemoOperator(userId, password);
    }

    private static async Task<(DemoInstitution Info, DemoTerminal Terminal, List<DemoAccount> Accounts)> InstitutionAsync(
        IServiceProvider sp, OqsEnvironment environment, string dir, string code, string name, string address, string phone, string prefix, CancellationToken ct)
    {
        await using var scope = sp.CreateAsyncScope();
        var s = scope.ServiceProvider;
        var db = s.GetRequiredService<OnshiDbContext>();
        var hasher = s.GetRequiredService<Argon2idPasswordHasher>();
        var generator = s.GetRequiredService<PasswordGenerator>();
        var audit = s.GetRequiredService<AuditLog>();
        var now = s.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;

        var secret = SecretNumber.GenerateSecretNumber();
        var provisioned = await s.GetRequiredService<InstitutionProvisioning>()
            .ProvisionAsync(code, name, address, phone, environment, secret, "demo", ct);
        if (!provisioned.Succeeded)
        {
            throw new InvalidOperationException(string.Join(" ", provisioned.Errors.Select(e => e.Message)));
        }

        var p = provisioned.Value!;
        var accounts = new List<DemoAccount>();

        // The demo master has already made its first login: a permanent 16-character password (no expiry).
        var master = await db.Accounts.FirstAsync(x => x.Environment == environment && x.NormalizedUserId == p.MasterUserId, ct);
        var masterPassword = generator.Generate(master.UserId, 16);
        master.PasswordHash = hasher.HashPassword(master, masterPassword);
        master.MustChangePassword = false;
        master.PasswordExpiresAt = null;
        master.PasswordChangedAt = now;
        accounts.Add(new("master", master.UserId, masterPassword));
        accounts.Add(new("reset", p.ResetUserId, secret));

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
                InstitutionId = p.Institution.Id,
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
                InstitutionId = p.Institution.Id,
                InstitutionCode = code,
                Actor = "demo",
                Target = userId,
                Detail = AccountKinds.Code(kind),
            });
            accounts.Add(new(AccountKinds.Code(kind), userId, password));
        }

        await audit.CommitAsync(ct);

        var issued = await s.GetRequiredService<TerminalCertificateService>().IssueAsync(p.Institution.Id, "T0001", "demo", ct);
        if (!issued.Succeeded)
        {
            throw new InvalidOperationException(string.Join(" ", issued.Errors.Select(e => e.Message)));
        }

        using var cert = issued.Value!;
        var files = TerminalFiles.Write(Path.Combine(dir, "terminals"), code, "T0001", cert, includePlainKey: true);
        return (new DemoInstitution(code, name), new DemoTerminal(files.Pfx, cert.Passphrase, files.CertPem, files.KeyPem!, cert.SerialNumber), accounts);
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
}

public sealed record DemoPortalUser(string Email, string Password);

public sealed record DemoOperator(string UserId, string Password);

public sealed record DemoTerminal(string Pfx, string Passphrase, string CertPem, string KeyPem, string Serial);

public sealed record DemoInstitution(string Code, string Name);

public sealed record DemoAccount(string Kind, string UserId, string Password);

public sealed record DemoOtherInstitution(string Code, string Name, DemoTerminal Terminal, List<DemoAccount> Accounts);
