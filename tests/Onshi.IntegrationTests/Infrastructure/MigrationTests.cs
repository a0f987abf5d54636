using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Onshi.Core.Data;
using Onshi.Core.Features.Sessions;
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
            var institution = new Institution { Code = "1310000018", Name = "テスト医院", CreatedAt = DateTime.UtcNow };
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

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Migrate_FromInitialWithSessionKeysInPlain_LeavesNoKey_AndTheOldSessionsOpenNothing(string provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = await TestDatabase.CreateEmptyAsync(provider, ct);
        string initial;
        await using (var probe = db.CreateDbContext())
        {
            initial = probe.Database.GetMigrations().First();
        }

        var now = DateTime.UtcNow;
        var oqsKeys = new[] { SessionKeys.NewKey(), SessionKeys.NewKey() };
        var siteKeys = new[] { SessionKeys.NewKey(), SessionKeys.NewKey() };
        await using (var context = db.CreateDbContext())
        {
            await context.GetService<IMigrator>().MigrateAsync(initial, ct);
            var institution = new Institution { Code = "1310000018", Name = "テスト医院", CreatedAt = now };
            context.Institutions.Add(institution);
            await context.SaveChangesAsync(ct);

            // The account as the Initial schema had it (the entity has columns added since: an EF insert would name them).
            var account = (Id: 0L, SecurityStamp: Guid.NewGuid().ToString("N"));
            await context.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO "Accounts" ("InstitutionId", "Environment", "UserId", "NormalizedUserId", "DisplayName", "Kind", "Status", "PasswordHash",
                    "MustChangePassword", "AccessFailedCount", "CreatedAt", "CreatedBy", "UpdatedAt", "UpdatedBy", "SecurityStamp")
                VALUES ({institution.Id}, {(int)OqsEnvironment.Production}, {"user01"}, {"USER01"}, {"山田 太郎"}, {(int)AccountKind.General}, {(int)AccountStatus.Active}, {""},
                    {false}, {0}, {now}, {""}, {now}, {""}, {account.SecurityStamp})
                """, ct);
            account.Id = await context.Database.SqlQuery<long>($"""SELECT "Id" AS "Value" FROM "Accounts" WHERE "NormalizedUserId" = 'USER01'""").SingleAsync(ct);

            // Rows as the Initial schema had them: the key itself in "Key"; one open session and one ended of each kind.
            for (var i = 0; i < 2; i++)
            {
                DateTime? ended = i == 0 ? null : now;
                await context.Database.ExecuteSqlInterpolatedAsync($"""
                    INSERT INTO "LoginSessions" ("Key", "AccountId", "InstitutionId", "SecurityStamp", "CertificateThumbprint", "ClientAddress", "CreatedAt", "LastSeenAt", "EndedAt")
                    VALUES ({oqsKeys[i]}, {account.Id}, {institution.Id}, {account.SecurityStamp}, {"t"}, {"127.0.0.1"}, {now}, {now}, {ended})
                    """, ct);
                await context.Database.ExecuteSqlInterpolatedAsync($"""
                    INSERT INTO "SiteSessions" ("Site", "Key", "SubjectId", "SecurityStamp", "ClientAddress", "CreatedAt", "LastSeenAt", "EndedAt")
                    VALUES ({Sites.Portal}, {siteKeys[i]}, {1L}, {"stamp"}, {"127.0.0.1"}, {now}, {now}, {ended})
                    """, ct);
            }
        }

        await using (var context = db.CreateDbContext())
        {
            await context.Database.MigrateAsync(ct);

            var values = await SecretScanner.DumpAsync(context.Database.GetDbConnection(), provider);
            var secrets = oqsKeys.Concat(siteKeys).Select((k, i) => (k, i)).ToDictionary(x => $"old key {x.i}", x => x.k);
            SecretScanner.Scan(secrets, [], values, []).ShouldBeEmpty();
            var oqs = await context.LoginSessions.AsNoTracking().OrderBy(s => s.Id).ToListAsync(ct);
            var site = await context.SiteSessions.AsNoTracking().OrderBy(s => s.Id).ToListAsync(ct);
            oqs.Count.ShouldBe(2);
            site.Count.ShouldBe(2);
            var hashes = oqsKeys.Concat(siteKeys).Select(SessionKeys.Hash).ToList();
            oqs.Select(s => s.KeyHash).Concat(site.Select(s => s.KeyHash)).ShouldAllBe(h => h.StartsWith("pre-hash-") && !hashes.Contains(h));
            // The open ones stay open for the sweeper, which ends them at their idle limit with their audit rows.
            oqs[0].EndedAt.ShouldBeNull();
            site[0].EndedAt.ShouldBeNull();
            context.Database.HasPendingModelChanges().ShouldBeFalse();
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
