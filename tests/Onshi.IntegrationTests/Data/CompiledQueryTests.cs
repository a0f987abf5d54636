using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Onshi.Core.Data;
using Onshi.Web.Hosting;
using Shouldly;
using Xunit;

namespace Onshi.IntegrationTests.Data;

/// <summary>
/// The hot queries (certificate row, session rows) are compiled once per EF Core model: a compiled query refuses a model
/// other than its first, and one process can hold several (the integration tests host SQLite and PostgreSQL sites side
/// by side; options that differ in their EF Core services get a model of their own).
/// </summary>
public sealed class CompiledQueryTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("onshi-compiled-").FullName;

    private static readonly CompiledQuery<Func<OnshiDbContext, string, CancellationToken, Task<Institution?>>> ByCode = new(() =>
        EF.CompileAsyncQuery((OnshiDbContext db, string code, CancellationToken ct) => db.Institutions.AsNoTracking().FirstOrDefault(i => i.Code == code)));

    [Fact]
    public async Task OneCompiledQuery_RunsAgainstTwoModels_InOneProcess()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var a = new OnshiDbContext(await CreateAsync("a", "1310000018", ct));
        await using var b = new OnshiDbContext(await CreateAsync("b", "1310000026", ct, ownModel: true));
        a.Model.ShouldNotBeSameAs(b.Model);

        (await ByCode.For(a)(a, "1310000018", ct))!.Name.ShouldBe("a");
        (await ByCode.For(b)(b, "1310000026", ct))!.Name.ShouldBe("b");
        (await ByCode.For(a)(a, "1310000026", ct)).ShouldBeNull();
        ByCode.For(a).ShouldBeSameAs(ByCode.For(a));
        ByCode.For(a).ShouldNotBeSameAs(ByCode.For(b));
    }

    [Fact]
    public async Task APlainCompiledQuery_RefusesTheSecondModel_WhichIsWhyItIsKeptPerModel()
    {
        var ct = TestContext.Current.CancellationToken;
        var plain = EF.CompileAsyncQuery((OnshiDbContext db, string code, CancellationToken ct) => db.Institutions.AsNoTracking().FirstOrDefault(i => i.Code == code));
        await using var a = new OnshiDbContext(await CreateAsync("a", "1310000018", ct));
        await using var b = new OnshiDbContext(await CreateAsync("b", "1310000026", ct, ownModel: true));
        (await plain(a, "1310000018", ct)).ShouldNotBeNull();
        await Should.ThrowAsync<InvalidOperationException>(() => plain(b, "1310000026", ct));
    }

    /// <summary>
    /// A database with one institution. <paramref name="ownModel"/>: its options get EF Core's internal services, and so
    /// a model, of their own, as the SQLite and PostgreSQL hosts of the integration tests do in one process.
    /// </summary>
    private async Task<DbContextOptions<OnshiDbContext>> CreateAsync(string name, string code, CancellationToken ct, bool ownModel = false)
    {
        var settings = new OnshiSettings { DataDirectory = Path.Combine(directory, name), DatabaseProvider = "sqlite" };
        Directory.CreateDirectory(settings.DataDirectory);
        var builder = new DbContextOptionsBuilder<OnshiDbContext>();
        OnshiDatabase.Configure(builder, settings);
        builder.EnableServiceProviderCaching(!ownModel);
        await using var db = new OnshiDbContext(builder.Options);
        await db.Database.EnsureCreatedAsync(ct);
        db.Institutions.Add(new Institution { Code = code, Name = name });
        await db.SaveChangesAsync(ct);
        return builder.Options;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
