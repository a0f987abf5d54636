using System.CommandLine;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Onshi.Core.Features.Certificates;
using Onshi.Core.Features.Secrets;
using Onshi.Operator.Hosting;
using Onshi.Oqs.Hosting;
using Onshi.Portal.Hosting;
using Onshi.Web.Hosting;
using Onshi.Web.Operations;

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
        var sites = new Option<string[]>("--site")
        {
            Description = "起動するサイト (repeatable): oqs, portal, operator; default all three in one process. "
                + "Run each in its own process with one --site each (docs/operations.md)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        sites.AcceptOnlyFromAmong(SiteNames);
        var opsPort = new Option<int>("--ops-port")
        {
            Description = "運用エンドポイントのポート (plain HTTP: /health/live, /health/ready, /metrics); 0 picks a free one",
            DefaultValueFactory = _ => OperationsEndpoint.DefaultPort,
        };
        var opsBind = new Option<string>("--ops-bind")
        {
            Description = "運用エンドポイントの待ち受けアドレス: loopback (default) or an internal address only, never a public one",
            DefaultValueFactory = _ => "127.0.0.1",
        };
        var logFormat = new Option<string>("--log-format") { Description = "ログの形式: human (default) or json (JSON lines for a log pipeline)", DefaultValueFactory = _ => "human" };
        logFormat.AcceptOnlyFromAmong("human", "json");
        var cmd = new Command("serve", "サイトを起動します (serve the OQS, the portal and the operator console)")
        {
            oqsPort, portalPort, operatorPort, bind, outbox, hostNames, trustedProxies, sites, opsPort, opsBind, logFormat,
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

            settings.LogFormat = r.GetValue(logFormat) == "json" ? LogFormat.Json : LogFormat.Human;
            if (!IPAddress.TryParse(r.GetValue(opsBind), out var opsAddress))
            {
                Console.Error.WriteLine("--ops-bind には IP アドレスを指定してください。");
                return 2;
            }

            var chosen = r.GetValue(sites) is { Length: > 0 } named ? named.Distinct(StringComparer.Ordinal).ToArray() : SiteNames;
            await RunAsync(settings, new ServeSites(chosen, r.GetValue(portalPort), r.GetValue(operatorPort), r.GetValue(outbox), opsAddress, r.GetValue(opsPort)), ct);
            return 0;
        });
        return cmd;
    }

    /// <summary>The site codes of <c>--site</c>, in start order.</summary>
    public static readonly string[] SiteNames = ["oqs", "portal", "operator"];

    public static async Task RunAsync(OnshiSettings settings, ServeSites sites, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(sites);
        Directory.CreateDirectory(settings.DataDirectory);

        // The operations endpoint first: while the database is migrated and the sites start, /health/ready says 503. It is
        // built and started on another core while the first site is built (a seventh of the start on two cores), and is up
        // before the migration begins.
        var opsStarting = Task.Run(async () =>
        {
            var endpoint = OperationsEndpoint.Create(settings.Readiness, settings.LogFormat, sites.OpsAddress, sites.OpsPort);
            try
            {
                await endpoint.StartAsync(cancellationToken);
                return endpoint;
            }
            catch
            {
                await endpoint.DisposeAsync();
                throw;
            }
        }, cancellationToken);

        WebApplication? ops = null;
        var apps = new List<(string Site, WebApplication App)>();
        try
        {
            foreach (var site in SiteNames.Where(sites.Names.Contains))
            {
                var app = site switch
                {
                    "oqs" => OqsApp.Create(settings),
                    "portal" => PortalApp.Create(settings, sites.PortalPort, showOutbox: sites.ShowOutbox),
                    _ => OperatorApp.Create(settings, sites.OperatorPort),
                };
                apps.Add((site, app));
                if (apps.Count == 1)
                {
                    ops = await opsStarting;
                    await OnshiDatabase.MigrateAsync(app.Services, settings, cancellationToken);

                    // The shared key ring read (legacy key files imported) and its first key created now, under the ring's lock, so
                    // that instances starting together end with one key (docs/scaling.md).
                    OnshiDataProtection.EnsureKeyRing(app.Services);
                }

                // One after the other: the first start creates the CA and the server certificate the others reuse.
                await app.StartAsync(cancellationToken);
                settings.Readiness.SiteStarted(site, app.Services);
            }

            settings.Readiness.MarkStarted();
            var ca = apps[0].App.Services.GetRequiredService<CertificateAuthority>();
            foreach (var (site, app) in apps)
            {
                Console.WriteLine(site switch
                {
                    "oqs" => $"オンライン資格確認等システム (OQS, mutual TLS): {string.Join(", ", app.Urls)}",
                    "portal" => $"医療機関等向け総合ポータルサイト:               {string.Join(", ", app.Urls)}{(sites.ShowOutbox ? "   (mail: /Dev/Outbox)" : "")}",
                    _ => $"運用者コンソール (loopback only):               {string.Join(", ", app.Urls)}",
                });
            }

            ops ??= await opsStarting;
            Console.WriteLine($"運用エンドポイント (health, metrics; HTTP):      {string.Join(", ", ops.Urls)}");
            Console.WriteLine($"  CA certificate: {ca.CertificatePath}");
            Console.WriteLine($"  data: {settings.DataDirectory} ({settings.DatabaseProvider}, {(settings.Environment == Onshi.Core.Data.OqsEnvironment.Production ? "本番環境" : "接続確認環境")})");
            Console.WriteLine("Ctrl+C で停止します (press Ctrl+C to stop).");
            await Task.WhenAll(apps.Select(a => a.App.WaitForShutdownAsync(cancellationToken)));
        }
        finally
        {
            settings.Readiness.BeginDrain();
            foreach (var (_, app) in apps)
            {
                await app.DisposeAsync();
            }

            // Stopped after the sites (it says "not ready" while they drain); awaited here too when a site failed before it was.
            try
            {
                ops ??= await opsStarting;
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or OperationCanceledException)
            {
                // It failed to start (its port taken, say), which the try above has thrown already; or a site failed first
                // and that failure is the one the caller sees.
            }

            if (ops is not null)
            {
                await ops.StopAsync(CancellationToken.None);
                await ops.DisposeAsync();
            }
        }
    }
}

/// <summary>What <c>onshi serve</c> runs: the sites (<c>--site</c>), their ports, and the operations endpoint's address.</summary>
public sealed record ServeSites(IReadOnlyCollection<string> Names, int PortalPort, int OperatorPort, bool ShowOutbox, IPAddress OpsAddress, int OpsPort);
