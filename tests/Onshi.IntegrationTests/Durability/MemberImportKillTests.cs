using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Cli.Commands;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Jobs;
using Onshi.Core.Features.MemberImports;
using Onshi.Core.Features.Secrets;
using Onshi.Core.Hosting;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Operator;
using Onshi.Web.Hosting;
using Shouldly;

namespace Onshi.IntegrationTests.Durability;

/// <summary>
/// 加入者データ取込 is atomic per file across a SIGKILL: the real <c>onshi serve</c> imports a first file, then is killed while the
/// second is inside its apply transaction (held there by the test-only <see cref="MemberImportOptions.ApplyPauseForTests"/>,
/// after all its rows were written). After the kill the first file is there whole and nothing of the second; after the restart
/// the second file's job is claimed again once its lease has run out, and the file is applied whole, exactly once.
/// </summary>
public abstract class MemberImportKillTests(string provider) : IAsyncLifetime
{
    private const int SecondFileRows = 3000;
    private readonly string dataDirectory = Directory.CreateTempSubdirectory("onshi-import-kill-").FullName;
    private TestDatabase? database;
    private bool passed;

    private string LogPath => dataDirectory + ".serve.log";

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
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
        if (passed)
        {
            File.Delete(LogPath);
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Sigkill_WhileTheSecondFileIsApplied_LeavesWholeFilesOnly_AndTheRestartFinishesIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var settings = new OnshiSettings { DataDirectory = dataDirectory, DatabaseProvider = provider };
        if (provider == TestDatabase.Postgres)
        {
            database = await TestDatabase.CreateAsync(provider, ct);
            settings.ConnectionString = database.ConnectionString;
        }

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddSingleton(MasterKey.Resolve(settings.DataDirectory));
        services.AddOnshiCore(settings.DataDirectory, o => OnshiDatabase.Configure(o, settings));
        await using var sp = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        await OnshiDatabase.MigrateAsync(sp, settings, ct);
        var demo = await DemoCommand.BuildAsync(sp, OqsEnvironment.Production, settings.DataDirectory, 0, ct, portalItems: false);
        async Task<T> Db<T>(Func<OnshiDbContext, Task<T>> read)
        {
            await using var scope = sp.CreateAsyncScope();
            return await read(scope.ServiceProvider.GetRequiredService<OnshiDbContext>());
        }

        Task<int> Rows(long fromPerson, long toPerson) => Db(db => db.InsuredQualifications.CountAsync(q => q.PersonId >= fromPerson && q.PersonId <= toPerson, ct));
        var environment = new Dictionary<string, string>
        {
            ["Onshi__MemberImport__ApplyPauseForTests"] = "00:00:04",
            ["Onshi__Jobs__LeaseDuration"] = "00:00:06",
        };

        long first, second;
        await using (var child = await OnshiChildProcess.ServeAsync(settings, LogPath, environment, ct))
        {
            using var ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(dataDirectory, "ca", "ca.crt"));
            using var client = TestTls.Client(child.Console, ca);
            (await client.OperatorLoginAsync(demo.Operator!.UserId, demo.Operator.Password)).Path.ShouldBe("/");

            first = MemberImportTests.ImportId(await MemberImportTests.UploadAsync(client, "members-sample.csv",
                await File.ReadAllBytesAsync(MemberImportTests.Sample("members-sample.csv"), ct)));
            await WaitForAsync(() => Db(db => db.MemberImports.AnyAsync(i => i.Id == first && i.Status == MemberImportStatus.Completed, ct)), "first file completed");

            second = MemberImportTests.ImportId(await MemberImportTests.UploadAsync(client, "members-large.csv", LargeFile()));
            await WaitForAsync(() => Db(db => db.MemberImports.AnyAsync(i => i.Id == second && i.Status == MemberImportStatus.Applying, ct)), "second file applying");
            await Task.Delay(TimeSpan.FromSeconds(1.5), ct); // inside the apply transaction: its rows are written, not committed
            await child.KillAsync();
            child.ExitCode.ShouldBe(137);
        }

        // After the kill: the first file whole, nothing of the second (its rows were never committed).
        (await Rows(100001, 100005)).ShouldBe(6);
        (await Rows(200001, 200000 + SecondFileRows)).ShouldBe(0);
        (await Db(db => db.MemberImports.AsNoTracking().SingleAsync(i => i.Id == second, ct))).Status.ShouldBe(MemberImportStatus.Applying);
        (await Db(db => db.BackgroundJobs.AsNoTracking().SingleAsync(j => j.PayloadId == second && j.Kind == MemberImportService.JobKind, ct))).Status
            .ShouldBe(BackgroundJobStatus.Running);

        // Restart: the dead run's lease runs out, the job is claimed again and the file applied from the start, whole and once.
        environment.Remove("Onshi__MemberImport__ApplyPauseForTests");
        await using (var child = await OnshiChildProcess.ServeAsync(settings, LogPath, environment, ct))
        {
            await WaitForAsync(() => Db(db => db.MemberImports.AnyAsync(i => i.Id == second && i.Status == MemberImportStatus.Completed, ct)), "second file completed after restart");
        }

        (await Rows(200001, 200000 + SecondFileRows)).ShouldBe(SecondFileRows);
        (await Rows(100001, 100005)).ShouldBe(6);
        var import = await Db(db => db.MemberImports.AsNoTracking().SingleAsync(i => i.Id == second, ct));
        (import.InsertedRows, import.UpdatedRows).ShouldBe((SecondFileRows, 0));
        var job = await Db(db => db.BackgroundJobs.AsNoTracking().SingleAsync(j => j.PayloadId == second && j.Kind == MemberImportService.JobKind, ct));
        (job.Status, job.Attempts).ShouldBe((BackgroundJobStatus.Succeeded, 2));
        (await Db(db => db.AuditEntries.CountAsync(a => a.Action == MemberImportAuditActions.Complete, ct))).ShouldBe(2);
        (await Db(db => db.MemberImportFiles.CountAsync(ct))).ShouldBe(0);
        (await Db(db => AuditLog.VerifyAsync(db, ct))).ShouldBeNull();
        passed = true;
    }

    /// <summary>A valid file of <see cref="SecondFileRows"/> members under the sample's insurer (registered by the first file).</summary>
    private static byte[] LargeFile()
    {
        var text = new StringBuilder("個人識別番号,保険者番号,記号,番号,枝番,本人家族区分,氏名,カナ氏名,性別,生年月日,資格取得年月日,一部負担金割合\r\n");
        for (var i = 1; i <= SecondFileRows; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{200000 + i},06271506,大量,{50000 + i},00,1,大量 太郎{i},タイリョウ タロウ,1,1970/01/01,2020/04/01,030\r\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        for (var i = 0; i < 1200; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("Timed out waiting for: " + what);
    }
}

public sealed class MemberImportKillTestsSqlite() : MemberImportKillTests(TestDatabase.Sqlite);

public sealed class MemberImportKillTestsPostgres() : MemberImportKillTests(TestDatabase.Postgres);
