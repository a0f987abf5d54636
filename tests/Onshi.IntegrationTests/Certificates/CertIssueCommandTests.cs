using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Cli.Commands;
using Onshi.Core.Data;
using Onshi.Core.Features.Secrets;
using Onshi.Core.Hosting;
using Onshi.IntegrationTests.Durability;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.Web.Hosting;
using Shouldly;

namespace Onshi.IntegrationTests.Certificates;

/// <summary>
/// <c>onshi cert issue --institution CODE</c> and <c>cert list --institution CODE</c> (the real command, a child process):
/// a code the 医療機関等コード rules refuse (here: a wrong 検証番号) is refused with the reason before anything is looked up
/// or written, instead of the "not registered" answer a typo used to get; the right code issues the certificate.
/// </summary>
public abstract class CertIssueCommandTests(string provider) : IAsyncLifetime
{
    private const string CheckDigitMessage = "医療機関等コードの検証番号（末尾の1桁）が正しくありません。コードをもう一度ご確認ください。";
    private readonly string dataDirectory = Directory.CreateTempSubdirectory("onshi-cert-issue-").FullName;
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
    public async Task CertIssue_WrongCheckDigit_RefusedWithTheReason_IssuesNothing_RightCodeIssues()
    {
        var ct = TestContext.Current.CancellationToken;
        var settings = new OnshiSettings { DataDirectory = dataDirectory, DatabaseProvider = provider, ConnectionString = database?.ConnectionString };
        var code = await SeedAsync(settings, ct);
        var mistyped = code[..9] + (char)('0' + (code[9] - '0' + 1) % 10); // deliberately invalid: only the 検証番号 changed
        var output = Path.Combine(dataDirectory, "issued");

        var (exit, text) = await OnshiChildProcess.RunAsync(settings, ["cert", "issue", "--institution", mistyped, "--terminal", "T0002", "--out", output], ct);
        exit.ShouldBe(2, text);
        text.ShouldContain(CheckDigitMessage);
        text.ShouldNotContain("登録されていません");
        Directory.Exists(output).ShouldBeFalse();
        (await CertificateCountAsync(settings, ct)).ShouldBe(2); // the demo's two terminals

        (exit, text) = await OnshiChildProcess.RunAsync(settings, ["cert", "list", "--institution", mistyped], ct);
        exit.ShouldBe(2, text);
        text.ShouldContain(CheckDigitMessage);

        (exit, text) = await OnshiChildProcess.RunAsync(settings, ["cert", "issue", "--institution", code, "--terminal", "T0002", "--out", output], ct);
        exit.ShouldBe(0, text);
        File.Exists(Path.Combine(output, $"{code}-T0002.p12")).ShouldBeTrue(text);
        (await CertificateCountAsync(settings, ct)).ShouldBe(3);
    }

    /// <summary>The demo institutions (one terminal certificate each); the first one's code.</summary>
    private static async Task<string> SeedAsync(OnshiSettings settings, CancellationToken ct)
    {
        await using var sp = await ServicesAsync(settings, ct);
        var demo = await DemoCommand.BuildAsync(sp, OqsEnvironment.Production, settings.DataDirectory, 0, ct, portalItems: false);
        return demo.Institution.Code;
    }

    private static async Task<int> CertificateCountAsync(OnshiSettings settings, CancellationToken ct)
    {
        await using var sp = await ServicesAsync(settings, ct);
        await using var scope = sp.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<OnshiDbContext>().TerminalCertificates.CountAsync(ct);
    }

    private static async Task<ServiceProvider> ServicesAsync(OnshiSettings settings, CancellationToken ct)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddSingleton(MasterKey.Resolve(settings.DataDirectory));
        services.AddOnshiCore(settings.DataDirectory, o => OnshiDatabase.Configure(o, settings));
        var sp = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        await OnshiDatabase.MigrateAsync(sp, settings, ct);
        return sp;
    }
}

public sealed class CertIssueCommandTestsSqlite() : CertIssueCommandTests(TestDatabase.Sqlite);

public sealed class CertIssueCommandTestsPostgres() : CertIssueCommandTests(TestDatabase.Postgres);
