using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Features.Secrets;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Oqs;
using Onshi.Portal.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.IntegrationTests.Portal;

/// <summary>
/// A second portal instance beside a <see cref="PortalServer"/>: its own process state (nothing in memory shared), the same
/// database, CA, TLS certificate, master key and clock — as docs/scaling.md runs several portals behind the proxy.
/// </summary>
public sealed class PortalInstance : IAsyncDisposable
{
    private readonly string directory;

    private PortalInstance(WebApplication app, string directory, X509Certificate2 ca)
    {
        App = app;
        this.directory = directory;
        Ca = ca;
        BaseAddress = new Uri(app.Urls.First());
    }

    public WebApplication App { get; }

    public Uri BaseAddress { get; }

    private X509Certificate2 Ca { get; }

    /// <summary>Starts a second portal beside <paramref name="first"/>.</summary>
    public static async Task<PortalInstance> StartAsync(PortalServer first)
    {
        ArgumentNullException.ThrowIfNull(first);
        var dir = Directory.CreateTempSubdirectory("onshi-portal2-").FullName;
        CopyDirectory(Path.Combine(first.DataDirectory, "ca"), Path.Combine(dir, "ca"));
        CopyDirectory(Path.Combine(first.DataDirectory, "tls"), Path.Combine(dir, "tls"));
        File.Copy(Path.Combine(first.DataDirectory, MasterKey.MarkerFileName), Path.Combine(dir, MasterKey.MarkerFileName));
        var settings = new OnshiSettings
        {
            DataDirectory = dir,
            DatabaseProvider = first.Database.Provider,
            ConnectionString = first.Database.ConnectionString,
            MasterKeyFile = MasterKey.DefaultKeyFilePath(first.DataDirectory),
        };
        var app = PortalApp.Create(settings, 0, services => services.AddSingleton<TimeProvider>(first.Time));
        await OnshiDatabase.MigrateAsync(app.Services, settings);
        await app.StartAsync();
        return new PortalInstance(app, dir, X509CertificateLoader.LoadCertificate(first.CaCertificate.RawData));
    }

    /// <summary>A client of this instance keeping its cookies in <paramref name="cookies"/> (share them with the first's client).</summary>
    public OqsClient Client(CookieContainer cookies) => TestTls.Client(BaseAddress, Ca, cookies: cookies);

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
