using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Onshi.Core.Data;
using Onshi.Core.Features.Certificates;
using Onshi.Core.Features.Mail;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Oqs;
using Onshi.Portal.Hosting;
using Onshi.Web.Hosting;
using Shouldly;

namespace Onshi.IntegrationTests.Portal;

/// <summary>The real portal on a real Kestrel endpoint (127.0.0.1, a free port, HTTPS, no client certificate) over a fresh database.</summary>
public sealed class PortalServer : IAsyncDisposable
{
    private readonly TestDatabase database;

    private PortalServer(WebApplication app, TestDatabase database, string dataDirectory, FakeTimeProvider time)
    {
        App = app;
        this.database = database;
        DataDirectory = dataDirectory;
        Time = time;
        BaseAddress = new Uri(app.Urls.First());
        CaCertificate = X509CertificateLoader.LoadCertificateFromFile(app.Services.GetRequiredService<CertificateAuthority>().CertificatePath);
    }

    public WebApplication App { get; }

    public FakeTimeProvider Time { get; }

    public Uri BaseAddress { get; }

    public X509Certificate2 CaCertificate { get; }

    public string DataDirectory { get; }

    /// <summary>This portal's database (a second instance runs on it: PortalInstance).</summary>
    public TestDatabase Database => database;

    public string OutboxDirectory => App.Services.GetRequiredService<IOptions<MailOptions>>().Value.OutboxDirectory!;

    /// <summary>Starts the portal; <paramref name="configureServices"/> has the last word on its services (e.g. options).</summary>
    public static async Task<PortalServer> StartAsync(string provider, bool showOutbox = false, Action<IServiceCollection>? configureServices = null)
    {
        var database = await TestDatabase.CreateAsync(provider);
        var dir = Directory.CreateTempSubdirectory("onshi-portal-").FullName;
        var settings = new OnshiSettings
        {
            DataDirectory = dir,
            DatabaseProvider = provider,
            ConnectionString = database.ConnectionString,
        };
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        time.AutoAdvanceAmount = TimeSpan.FromMilliseconds(1);
        var app = PortalApp.Create(settings, 0, services =>
        {
            services.AddSingleton<TimeProvider>(time);
            configureServices?.Invoke(services);
        }, showOutbox: showOutbox);
        await OnshiDatabase.MigrateAsync(app.Services, settings);
        await app.StartAsync();
        return new PortalServer(app, database, dir, time);
    }

    /// <summary>A browser-like client trusting our CA, keeping cookies, with no client certificate.</summary>
    public OqsClient Client() => TestTls.Client(BaseAddress, CaCertificate);

    /// <summary>A client keeping its cookies in <paramref name="cookies"/> (shared with a PortalInstance's client: one browser).</summary>
    public OqsClient Client(CookieContainer cookies) => TestTls.Client(BaseAddress, CaCertificate, cookies: cookies);

    /// <summary>A handler trusting our CA, for tests that inspect raw responses.</summary>
    public SocketsHttpHandler Handler(CookieContainer cookies) => TestTls.Handler(CaCertificate, cookies: cookies);

    /// <summary>The outbox, newest first, once the mail queue (reset mails go out just after the answer) is empty.</summary>
    public IReadOnlyList<OutboxMessage> Mails()
    {
        App.Services.GetRequiredService<MailDispatcher>().WhenIdleAsync(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult().ShouldBeTrue("the mail queue did not empty");
        return OutboxReader.ReadAll(OutboxDirectory);
    }

    /// <summary>The newest mail to <paramref name="to"/>.</summary>
    public OutboxMessage LastMailTo(string to) =>
        Mails().FirstOrDefault(m => string.Equals(m.To, to, StringComparison.OrdinalIgnoreCase))
        ?? throw new InvalidOperationException($"No mail to {to}");

    /// <summary>The path and query of the first link of a mail (the link names this server).</summary>
    public string LinkOf(OutboxMessage mail)
    {
        var link = new Uri(OutboxReader.Links(mail)[0]);
        if (link.Authority != BaseAddress.Authority)
        {
            throw new InvalidOperationException($"The link names {link.Authority}, not this server {BaseAddress.Authority}");
        }

        return link.PathAndQuery;
    }

    public async Task<T> WithDbAsync<T>(Func<OnshiDbContext, Task<T>> action)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<OnshiDbContext>());
    }

    public Task<List<PortalUser>> UsersAsync(string email)
    {
        var normalized = email.ToUpperInvariant();
        return WithDbAsync(db => db.PortalUsers.AsNoTracking().Where(u => u.NormalizedEmail == normalized).ToListAsync());
    }

    public Task<List<AuditEntry>> AuditAsync(string action) =>
        WithDbAsync(db => db.AuditEntries.AsNoTracking().Where(a => a.Action == action).OrderBy(a => a.Id).ToListAsync());

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        CaCertificate.Dispose();
        await database.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
            File.Delete(Onshi.Core.Features.Secrets.MasterKey.DefaultKeyFilePath(DataDirectory));
        }
        catch (IOException)
        {
        }
    }
}
