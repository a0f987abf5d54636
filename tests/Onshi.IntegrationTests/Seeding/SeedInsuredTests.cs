using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Cli.Seeding;
using Onshi.Core.Data;
using Onshi.Core.Features.Qualifications;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.Web.Hosting;
using Shouldly;
using Xunit;

namespace Onshi.IntegrationTests.Seeding;

/// <summary>
/// <c>onshi seed-insured</c> on each provider: the population's shape (the age mix, every history the lookup must answer),
/// valid 保険者番号, resuming as whole chunks to the same data as one run, the indexes built after a deferred load, and the
/// refusals (imported members without --force, another seed, growing a partial chunk).
/// </summary>
public abstract class SeedInsuredTests(string provider) : SeedTargets(provider)
{
    [Fact]
    public async Task Seed_InTwoRuns_IsTheSameAsOne_WithIndexesBuiltAfterADeferredLoad()
    {
        var (one, oneDb) = await TargetAsync();
        (await SeedAsync(one, new SeedInsuredOptions { Members = 25_000, DeferIndexesFrom = 1 })).Code.ShouldBe(0);
        var (two, twoDb) = await TargetAsync();
        (await SeedAsync(two, new SeedInsuredOptions { Members = 20_000 })).Code.ShouldBe(0);
        (await SeedAsync(two, new SeedInsuredOptions { Members = 25_000 })).Code.ShouldBe(0);
        // The same command again adds nothing.
        (await SeedAsync(two, new SeedInsuredOptions { Members = 25_000 })).Code.ShouldBe(0);

        var a = await SnapshotAsync(oneDb);
        var b = await SnapshotAsync(twoDb);
        a.Count.ShouldBeGreaterThan(25_000);
        b.ShouldBe(a);

        await using var context = oneDb.CreateDbContext();
        (await context.InsuredQualifications.Select(q => q.PersonId).Distinct().CountAsync()).ShouldBe(25_000);
        var insurers = (await context.Insurers.Select(i => i.Number).ToListAsync()).ToHashSet(StringComparer.Ordinal);
        insurers.ShouldAllBe(n => InsurerNumber.IsValid(n));
        (await context.InsuredQualifications.Select(q => q.InsurerNumber).Distinct().ToListAsync()).ShouldAllBe(n => insurers.Contains(n));

        // The deferred load built the model's indexes again.
        var names = Provider == TestDatabase.Postgres
            ? await context.Database.SqlQueryRaw<string>("SELECT indexname AS \"Value\" FROM pg_indexes WHERE tablename = 'InsuredQualifications'").ToListAsync()
            : await context.Database.SqlQueryRaw<string>("SELECT name AS \"Value\" FROM sqlite_master WHERE type = 'index' AND tbl_name = 'InsuredQualifications'").ToListAsync();
        // (PostgreSQL cuts names at 63 characters; the seeder uses the model's name for the Provider, as the migration does.)
        names.ShouldContain(n => n.StartsWith("IX_InsuredQualifications_InsurerNumber_Number_Symbol_Birthdate", StringComparison.Ordinal));
        names.ShouldContain("IX_InsuredQualifications_PersonId");

        // Growing a partial last chunk would change it: refused.
        (await SeedAsync(one, new SeedInsuredOptions { Members = 30_000 })).Code.ShouldBe(2);
        // Another seed on the same database: refused.
        (await SeedAsync(one, new SeedInsuredOptions { Members = 25_000, Seed = 2 })).Code.ShouldBe(2);
    }

