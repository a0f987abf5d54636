using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

using Onshi.Core.Data;
using Onshi.Core.Features.Certificates;

namespace Onshi.UnitTests.Features.Certificates;

/// <summary>A temporary directory, deleted with everything in it on dispose.</summary>
internal sealed class CertificateTempDirectory : IDisposable
{
    public CertificateTempDirectory() => Path = Directory.CreateTempSubdirectory("onshi-certs-").FullName;

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
            File.Delete(Onshi.Core.Features.Secrets.MasterKey.DefaultKeyFilePath(Path));
        }
        catch (IOException)
        {
            // Best effort: a leftover temp directory must not fail a test.
        }
    }
}

/// <summary>A CA in a temporary directory on a fake clock.</summary>
internal sealed class TestCa : IDisposable
{
    /// <summary>A fixed start instant: 2026-04-01 12:00 JST.</summary>
    public static readonly DateTimeOffset Start = new(2026, 4, 1, 3, 0, 0, TimeSpan.Zero);

    private readonly CertificateTempDirectory _directory = new();

    public TestCa(TimeProvider? time = null)
    {
        Time = time ?? new FakeTimeProvider(Start);
        Authority = CertificateAuthority.LoadOrCreate(_directory.Path, Time);
    }

    public TimeProvider Time { get; }

    public FakeTimeProvider FakeTime => (FakeTimeProvider)Time;

    public string DataDirectory => _directory.Path;

    public CertificateAuthority Authority { get; }

    public void Dispose()
    {
        Authority.Dispose();
        _directory.Dispose();
    }
}

/// <summary>SQLite in memory (connection held open) with one institution, plus a CA and the service.</summary>
internal sealed class CertificateServiceHarness : IDisposable
{
    public const string InstitutionCode = "1310123455";
    public const string InstitutionName = "テスト医院";

    private readonly SqliteConnection _connection = new("DataSource=:memory:");

    public CertificateServiceHarness()
    {
        _connection.Open();
        Db = NewContext();
        Db.Database.EnsureCreated();

        Institution institution = new() { Code = InstitutionCode, Name = InstitutionName, CreatedAt = TestCa.Start.UtcDateTime };
        Institution other = new() { Code = "2740000001", Name = "別の薬局", CreatedAt = TestCa.Start.UtcDateTime };
        Db.Institutions.AddRange(institution, other);
        Db.SaveChanges();
        InstitutionId = institution.Id;
        OtherInstitutionId = other.Id;

        Service = new TerminalCertificateService(Db, Ca.Authority, new Onshi.Core.Features.Audit.AuditLog(Db, Ca.Time, Microsoft.Extensions.Options.Options.Create(new Onshi.Core.Features.Audit.AuditOptions())), Ca.Time, NullLogger<TerminalCertificateService>.Instance,
            new Onshi.Core.Features.Caching.AuthenticationCache(Microsoft.Extensions.Options.Options.Create(new Onshi.Core.Features.Caching.AuthenticationCacheOptions()), Ca.Time));
    }

    public TestCa Ca { get; } = new();

    public FakeTimeProvider Time => Ca.FakeTime;

    public OnshiDbContext Db { get; }

    public SqliteConnection Connection => _connection;

    public long InstitutionId { get; }

    public long OtherInstitutionId { get; }

    public TerminalCertificateService Service { get; }

    /// <summary>A fresh context on the same database, so assertions do not read the service's tracked entities.</summary>
    public OnshiDbContext NewContext() =>
        new(new DbContextOptionsBuilder<OnshiDbContext>().UseSqlite(_connection).Options);

    public void Dispose()
    {
        Db.Dispose();
        _connection.Dispose();
        Ca.Dispose();
    }
}
