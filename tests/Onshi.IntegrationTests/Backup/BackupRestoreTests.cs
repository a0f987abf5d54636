using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Cli.Commands;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Operators;
using Onshi.Core.Features.Secrets;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Operator;
using Onshi.IntegrationTests.Oqs;
using Onshi.Operator.Hosting;
using Onshi.Web.Hosting;
using Shouldly;

namespace Onshi.IntegrationTests.Backup;

/// <summary>
/// <c>onshi backup</c> of a running console (requests served during the backup), more changes, then <c>onshi restore</c>
/// into a fresh directory and database: the restored system starts, an operator that existed at backup time logs in,
/// one created after it does not, the audit chain verifies. Restore refuses a non-empty target without --force and a
/// missing master key, changing nothing; the archive holds no secret in plain text and no master key.
/// </summary>
public abstract class BackupRestoreTests(string provider) : IAsyncLifetime
{
    private readonly List<string> directories = [];
    private readonly List<TestDatabase> databases = [];

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var d in databases)
        {
            await d.DisposeAsync();
        }

        foreach (var d in directories)
        {
            try
            {
                Directory.Delete(d, recursive: true);
            }
            catch (IOException)
            {
            }

            File.Delete(MasterKey.DefaultKeyFilePath(d));
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Backup_WhileServing_Restore_IntoAFreshDirectory_LogsInAndVerifies()
    {
        var ct = TestContext.Current.CancellationToken;
        var source = await SettingsAsync(migrated: true);
        string temporary;
        await using (var app = OperatorApp.Create(source, 0))
        {
            await OnshiDatabase.MigrateAsync(app.Services, source, ct);
            await app.StartAsync(ct);
            using var ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(source.DataDirectory, "ca", "ca.crt"));
            temporary = await CreateOperatorAsync(app, "op-before");

            // Keep the console busy while the backup runs.
            using var stop = new CancellationTokenSource();
            using var client = TestTls.Client(new Uri(app.Urls.First()), ca);
            var served = 0;
            var load = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    await client.GetAsync("/Login");
                    served++;
                }
            }, ct);
            var archive = Path.Combine(Dir(), "backup.tar.gz");
            var (code, message) = await BackupCommand.BackupAsync(source, archive, ct);
            await stop.CancelAsync();
            await load;
            code.ShouldBe(0, message);
            message.ShouldContain("バックアップを作成しました");
            served.ShouldBeGreaterThan(0);

            // Changes after the backup are not in it.
            await CreateOperatorAsync(app, "op-after");
            await app.StopAsync(ct);

            // Nothing secret in plain text in the archive: not the operator's password, not a private key, not the master key.
            var entries = await ReadArchiveAsync(archive);
            entries.Keys.ShouldContain("manifest.json");
            entries.Keys.ShouldContain("data/ca/ca.key");
            // The Data Protection key ring is in the database (so in its snapshot), no longer in DATA/keys.
            entries.Keys.ShouldNotContain(k => k.StartsWith("data/keys/", StringComparison.Ordinal));
            var masterKey = MasterKey.FindConfigured(source.DataDirectory)!;
            var secrets = new Dictionary<string, string> { ["temporary password"] = temporary, ["master key"] = masterKey.Export() };
            SecretScanner.Scan(secrets, [], [.. entries.Select(e => (e.Key, (object)e.Value))], []).ShouldBeEmpty();
            entries.Values.ShouldNotContain(v => Encoding.UTF8.GetString(v).Contains("BEGIN PRIVATE KEY", StringComparison.Ordinal));
            entries.Values.ShouldNotContain(v => Encoding.UTF8.GetString(v).Contains("<masterKey", StringComparison.Ordinal));

            // A fresh target: without the master key the restore is refused before writing anything.
            var target = await SettingsAsync(migrated: false);
            var refused = await BackupCommand.RestoreAsync(target, archive, force: false, ct);
            refused.Code.ShouldBe(2);
            refused.Message.ShouldContain("マスター鍵");
            Directory.EnumerateFileSystemEntries(target.DataDirectory).ShouldBeEmpty();

            // With the key (kept outside the data directory) it restores.
            target.MasterKeyFile = MasterKey.DefaultKeyFilePath(source.DataDirectory);
            var restored = await BackupCommand.RestoreAsync(target, archive, force: false, ct);
            restored.Code.ShouldBe(0, restored.Message);

            // Restoring again over the now non-empty target is refused without --force, and changes nothing.
            var before = Directory.GetFiles(target.DataDirectory, "*", SearchOption.AllDirectories).Length;
            var again = await BackupCommand.RestoreAsync(target, archive, force: false, ct);
            again.Code.ShouldBe(2);
            again.Message.ShouldContain("空ではありません");
            Directory.GetFiles(target.DataDirectory, "*", SearchOption.AllDirectories).Length.ShouldBe(before);
            (await BackupCommand.RestoreAsync(target, archive, force: true, ct)).Code.ShouldBe(0);

            // The restored system starts with the same CA, the operator of backup time logs in, the later one does not.
            await using var copy = OperatorApp.Create(target, 0);
            await OnshiDatabase.MigrateAsync(copy.Services, target, ct);
            await copy.StartAsync(ct);
            using var copyCa = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(target.DataDirectory, "ca", "ca.crt"));
            copyCa.Thumbprint.ShouldBe(ca.Thumbprint);
            using var user = TestTls.Client(new Uri(copy.Urls.First()), copyCa);
            (await user.OperatorLoginAsync("op-before", temporary)).Path.ShouldBe("/ChangePassword");
            using var later = TestTls.Client(new Uri(copy.Urls.First()), copyCa);
            (await later.OperatorLoginAsync("op-after", temporary)).Path.ShouldBe("/Login");
            await using (var scope = copy.Services.CreateAsyncScope())
            {
                (await AuditLog.VerifyAsync(scope.ServiceProvider.GetRequiredService<OnshiDbContext>(), ct)).ShouldBeNull();
            }

            await copy.StopAsync(ct);
        }
    }

    private static async Task<string> CreateOperatorAsync(WebApplication app, string userId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<OperatorCreationService>().CreateAsync(userId, "運用 花子", OperatorRole.Supervisor, "test");
        return created.Value!;
    }

    private async Task<OnshiSettings> SettingsAsync(bool migrated)
    {
        var settings = new OnshiSettings { DataDirectory = Dir(), DatabaseProvider = provider, OqsPort = 0 };
        if (provider == TestDatabase.Postgres)
        {
            var db = migrated ? await TestDatabase.CreateAsync(provider) : await TestDatabase.CreateEmptyAsync(provider);
            databases.Add(db);
            settings.ConnectionString = db.ConnectionString;
        }

        return settings;
    }

    private string Dir()
    {
        var d = Directory.CreateTempSubdirectory("onshi-backup-test-").FullName;
        directories.Add(d);
        return d;
    }

    private static async Task<Dictionary<string, byte[]>> ReadArchiveAsync(string path)
    {
        var entries = new Dictionary<string, byte[]>();
        await using var stream = File.OpenRead(path);
        await using var gzip = new GZipStream(stream, CompressionMode.Decompress);
        await using var tar = new TarReader(gzip);
        while (await tar.GetNextEntryAsync(copyData: true) is { } entry)
        {
            if (entry.DataStream is { } data)
            {
                using var buffer = new MemoryStream();
                await data.CopyToAsync(buffer);
                entries[entry.Name] = buffer.ToArray();
            }
        }

        return entries;
    }
}

public sealed class BackupRestoreTestsSqlite() : BackupRestoreTests(TestDatabase.Sqlite);

public sealed class BackupRestoreTestsPostgres() : BackupRestoreTests(TestDatabase.Postgres);
