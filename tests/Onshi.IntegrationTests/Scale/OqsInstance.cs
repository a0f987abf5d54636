using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Cli.Commands;
using Onshi.Core.Features.Secrets;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Oqs;
using Onshi.Oqs.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.IntegrationTests.Scale;

/// <summary>
/// Another OQS instance of the same deployment as <see cref="OqsServer"/> (scale-out, SPEC §10): the same database, its
/// own process state (throttle, key ring cache, refusal gate) and its own data directory holding copies of the CA and the
/// server certificate as a deployment would ship them — but no Data Protection key files: the key ring comes from the
/// database.
/// </summary>
public sealed class OqsInstance : IAsyncDisposable
{
    private readonly string directory;

    private OqsInstance(WebApplication app, string directory, X509Certificate2 ca)
    {
        App = app;
        this.directory = directory;
        Ca = ca;
        BaseAddress = new Uri(app.Urls.First());
    }

    public WebApplication App { get; }

    public Uri BaseAddress { get; }

    private X509Certificate2 Ca { get; }

    /// <summary>Starts a second instance beside <paramref name="first"/>; <paramref name="configureServices"/> has the last word.</summary>
    public static async Task<OqsInstance> StartAsync(OqsServer first, Action<IServiceCollection>? configureServices = null)
    {
        ArgumentNullException.ThrowIfNull(first);
        var dir = Directory.CreateTempSubdirectory("onshi-oqs2-").FullName;
        CopyDirectory(Path.Combine(first.DataDirectory, "ca"), Path.Combine(dir, "ca"));
        CopyDirectory(Path.Combine(first.DataDirectory, "tls"), Path.Combine(dir, "tls"));
        File.Copy(Path.Combine(first.DataDirectory, MasterKey.MarkerFileName), Path.Combine(dir, MasterKey.MarkerFileName));
        var settings = new OnshiSettings
        {
            DataDirectory = dir,
            DatabaseProvider = first.Database.Provider,
            ConnectionString = first.Database.ConnectionString,
            OqsPort = 0,
            MasterKeyFile = MasterKey.DefaultKeyFilePath(first.DataDirectory),
        };
        var app = OqsApp.Create(settings, services =>
        {
            services.AddSingleton<TimeProvider>(first.Time);
            configureServices?.Invoke(services);
        });
        await OnshiDatabase.MigrateAsync(app.Services, settings);
        await app.StartAsync();
        return new OqsInstance(app, dir, X509CertificateLoader.LoadCertificate(first.CaCertificate.RawData));
    }

    /// <summary>A client of this instance presenting <paramref name="terminal"/>, keeping its cookies in <paramref name="cookies"/>.</summary>
    public OqsClient Client(DemoTerminal terminal, CookieContainer cookies)
    {
        ArgumentNullException.ThrowIfNull(terminal);
        var cert = X509CertificateLoader.LoadPkcs12FromFile(terminal.Pfx, terminal.Passphrase);
        return TestTls.Client(BaseAddress, Ca, cert, cookies);
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        Ca.Dispose();
        try
        {
            Directory.Delete(directory, recursive: true); // no key file beside it: the instance uses the first's
        }
        catch (IOException)
        {
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
