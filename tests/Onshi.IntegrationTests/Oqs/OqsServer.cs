using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Onshi.Cli.Commands;
using Onshi.Core.Data;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.Oqs.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.IntegrationTests.Oqs;

/// <summary>
/// The real OQS on a real Kestrel endpoint (127.0.0.1, a free port, mutual TLS) over a fresh database of the given
/// provider, filled with the demo data (two institutions, every account kind, a terminal certificate each).
/// </summary>
public sealed class OqsServer : IAsyncDisposable
{
    private readonly TestDatabase database;
    private readonly string dataDirectory;

    private OqsServer(WebApplication app, TestDatabase database, string dataDirectory, DemoFile demo, FakeTimeProvider time)
    {
        App = app;
        this.database = database;
        this.dataDirectory = dataDirectory;
        Demo = demo;
        Time = time;
        BaseAddress = new Uri(app.Urls.First());
        CaCertificate = X509CertificateLoader.LoadCertificateFromFile(demo.CaCert);
    }

    public WebApplication App { get; }

    public DemoFile Demo { get; }

    public FakeTimeProvider Time { get; }

    public Uri BaseAddress { get; }

    public X509Certificate2 CaCertificate { get; }

    public string DataDirectory => dataDirectory;

    /// <summary>The database this server was started on (a second instance may share it).</summary>
    public TestDatabase Database => database;

    /// <summary>Starts the OQS; <paramref name="configureServices"/> has the last word on its services (e.g. options).</summary>
    public static async Task<OqsServer> StartAsync(string provider, Action<IServiceCollection>? configureServices = null)
    {
        var database = await TestDatabase.CreateAsync(provider);
        var dir = Directory.CreateTempSubdirectory("onshi-oqs-").FullName;
        var settings = new OnshiSettings
        {
            DataDirectory = dir,
            DatabaseProvider = provider,
            ConnectionString = database.ConnectionString,
            OqsPort = 0,
        };
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        time.AutoAdvanceAmount = TimeSpan.FromMilliseconds(1);
        var app = OqsApp.Create(settings, services =>
        {
            services.AddSingleton<TimeProvider>(time);
            configureServices?.Invoke(services);
        });
        await OnshiDatabase.MigrateAsync(app.Services, settings);
        await app.StartAsync();
        var port = new Uri(app.Urls.First()).Port;
        var demo = await DemoCommand.BuildAsync(app.Services, OqsEnvironment.Production, dir, port, CancellationToken.None, portalItems: false);
        return new OqsServer(app, database, dir, demo, time);
    }

    /// <summary>The account of <paramref name="kind"/> of the demo institution (or the other one).</summary>
    public DemoAccount Account(string kind, bool other = false) =>
        (other ? Demo.OtherInstitution.Accounts : Demo.Accounts).Single(a => a.Kind == kind);

    /// <summary>A browser-like client presenting <paramref name="terminal"/> (or no certificate), keeping cookies.</summary>
    public OqsClient Client(DemoTerminal? terminal)
    {
        X509Certificate2? clientCert = terminal is null ? null
            : X509CertificateLoader.LoadPkcs12FromFile(terminal.Pfx, terminal.Passphrase);
        return Client(clientCert);
    }

    public OqsClient Client(X509Certificate2? clientCert) => TestTls.Client(BaseAddress, CaCertificate, clientCert);

    /// <summary>As <see cref="Client(DemoTerminal?)"/>, keeping its cookies in <paramref name="cookies"/> (to read or plant them).</summary>
    public OqsClient Client(DemoTerminal terminal, CookieContainer cookies)
    {
        ArgumentNullException.ThrowIfNull(terminal);
        var clientCert = X509CertificateLoader.LoadPkcs12FromFile(terminal.Pfx, terminal.Passphrase);
        return TestTls.Client(BaseAddress, CaCertificate, clientCert, cookies);
    }

    public async Task<T> WithDbAsync<T>(Func<OnshiDbContext, Task<T>> action)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<OnshiDbContext>());
    }

    public Task<Account> AccountRowAsync(string userId)
    {
        var normalized = userId.ToUpperInvariant();
        return WithDbAsync(db => db.Accounts.AsNoTracking().SingleAsync(a => a.NormalizedUserId == normalized));
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        CaCertificate.Dispose();
        await database.DisposeAsync();
        try
        {
            Directory.Delete(dataDirectory, recursive: true);
            File.Delete(Onshi.Core.Features.Secrets.MasterKey.DefaultKeyFilePath(dataDirectory));
        }
        catch (IOException)
        {
        }
    }
}
