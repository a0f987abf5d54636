using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Onshi.Core.Features.Certificates;
using Onshi.Core.Features.Secrets;
using Onshi.Operator.Hosting;
using Onshi.Oqs.Hosting;
using Onshi.Portal.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Cli.Commands;

/// <summary><c>onshi serve</c>: runs the sites on loopback from a data directory (created on first start).</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var oqsPort = new Option<int>("--oqs-port") { Description = "OQS の HTTPS ポート (mutual TLS)", DefaultValueFactory = _ => 8443 };
        var portalPort = new Option<int>("--portal-port") { Description = "総合ポータルサイトの HTTPS ポート", DefaultValueFactory = _ => PortalApp.DefaultPort };
        var operatorPort = new Option<int>("--operator-port") { Description = "運用者コンソールの HTTPS ポート (always 127.0.0.1)", DefaultValueFactory = _ => OperatorApp.DefaultPort };
        var bind = new Option<string>("--bind") { Description = "待ち受けアドレス (OQS and portal)", DefaultValueFactory = _ => "127.0.0.1" };
        var outbox = new Option<bool>("--show-outbox") { Description = "開発・デモ用: ポータルの /Dev/Outbox でメールを表示する" };
        var hostNames = new Option<string[]>("--host-name")
        {
            Description = "サイトのホスト名 (repeatable): the server certificate covers it and the sites answer to it besides localhost and loopback; "
                + "a request naming any other host is refused",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var trustedProxies = new Option<string[]>("--trusted-proxy")
        {
            Description = "信頼する TLS プロキシ (nginx) のアドレス (IP or CIDR, repeatable): only requests from it may carry X-Client-Cert, "
                + "X-Client-Verify, X-Forwarded-For, X-Forwarded-Proto; from any other address they are refused",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var cmd = new Command("serve", "サイトを起動します (serve the OQS, the portal and the operator console)")
        {
            oqsPort, portalPort, operatorPort, bind, outbox, hostNames, trustedProxies,
        };
        common.AddTo(cmd);
        cmd.SetAction(async (r, ct) =>
        {
            var settings = common.Settings(r);
            settings.OqsPort = r.GetValue(oqsPort);
            settings.BindAddress = r.GetValue(bind) ?? "127.0.0.1";
            foreach (var name in r.GetValue(hostNames) ?? [])
            {
                settings.HostNames.Add(name);
            }

            foreach (var proxy in r.GetValue(trustedProxies) ?? [])
            {
                settings.TrustedProxies.Add(proxy);
            }

            await RunAsync(settings, r.GetValue(portalPort), r.GetValue(operatorPort), r.GetValue(outbox), ct);
            return 0;
        });
        return cmd;
    }

    public static async Task RunAsync(OnshiSettings settings, int portalPort, int operatorPort, bool showOutbox, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(settings.DataDirectory);
        await using var oqs = OqsApp.Create(settings);
        await OnshiDatabase.MigrateAsync(oqs.Services, settings, cancellationToken);

        // The shared key ring read (legacy key files imported) and its first key created now, under the ring's lock, so
        // that instances starting together end with one key (docs/scaling.md).
        OnshiDataProtection.EnsureKeyRing(oqs.Services);

        // One after the other: the first start creates the CA and the server certificate the others reuse.
        await oqs.StartAsync(cancellationToken);
        await using var portal = PortalApp.Create(settings, portalPort, showOutbox: showOutbox);
        await portal.StartAsync(cancellationToken);
        await using var console = OperatorApp.Create(settings, operatorPort);
        await console.StartAsync(cancellationToken);

        var ca = oqs.Services.GetRequiredService<CertificateAuthority>();
        Console.WriteLine($"オンライン資格確認等システム (OQS, mutual TLS): {string.Join(", ", oqs.Urls)}");
        Console.WriteLine($"医療機関等向け総合ポータルサイト:               {string.Join(", ", portal.Urls)}{(showOutbox ? "   (mail: /Dev/Outbox)" : "")}");
        Console.WriteLine($"運用者コンソール (loopback only):               {string.Join(", ", console.Urls)}");
        Console.WriteLine($"  CA certificate: {ca.CertificatePath}");
        Console.WriteLine($"  data: {settings.DataDirectory} ({settings.DatabaseProvider}, {(settings.Environment == Onshi.Core.Data.OqsEnvironment.Production ? "本番環境" : "接続確認環境")})");
        Console.WriteLine("Ctrl+C で停止します (press Ctrl+C to stop).");
        await Task.WhenAll(oqs.WaitForShutdownAsync(cancellationToken), portal.WaitForShutdownAsync(cancellationToken),
            console.WaitForShutdownAsync(cancellationToken));
    }
}
