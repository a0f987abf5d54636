using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Onshi.Cli.Commands;
using Onshi.Core.Data;
using Onshi.Core.Features.Operators;
using Onshi.Core.Features.Passwords;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Oqs;
using Onshi.Operator.Hosting;
using Onshi.Web.Hosting;

#pragma warning disable CA1716 // "Operator" is a VB keyword; the folder mirrors src/Onshi.Operator.
namespace Onshi.IntegrationTests.Operator;

/// <summary>
/// The real operator console on a real Kestrel endpoint (a free loopback port, HTTPS with the CA's server certificate)
/// over a fresh database of the given provider, filled with the OQS demo data (two institutions, every account kind, a
/// terminal certificate each). Settings ask for 0.0.0.0; the console must still listen on loopback only.
/// </summary>
public sealed class OperatorServer : IAsyncDisposable
{
    private readonly TestDatabase database;
    private readonly string dataDirectory;

    private OperatorServer(WebApplication app, TestDatabase database, string dataDirectory, DemoFile demo, FakeTimeProvider time)
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

    /// <summary>Starts the console; <paramref name="configureServices"/> has the last word on its services (e.g. options).</summary>
    public static async Task<OperatorServer> StartAsync(string provider, Action<IServiceCollection>? configureServices = null)
    {
        var database = await TestDatabase.CreateAsync(provider);
        var dir = Directory.CreateTempSubdirectory("onshi-op-").FullName;
        var settings = new OnshiSettings
        {
            DataDirectory = dir,
            DatabaseProvider = provider,
            ConnectionString = database.ConnectionString,
            BindAddress = "0.0.0.0",
        };
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        time.AutoAdvanceAmount = TimeSpan.FromMilliseconds(1);
        var app = OperatorApp.Create(settings, 0, services =>
        {
            services.AddSingleton<TimeProvider>(time);
            configureServices?.Invoke(services);
        });
        await OnshiDatabase.MigrateAsync(app.Services, settings);
        await app.StartAsync();
        var demo = await DemoCommand.BuildAsync(app.Services, OqsEnvironment.Production, dir, 8443, CancellationToken.None, portalItems: false);
        return new OperatorServer(app, database, dir, demo, time);
    }

    /// <summary>Creates an operator through <see cref="OperatorCreationService.CreateAsync"/>; returns its temporary password.</summary>
    public async Task<string> CreateOperatorAsync(string userId, OperatorRole role)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<OperatorCreationService>().CreateAsync(userId, "運用 " + userId, role, "test");
        return result.Value ?? throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Message)));
    }

    /// <summary>An operator that has already set its own (permanent) password.</summary>
    public async Task<(string UserId, string Password)> ReadyOperatorAsync(OperatorRole role)
    {
        var userId = "op-" + role.ToString().ToLowerInvariant();
        await CreateOperatorAsync(userId, role);
        const string password = "Correct-Horse-Battery-9";
        await WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<OnshiDbContext>();
            var o = await db.OperatorAccounts.SingleAsync(x => x.UserId == userId);
            var hasher = sp.GetRequiredService<Argon2idPasswordHasher>();
            o.PasswordHash = hasher.Hash(password);
            o.MustChangePassword = false;
            o.PasswordExpiresAt = null;
            return await db.SaveChangesAsync();
        });
        return (userId, password);
    }

    /// <summary>A browser-like client trusting our CA, keeping cookies, following redirects itself.</summary>
    public OqsClient Client() => TestTls.Client(BaseAddress, CaCertificate);

    /// <summary>As <see cref="Client()"/>, keeping its cookies in <paramref name="cookies"/> (to read or plant them).</summary>
    public OqsClient Client(CookieContainer cookies) =>
        TestTls.Client(BaseAddress, CaCertificate, cookies: cookies);

    public async Task<T> WithDbAsync<T>(Func<OnshiDbContext, Task<T>> action)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<OnshiDbContext>());
    }

    public async Task<T> WithServicesAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
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

/// <summary>The console's steps as an operator performs them.</summary>
public static class OperatorStories
{
    public static async Task<OqsPage> OperatorLoginAsync(this OqsClient client, string userId, string password)
    {
        ArgumentNullException.ThrowIfNull(client);
        var login = await client.GetAsync("/Login");
        return await client.SubmitAsync(login, "main form", new Dictionary<string, string>
        {
            ["Input.UserId"] = userId,
            ["Input.Password"] = password,
        });
    }
}
