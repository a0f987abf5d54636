using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Certificates;
using Onshi.Core.Features.Institutions;
using Onshi.Core.Features.Secrets;

namespace Onshi.Cli.Commands;

/// <summary>
/// <c>onshi cert issue|revoke|list</c>: terminal certificates of our CA; <c>cert crl</c>: its revocation list and
/// <c>cert server</c>: a server certificate, both for a TLS proxy in front of the instances (deploy/README.md).
/// </summary>
internal static class CertCommand
{
    public static Command Create() => new("cert", "端末の認証用の証明書 (terminal certificates)") { Issue(), Revoke(), List(), Crl(), Server() };

    private static Command Issue()
    {
        var common = new CommonOptions();
        var institution = new Option<string>("--institution") { Description = "医療機関等コード", Required = true };
        var terminal = new Option<string>("--terminal") { Description = "端末名 (e.g. T0001)", Required = true };
        var output = new Option<string>("--out") { Description = "出力先ディレクトリ (default: DATA/terminals)" };
        var cmd = new Command("issue", "端末証明書を発行します (PKCS#12; the passphrase is shown once)") { institution, terminal, output };
        common.AddTo(cmd);
        cmd.SetAction(async (r, ct) =>
        {
            if (!InstitutionCode.TryParse(r.GetValue(institution), out var code, out _, out var codeError))
            {
                Console.Error.WriteLine(codeError!.Message);
                return 2;
            }

            var settings = common.Settings(r);
            await using var sp = await CommonOptions.BuildServicesAsync(settings, ct);
            await using var scope = sp.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<OnshiDbContext>();
            var inst = await db.Institutions.AsNoTracking().FirstOrDefaultAsync(i => i.Code == code, ct);
            if (inst is null)
            {
                Console.Error.WriteLine($"医療機関等コード {code} の医療機関等は登録されていません。");
                return 2;
            }

            var result = await scope.ServiceProvider.GetRequiredService<TerminalCertificateService>()
                .IssueAsync(inst.Id, r.GetValue(terminal)!.Trim(), "cli", ct);
            if (!result.Succeeded)
            {
                foreach (var e in result.Errors)
                {
                    Console.Error.WriteLine(e.Message);
                }

                return 2;
            }

            using var issued = result.Value!;
            var paths = TerminalFiles.Write(r.GetValue(output) ?? Path.Combine(settings.DataDirectory, "terminals"), inst.Code, r.GetValue(terminal)!.Trim(), issued, includePlainKey: false);
            Console.WriteLine($"発行しました: serial {issued.SerialNumber}, 有効期限 {issued.Certificate.NotAfter.ToUniversalTime():yyyy-MM-dd} (UTC)");
            Console.WriteLine($"PKCS#12: {paths.Pfx}");
            Console.WriteLine($"パスフレーズ (shown once): {issued.Passphrase}");
            return 0;
        });
        return cmd;
    }

    private static Command Revoke()
    {
        var common = new CommonOptions();
        var serial = new Argument<string>("serial") { Description = "シリアル番号 (hex)" };
        var cmd = new Command("revoke", "端末証明書を失効させます (takes effect on the next request)") { serial };
        common.AddTo(cmd);
        cmd.SetAction(async (r, ct) =>
        {
            await using var sp = await CommonOptions.BuildServicesAsync(common.Settings(r), ct);
            await using var scope = sp.CreateAsyncScope();
            var serialNumber = r.GetValue(serial)!.Trim().ToUpperInvariant();
            var result = await scope.ServiceProvider.GetRequiredService<TerminalCertificateService>().RevokeAsync(serialNumber, "cli", ct);
            var db = scope.ServiceProvider.GetRequiredService<OnshiDbContext>();
            var cert = await db.TerminalCertificates.AsNoTracking().Include(c => c.Institution).FirstOrDefaultAsync(c => c.SerialNumber == serialNumber, ct);
            if (!result.Succeeded)
            {
                // A success is audited by RevokeAsync in the same commit as the revocation; a refusal is audited here.
                var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();
                audit.Record(new AuditRecord(AuditActions.CertificateRevoke, AuditOutcomes.Failure)
                {
                    InstitutionId = cert?.InstitutionId,
                    InstitutionCode = cert?.Institution?.Code ?? "",
                    Actor = "cli",
                    Target = cert?.TerminalName ?? "",
                    CertificateSerial = serialNumber.Length > 64 ? serialNumber[..64] : serialNumber,
                    Detail = result.Errors[0].Code,
                });
                await audit.CommitAsync(ct);
            }

            if (!result.Succeeded)
            {
                foreach (var e in result.Errors)
                {
                    Console.Error.WriteLine(e.Message);
                }

                return 2;
            }

            Console.WriteLine("失効させました (revoked).");
            return 0;
        });
        return cmd;
    }

