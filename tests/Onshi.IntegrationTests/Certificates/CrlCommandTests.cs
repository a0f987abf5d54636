using System.Diagnostics;
using System.Numerics;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Cli.Commands;
using Onshi.Core.Data;
using Onshi.Core.Features.Certificates;
using Onshi.Core.Features.Secrets;
using Onshi.Core.Hosting;
using Onshi.IntegrationTests.Durability;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.Web.Hosting;
using Shouldly;

namespace Onshi.IntegrationTests.Certificates;

/// <summary>
/// <c>onshi cert crl --out FILE</c> (the real command, a child process): the CRL lists exactly the revoked terminal
/// certificates of the database, OpenSSL verifies it against our CA certificate, its CRL number increases from one run to
/// the next, and it replaces the previous file by a rename (a reader holding the old file keeps reading a whole old CRL; no
/// temporary file is left behind).
/// </summary>
public abstract class CrlCommandTests(string provider) : IAsyncLifetime
{
    private readonly string dataDirectory = Directory.CreateTempSubdirectory("onshi-crl-").FullName;
    private TestDatabase? database;

    public async ValueTask InitializeAsync()
    {
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
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }

        File.Delete(MasterKey.DefaultKeyFilePath(dataDirectory));
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task CertCrl_ListsTheRevokedSerials_VerifiesWithOpenssl_AndReplacesTheFileAtomically()
    {
        var ct = TestContext.Current.CancellationToken;
        var settings = new OnshiSettings { DataDirectory = dataDirectory, DatabaseProvider = provider, ConnectionString = database?.ConnectionString };
        var (revoked, valid) = await SeedAsync(settings, ct);
        var crlPath = Path.Combine(dataDirectory, "crl", "onshi.crl");

        // First run: every revoked serial, nothing else; OpenSSL accepts the signature.
        var (code, output) = await OnshiChildProcess.RunAsync(settings, ["cert", "crl", "--out", crlPath], ct);
        code.ShouldBe(0, output);
        output.ShouldContain("2 revoked");
        var first = Read(crlPath);
        first.Serials.ShouldBe(revoked, ignoreOrder: true);
        first.Serials.ShouldNotContain(valid);
        first.NextUpdate.ShouldBe(first.ThisUpdate.AddDays(7), TimeSpan.FromSeconds(1));
        var (verifyCode, verifyOutput) = await RunAsync("openssl", ["crl", "-in", crlPath, "-noout", "-CAfile", Path.Combine(dataDirectory, "ca", "ca.crt"), "-verify"], ct);
        verifyCode.ShouldBe(0, verifyOutput);
        verifyOutput.ShouldContain("verify OK");
        var (textCode, text) = await RunAsync("openssl", ["crl", "-in", crlPath, "-noout", "-text"], ct);
        textCode.ShouldBe(0, text);
        text.ShouldContain("Version 2");
        foreach (var serial in revoked)
        {
            text.ShouldContain("Serial Number: " + serial);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(crlPath).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        // A revocation later, then a second run while a reader holds the first file open: the reader keeps the whole first
        // CRL (the new one arrived by a rename, not by rewriting the file in place), the new one lists the third serial and
        // has a larger CRL number, and no temporary file is left.
        await using (var scope = (await ServicesAsync(settings, ct)).CreateAsyncScope())
        {
            (await scope.ServiceProvider.GetRequiredService<TerminalCertificateService>().RevokeAsync(valid, "test", ct)).Succeeded.ShouldBeTrue();
        }

        var firstBytes = await File.ReadAllBytesAsync(crlPath, ct);
        await using (var reader = new FileStream(crlPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            (code, output) = await OnshiChildProcess.RunAsync(settings, ["cert", "crl", "--out", crlPath], ct);
            code.ShouldBe(0, output);
            using var held = new MemoryStream();
            await reader.CopyToAsync(held, ct);
            held.ToArray().ShouldBe(firstBytes);
        }

        var second = Read(crlPath);
        second.Serials.ShouldBe([.. revoked, valid], ignoreOrder: true);
        second.Number.ShouldBeGreaterThan(first.Number);
        Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(crlPath)!).Select(Path.GetFileName).ShouldBe(["onshi.crl"]);
        (verifyCode, verifyOutput) = await RunAsync("openssl", ["crl", "-in", crlPath, "-noout", "-CAfile", Path.Combine(dataDirectory, "ca", "ca.crt"), "-verify"], ct);
        verifyCode.ShouldBe(0, verifyOutput);
    }

    [Fact]
    public async Task Writer_ClockSteppedBack_StillIncreasesTheCrlNumber()
    {
        var ct = TestContext.Current.CancellationToken;
        var settings = new OnshiSettings { DataDirectory = dataDirectory, DatabaseProvider = provider, ConnectionString = database?.ConnectionString };
        var clock = new SteppingClock { Now = DateTimeOffset.UtcNow };
        await using var sp = await ServicesAsync(settings, ct, clock);
        var path = Path.Combine(dataDirectory, "onshi.crl");
        await using var scope = sp.CreateAsyncScope();
        var writer = scope.ServiceProvider.GetRequiredService<CertificateRevocationListWriter>();
        var first = await writer.WriteAsync(path, TimeSpan.FromDays(1), ct);
        clock.Now = clock.Now.AddHours(-1);
        var second = await writer.WriteAsync(path, TimeSpan.FromDays(1), ct);
        second.CrlNumber.ShouldBe(first.CrlNumber + 1);
        Read(path).Number.ShouldBe(second.CrlNumber);
        first.Entries.ShouldBe(0);
    }

    /// <summary>The demo institutions (two terminal certificates), plus a third certificate; revokes two. Returns the serials.</summary>
    private static async Task<(List<string> Revoked, string Valid)> SeedAsync(OnshiSettings settings, CancellationToken ct)
    {
        await using var sp = await ServicesAsync(settings, ct);
        var demo = await DemoCommand.BuildAsync(sp, OqsEnvironment.Production, settings.DataDirectory, 0, ct, portalItems: false);
        await using var scope = sp.CreateAsyncScope();
        var certificates = scope.ServiceProvider.GetRequiredService<TerminalCertificateService>();
        var institution = (await certificates.ListAsync(null, ct)).First(c => c.SerialNumber == demo.Terminal.Serial).InstitutionId;
        var issued = await certificates.IssueAsync(institution, "T0002", "test", ct);
        issued.Succeeded.ShouldBeTrue();
        using var third = issued.Value!;
        foreach (var serial in new[] { demo.Terminal.Serial, demo.OtherInstitution.Terminal.Serial })
        {
            (await certificates.RevokeAsync(serial, "test", ct)).Succeeded.ShouldBeTrue();
        }

        return ([demo.Terminal.Serial, demo.OtherInstitution.Terminal.Serial], third.SerialNumber);
    }

    private static async Task<ServiceProvider> ServicesAsync(OnshiSettings settings, CancellationToken ct, TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddSingleton(MasterKey.Resolve(settings.DataDirectory));
        services.AddOnshiCore(settings.DataDirectory, o => OnshiDatabase.Configure(o, settings));
        if (time is not null)
        {
            // After AddOnshiCore, which registers the system clock: the last registration wins.
            services.AddSingleton(time);
        }
        var sp = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        await OnshiDatabase.MigrateAsync(sp, settings, ct);
        return sp;
    }

    private static (BigInteger Number, List<string> Serials, DateTimeOffset ThisUpdate, DateTimeOffset NextUpdate) Read(string path)
    {
        var pem = File.ReadAllText(path);
        pem.ShouldStartWith("-----BEGIN X509 CRL-----");
        _ = CertificateRevocationListBuilder.LoadPem(pem, out var number);
        var (_, thisUpdate, nextUpdate) = OpensslDates(path);
        return (number, [.. SerialsOf(path)], thisUpdate, nextUpdate);
    }

    /// <summary>The revoked serials as OpenSSL lists them (upper-case hex, as the database stores them).</summary>
    private static IEnumerable<string> SerialsOf(string path)
    {
        var (code, text) = RunAsync("openssl", ["crl", "-in", path, "-noout", "-text"], CancellationToken.None).GetAwaiter().GetResult();
        code.ShouldBe(0, text);
        return text.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("Serial Number: ", StringComparison.Ordinal))
            .Select(l => l["Serial Number: ".Length..].Trim().ToUpperInvariant());
    }

