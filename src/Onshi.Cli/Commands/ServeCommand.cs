using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Onshi.Core.Features.Certificates;
using Onshi.Oqs.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Cli.Commands;

/// <summary><c>onshi serve</c>: runs the sites on loopback from a data directory (created on first start).</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var oqsPort = new Option<int>("--oqs-port") { Description = "OQS の HTTPS ポート (mutual TLS)", DefaultValueFactory = _ => 8443 };
        var bind = new Option<string>("--bind") { Description = "待ち受けアドレス", DefaultValueFactory = _ => "127.0.0.1" };
        var cmd = new Command("serve", "サイトを起動します (serve the sites)") { oqsPort, bind };
        common.AddTo(cmd);
        cmd.SetAction(async (r, ct) =>
        {
            var settings = common.Settings(r);
            settings.OqsPort = r.GetValue(oqsPort);
            settings.BindAddress = r.GetValue(bind) ?? "127.0.0.1";
            await RunAsync(settings, ct);
            return 0;
        });
        return cmd;
    }

    public static async Task RunAsync(OnshiSettings settings, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(settings.DataDirectory);
        await using var oqs = OqsApp.Create(settings);
        await OnshiDatabase.MigrateAsync(oqs.Services, settings, cancellationToken);
        await oqs.StartAsync(cancellationToken);
        var ca = oqs.Services.GetRequiredService<CertificateAuthority>();
        Console.WriteLine($"オンライン資格確認等システム (OQS): {string.Join(", ", oqs.Urls)}");
        Console.WriteLine($"  CA certificate: {ca.CertificatePath}");
        Console.WriteLine($"  data: {settings.DataDirectory} ({settings.DatabaseProvider}, {(settings.Environment == Onshi.Core.Data.OqsEnvironment.Production ? "本番環境" : "接続確認環境")})");
        Console.WriteLine("Ctrl+C で停止します (press Ctrl+C to stop).");
        await oqs.WaitForShutdownAsync(cancellationToken);
    }
}
