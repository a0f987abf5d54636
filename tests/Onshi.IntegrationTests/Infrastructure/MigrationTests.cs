using Microsoft.EntityFrameworkCore;
using Onshi.Core.Data;
using Shouldly;

namespace Onshi.IntegrationTests.Infrastructure;

public sealed class MigrationTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Migrate_EmptyDatabase_AppliesEveryMigrationAndMatchesTheModel(string provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = await TestDatabase.CreateEmptyAsync(provider, ct);
        await using var context = db.CreateDbContext();
        (await context.Database.GetAppliedMigrationsAsync(ct)).ShouldBeEmpty();

        await context.Database.MigrateAsync(ct);

        (await context.Database.GetAppliedMigrationsAsync(ct)).ShouldBe(context.Database.GetMigrations());
        (await context.Database.GetPendingMigrationsAsync(ct)).ShouldBeEmpty();
        // A model change without scripts/add-migration.sh shows up here.
        context.Database.HasPendingModelChanges().ShouldBeFalse();
        (await context.Accounts.CountAsync(ct)).ShouldBe(0);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task SaveChanges_SameUserIdTwiceInOneEnvironment_IsRejectedByTheUniqueIndex(string provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = await TestDatabase.CreateAsync(provider, ct);
        long institutionId;
        await using (var context = db.CreateDbContext())
        {
            var institution = new Institution { Code = "1310000001", Name = "テスト医院", CreatedAt = DateTime.UtcNow };
            context.Institutions.Add(institution);
            context.Accounts.Add(NewAccount(institution, OqsEnvironment.Production));
            // The same user ID in the other environment is another account.
            context.Accounts.Add(NewAccount(institution, OqsEnvironment.Verification));
            await context.SaveChangesAsync(ct);
            institutionId = institution.Id;
        }

        await using (var context = db.CreateDbContext())
        {
            var institution = await context.Institutions.SingleAsync(x => x.Id == institutionId, ct);
            context.Accounts.Add(NewAccount(institution, OqsEnvironment.Production));

            await Should.ThrowAsync<DbUpdateException>(() => context.SaveChangesAsync(ct));
        }

        await using (var context = db.CreateDbContext())
        {
            (await context.Accounts.CountAsync(ct)).ShouldBe(2);
        }
    }

    private static Account NewAccount(Institution institution, OqsEnvironment environment) => new()
    {
        Institution = institution,
        Environment = environment,
        UserId = "user01",
        NormalizedUserId = "USER01",
        DisplayName = "山田 太郎",
        Kind = AccountKind.General,
        CreatedAt = DateTime.UtcNow,
        UpdatedAt = DateTime.UtcNow,
    };
}
