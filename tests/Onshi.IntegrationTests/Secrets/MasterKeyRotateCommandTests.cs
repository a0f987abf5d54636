using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Data;
using Onshi.Core.Features.Certificates;
using Onshi.Core.Features.Operators;
using Onshi.Core.Features.Passwords;
using Onshi.Core.Features.Secrets;
using Onshi.IntegrationTests.Durability;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Operator;
using Onshi.IntegrationTests.Oqs;
using Onshi.Operator.Hosting;
using Onshi.Web.Hosting;
using Shouldly;

namespace Onshi.IntegrationTests.Secrets;

/// <summary>
/// <c>onshi master-key rotate</c> (the real command, a child process) on a data directory of a console that has been
/// serving: afterwards the console starts with the new key and refuses the old one, a browser signed in before the
/// rotation is still signed in (its Data Protection cookie opens with the same, re-wrapped key ring), the server
/// certificate is the same one re-encrypted, and the command never prints key material. A wrong current key is refused
/// and changes nothing.
/// </summary>
public abstract class MasterKeyRotateCommandTests(string provider) : IAsyncLifetime
{
    private const string Password = "Correct-Horse-Battery-9";
    private readonly string root = Directory.CreateTempSubdirectory("onshi-rotate-").FullName;
    private TestDatabase? database;

    private string Data => Path.Combine(root, "data");

    private string OldKeyFile => Path.Combine(root, "old.key");