    private static (string Issuer, DateTimeOffset ThisUpdate, DateTimeOffset NextUpdate) OpensslDates(string path)
    {
        var (code, text) = RunAsync("openssl", ["crl", "-in", path, "-noout", "-issuer", "-lastupdate", "-nextupdate", "-dateopt", "iso_8601"], CancellationToken.None)
            .GetAwaiter().GetResult();
        code.ShouldBe(0, text);
        string Value(string key) => text.Split('\n').Single(l => l.StartsWith(key + "=", StringComparison.Ordinal))[(key.Length + 1)..].Trim();
        return (Value("issuer"), DateTimeOffset.Parse(Value("lastUpdate"), System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.Parse(Value("nextUpdate"), System.Globalization.CultureInfo.InvariantCulture));
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> args, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, StandardOutputEncoding = Encoding.UTF8 };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync(ct);
        var error = p.StandardError.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        return (p.ExitCode, await output + await error);
    }
}

/// <summary>A clock that can be set back, as a real one is by an NTP correction (FakeTimeProvider only goes forward).</summary>
internal sealed class SteppingClock : TimeProvider
{
    public DateTimeOffset Now { get; set; }

    public override DateTimeOffset GetUtcNow() => Now;
}

public sealed class CrlCommandTestsSqlite() : CrlCommandTests(TestDatabase.Sqlite);

public sealed class CrlCommandTestsPostgres() : CrlCommandTests(TestDatabase.Postgres);