    [Fact]
    public async Task ImportedMembers_AreNotMixedWithSyntheticOnes_WithoutForce()
    {
        var (settings, database) = await TargetAsync();
        await using (var context = database.CreateDbContext())
        {
            await context.Database.MigrateAsync(TestContext.Current.CancellationToken);
            context.InsuredQualifications.Add(new InsuredQualification
            {
                PersonId = 1,
                InsurerNumber = "01130012",
                Number = "1",
                Branch = "00",
                Name = "取込　太郎",
                NameKana = "トリコミ　タロウ",
                Birthdate = new DateOnly(1980, 1, 1),
                QualificationDate = new DateOnly(2000, 4, 1),
                ContributionPercent = 30,
            });
            await context.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var refused = await SeedAsync(settings, new SeedInsuredOptions { Members = 100 });
        refused.Code.ShouldBe(2);
        refused.Message.ShouldContain("--force");
        (await SeedAsync(settings, new SeedInsuredOptions { Members = 100, Force = true })).Code.ShouldBe(0);
    }

    private static Task<(int Code, string Message)> SeedAsync(OnshiSettings settings, SeedInsuredOptions options) =>
        InsuredSeeder.RunAsync(settings, options, TextWriter.Null, interactive: false, TestContext.Current.CancellationToken);

    private static async Task<List<string>> SnapshotAsync(TestDatabase database)
    {
        await using var context = database.CreateDbContext();
        var rows = await context.InsuredQualifications.OrderBy(q => q.Id)
            .Select(q => new { q.Id, q.PersonId, q.InsurerNumber, q.Symbol, q.Number, q.Branch, q.Birthdate, q.Name, q.QualificationDate, q.DisqualificationDate, q.ContributionPercent })
            .ToListAsync();
        var limits = await context.LimitCertificates.OrderBy(l => l.Id).Select(l => l.QualificationId + l.ClassificationFlag).ToListAsync();
        return [.. rows.Select(r => r.ToString()!), .. limits];
    }

}

public sealed class SeedInsuredTestsSqlite() : SeedInsuredTests(TestDatabase.Sqlite);

public sealed class SeedInsuredTestsPostgres() : SeedInsuredTests(TestDatabase.Postgres);

/// <summary>The synthetic population's shape, from the generator alone (no database).</summary>
public sealed class InsuredGeneratorTests
{
    [Fact]
    public void FiftyThousandMembers_HaveTheAgeMix_AndEveryAnswerTheDeskMeets()
    {
        var generator = new InsuredGenerator(seed: 1, InsuredGenerator.DefaultAsOf);
        var rows = Enumerable.Range(0, 5).SelectMany(c => generator.Generate(c, InsuredGenerator.ChunkPersons).Qualifications).ToList();
        var again = new InsuredGenerator(seed: 1, InsuredGenerator.DefaultAsOf).Generate(3, InsuredGenerator.ChunkPersons).Qualifications;
        again.Select(q => q.Name + q.Number + q.Birthdate).ShouldBe(rows.Where(q => (q.PersonId - InsuredGenerator.SyntheticPersonBase) / InsuredGenerator.ChunkPersons == 3)
            .Select(q => q.Name + q.Number + q.Birthdate));

        var asOf = InsuredGenerator.DefaultAsOf;
        for (var i = 0; i < rows.Count; i++)
        {
            rows[i].Id = i + 1; // as the writer numbers them
        }

        rows.ShouldAllBe(q => q.QualificationDate <= asOf);
        var persons = rows.GroupBy(q => q.PersonId).Select(g => g.First().Birthdate).ToList();
        persons.Count.ShouldBe(50_000);
        double Share(Func<int, bool> age) => persons.Count(b => age(JapaneseAge.On(b, asOf))) / (double)persons.Count;
        Share(a => a < 15).ShouldBeInRange(0.08, 0.17); // Japan 2024: 11.4 %
        Share(a => a >= 75).ShouldBeInRange(0.12, 0.21); // 16 %
        Share(a => a >= 65).ShouldBeInRange(0.22, 0.36); // 29 %
        persons.Max(b => JapaneseAge.On(b, asOf)).ShouldBeInRange(95, InsuredGenerator.MaxAge);
        persons.Min(b => JapaneseAge.On(b, asOf)).ShouldBe(0);

        rows.ShouldAllBe(q => InsurerNumber.IsValid(q.InsurerNumber));
        rows.ShouldContain(q => q.Name.Contains("𠮷", StringComparison.Ordinal) || q.Name.Contains('髙', StringComparison.Ordinal));
        rows.ShouldContain(q => q.PersonalFamily == PersonalFamily.Family && q.InsuredName != null);
        foreach (var reason in Enum.GetValues<ReasonOfLoss>().Where(r => r != ReasonOfLoss.Other))
        {
            rows.ShouldContain(q => q.ReasonOfLoss == reason, reason.ToString());
        }

        rows.ShouldContain(q => q.ElderlyContributionPercent == 30);
        rows.ShouldContain(q => q.CardClassification == InsuredCardClassification.SelfDefenseOfficial);
        rows.ShouldContain(q => q.CardClassification == InsuredCardClassification.ShortTermGeneral);

        // Every answer of §11.2 except 該当資格なし (which is a key that is not there) occurs for the keys as held.
        var byKey = rows.ToLookup(q => (q.InsurerNumber, q.Number, q.Symbol, q.Birthdate));
        var byPerson = rows.ToLookup(q => q.PersonId);
        var seen = new HashSet<QualificationValidity>();
        foreach (var key in byKey)
        {
            var matches = key.Select(q => q.Span).ToList();
            var history = matches.Select(m => m.PersonId).Distinct().Count() == 1 ? byPerson[matches[0].PersonId].Select(q => q.Span).ToList() : [];
            seen.Add(QualificationRules.Evaluate(matches, history, asOf).Validity);
        }

        seen.ShouldBe([QualificationValidity.Valid, QualificationValidity.Invalid, QualificationValidity.InvalidNewerExists, QualificationValidity.Multiple], ignoreOrder: true);
    }
}