    private static Command List()
    {
        var common = new CommonOptions();
        var institution = new Option<string?>("--institution") { Description = "医療機関等コードで絞り込み" };
        var cmd = new Command("list", "端末証明書の一覧") { institution };
        common.AddTo(cmd);
        cmd.SetAction(async (r, ct) =>
        {
            // A whole code, not a prefix: a mistyped one is refused with the reason instead of listing nothing.
            string? code = null;
            if (r.GetValue(institution) is { } input && !InstitutionCode.TryParse(input, out code, out _, out var codeError))
            {
                Console.Error.WriteLine(codeError!.Message);
                return 2;
            }

            await using var sp = await CommonOptions.BuildServicesAsync(common.Settings(r), ct);
            await using var scope = sp.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<OnshiDbContext>();
            long? institutionId = null;
            if (code is not null)
            {
                institutionId = await db.Institutions.Where(i => i.Code == code).Select(i => (long?)i.Id).FirstOrDefaultAsync(ct) ?? -1;
            }

            var list = await scope.ServiceProvider.GetRequiredService<TerminalCertificateService>().ListAsync(institutionId, ct);
            var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
            Console.WriteLine("institution  terminal  serial                            not-after   state");
            foreach (var c in list)
            {
                var state = c.RevokedAt is not null ? "revoked" : c.NotAfter <= now ? "expired" : "valid";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{c.Institution?.Code,-12} {c.TerminalName,-9} {c.SerialNumber,-33} {c.NotAfter:yyyy-MM-dd}  {state}"));
            }

            return 0;
        });
        return cmd;
    }

    private static Command Crl()
    {
        var common = new CommonOptions();
        var output = new Option<string>("--out") { Description = "書き出す CRL のファイル (PEM)", Required = true };
        var days = new Option<int>("--days") { Description = "有効日数 (nextUpdate = now + days)", DefaultValueFactory = _ => (int)CertificateRevocationListWriter.DefaultValidity.TotalDays };
        var cmd = new Command("crl", "失効リスト (CRL) を書き出します: every revoked terminal certificate, signed by our CA, for nginx ssl_crl") { output, days };
        common.AddTo(cmd);
        cmd.SetAction(async (r, ct) =>
        {
            var validity = r.GetValue(days);
            if (validity is < 1 or > 366)
            {
                Console.Error.WriteLine("--days は 1〜366 で指定してください。");
                return 2;
            }

            await using var sp = await CommonOptions.BuildServicesAsync(common.Settings(r), ct);
            await using var scope = sp.CreateAsyncScope();
            var written = await scope.ServiceProvider.GetRequiredService<CertificateRevocationListWriter>()
                .WriteAsync(r.GetValue(output)!, TimeSpan.FromDays(validity), ct);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"CRL を書き出しました: {written.Path} (CRL number {written.CrlNumber}, {written.Entries} revoked, next update {written.NextUpdate:yyyy-MM-dd HH:mm:ss} UTC)"));
            return 0;
        });
        return cmd;
    }

    private static Command Server()
    {
        var common = new CommonOptions();
        var hostNames = new Option<string[]>("--host-name") { Description = "証明書に入れるホスト名 (repeatable)", Required = true, Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "出力先ディレクトリ: server.crt and server.key (0600)", Required = true };
        var cmd = new Command("server", "TLS プロキシ用のサーバ証明書を発行します (PEM certificate + unencrypted key, for nginx)") { hostNames, output };
        common.AddTo(cmd);
        cmd.SetAction(async (r, ct) =>
        {
            await using var sp = await CommonOptions.BuildServicesAsync(common.Settings(r), ct);
            using var certificate = sp.GetRequiredService<CertificateAuthority>().IssueServerCertificate(r.GetValue(hostNames) ?? []);
            using var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("The server certificate has no ECDSA key.");
            var dir = Path.GetFullPath(r.GetValue(output)!);
            var crt = Path.Combine(dir, "server.crt");
            var keyPath = Path.Combine(dir, "server.key");
            var keyPem = key.ExportPkcs8PrivateKeyPem();
            var keyBytes = Encoding.ASCII.GetBytes(PemText.ForFile(keyPem));
            try
            {
                SecretFiles.WriteAtomically(keyPath, keyBytes, secret: true);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(keyBytes);
            }

            SecretFiles.WriteAtomically(crt, Encoding.ASCII.GetBytes(PemText.ForFile(certificate.ExportCertificatePem())), secret: false);
            Console.WriteLine($"発行しました: {crt} (valid until {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd} UTC), key {keyPath} (0600)");
            return 0;
        });
        return cmd;
    }
}