    private string NewKeyFile => Path.Combine(root, "new.key");

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(Data);
        if (provider == TestDatabase.Postgres)
        {
            database = await TestDatabase.CreateAsync(provider);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (database is not null)
        {
            await database.DisposeAsync();
        }

        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Rotate_ThenTheNewKeyStartsTheConsole_TheOldOneIsRefused_SignedInBrowserStaysSignedIn()
    {
        var ct = TestContext.Current.CancellationToken;
        var oldKey = MasterKey.CreateKeyFile(OldKeyFile);
        var settings = Settings(OldKeyFile);
        var cookies = new CookieContainer();
        X509Certificate2 ca;
        string serverThumbprint;

        // Before: the console serves under the old key; an operator signs in and keeps the cookie.
        await using (var app = await StartAsync(settings, ct))
        {
            ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(Data, "ca", "ca.crt"));
            await ReadyOperatorAsync(app);
            using var browser = Browser(app, ca, cookies);
            (await browser.OperatorLoginAsync("op-rotate", Password)).Path.ShouldBe("/");
            serverThumbprint = ServerThumbprint(oldKey);
            await app.StopAsync(ct);
        }

        using (ca)
        {
            // A wrong current key: refused, nothing written, no new key file made.
            var before = Fingerprint();
            var wrongKeyFile = Path.Combine(root, "wrong.key");
            MasterKey.CreateKeyFile(wrongKeyFile);
            var (wrongCode, wrongOutput) = await OnshiChildProcess.RunAsync(Settings(wrongKeyFile), ["master-key", "rotate", "--new-key-file", NewKeyFile], ct);
            wrongCode.ShouldBe(3, wrongOutput);
            wrongOutput.ShouldContain("マスター鍵が違います");
            Fingerprint().ShouldBe(before);
            File.Exists(NewKeyFile).ShouldBeFalse();

            // A new key inside the data directory (it would go into every backup): refused.
            var (insideCode, insideOutput) = await OnshiChildProcess.RunAsync(settings, ["master-key", "rotate", "--new-key-file", Path.Combine(Data, "new.key")], ct);
            insideCode.ShouldBe(2, insideOutput);
            Fingerprint().ShouldBe(before);

            // The rotation.
            var (code, output) = await OnshiChildProcess.RunAsync(settings, ["master-key", "rotate", "--new-key-file", NewKeyFile], ct);
            code.ShouldBe(0, output);
            var newKey = MasterKey.ReadKeyFile(NewKeyFile);
            output.ShouldContain($"{oldKey.KeyId} → {newKey.KeyId}");
            output.ShouldNotContain(oldKey.Export());
            output.ShouldNotContain(newKey.Export());
            if (!OperatingSystem.IsWindows())
            {
                File.GetUnixFileMode(NewKeyFile).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            MasterKey.ReadMarker(Data).ShouldBe(newKey.KeyId);
            ServerThumbprint(newKey).ShouldBe(serverThumbprint, "the same server certificate, re-encrypted");

            // Run again: already done.
            var (againCode, againOutput) = await OnshiChildProcess.RunAsync(settings, ["master-key", "rotate", "--new-key-file", NewKeyFile], ct);
            againCode.ShouldBe(0, againOutput);
            againOutput.ShouldContain("Already rotated");

            // The old key starts nothing any more: neither a site nor a command.
            Should.Throw<OnshiStartupException>(() => OperatorApp.Create(settings, 0)).Message.ShouldContain("マスター鍵が違います");
            var (oldCode, oldOutput) = await OnshiChildProcess.RunAsync(settings, ["audit", "verify"], ct);
            oldCode.ShouldBe(3, oldOutput);

            // The new key starts it, and the browser signed in before the rotation is still signed in.
            var rotated = Settings(NewKeyFile);
            (await OnshiChildProcess.RunAsync(rotated, ["audit", "verify"], ct)).ExitCode.ShouldBe(0);
            await using var again = await StartAsync(rotated, ct);
            using var sameBrowser = Browser(again, ca, cookies);
            var home = await sameBrowser.GetAsync("/");
            home.Path.ShouldBe("/", "the session cookie made before the rotation still opens");
            home.Redirects.ShouldBeEmpty();
            home.Text.ShouldContain("運用 op-rotate");
            using var stranger = Browser(again, ca, new CookieContainer());
            (await stranger.GetAsync("/")).Path.ShouldBe("/Login");
            await again.StopAsync(ct);
        }
    }

    private OnshiSettings Settings(string keyFile) => new()
    {
        DataDirectory = Data,
        DatabaseProvider = provider,
        ConnectionString = database?.ConnectionString,
        MasterKeyFile = keyFile,
    };

    private static async Task<WebApplication> StartAsync(OnshiSettings settings, CancellationToken ct)
    {
        var app = OperatorApp.Create(settings, 0);
        await OnshiDatabase.MigrateAsync(app.Services, settings, ct);
        await app.StartAsync(ct);
        return app;
    }

    private static async Task ReadyOperatorAsync(WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        (await sp.GetRequiredService<OperatorCreationService>().CreateAsync("op-rotate", "運用 op-rotate", OperatorRole.Supervisor, "test")).Succeeded.ShouldBeTrue();
        var db = sp.GetRequiredService<OnshiDbContext>();
        var account = await db.OperatorAccounts.SingleAsync(o => o.UserId == "op-rotate");
        account.PasswordHash = sp.GetRequiredService<Argon2idPasswordHasher>().Hash(Password);
        account.MustChangePassword = false;
        account.PasswordExpiresAt = null;
        await db.SaveChangesAsync();
    }

    private static OqsClient Browser(WebApplication app, X509Certificate2 ca, CookieContainer cookies) =>
        TestTls.Client(new Uri(app.Urls.First()), ca, cookies: cookies);

    private string ServerThumbprint(MasterKey key)
    {
        using var certificate = X509CertificateLoader.LoadPkcs12FromFile(Path.Combine(Data, "tls", "server.pfx"), CertificateAuthority.ServerPfxPassword(key));
        return certificate.Thumbprint;
    }

    /// <summary>Every file of the data directory (the SQLite files left out) with its SHA-256.</summary>
    private List<string> Fingerprint() =>
        [.. Directory.EnumerateFiles(Data, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetFileName(f).StartsWith("onshi.db", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(Data, f) + " " + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))))
            .Order(StringComparer.Ordinal)];
}

public sealed class MasterKeyRotateCommandTestsSqlite() : MasterKeyRotateCommandTests(TestDatabase.Sqlite);

public sealed class MasterKeyRotateCommandTestsPostgres() : MasterKeyRotateCommandTests(TestDatabase.Postgres);
