using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Cli.Seeding;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Institutions;
using Onshi.Core.Features.Operators;
using Onshi.Core.Features.Passwords;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Operator;
using Onshi.IntegrationTests.Oqs;
using Onshi.IntegrationTests.Portal;
using Onshi.Operator.Hosting;
using Onshi.Oqs.Hosting;
using Onshi.Portal.Hosting;
using Onshi.Web.Hosting;
using Shouldly;

namespace Onshi.IntegrationTests.Seeding;

/// <summary>
/// <c>onshi seed-scale</c> with a small N on each provider: what an approved institution has, per kind; unique IDs; the
/// audit chain; resuming; the refusal of a database with real data; determinism; and every site working on a seeded
/// institution (the OQS with a real certificate from the manifest, the portal with the contact, the console).
/// </summary>
public abstract class SeedScaleTests(string provider) : SeedTargets(provider)
{
    [Fact]
    public async Task Seed_Twenty_IsApprovedInstitutionsWithTheKindMix_UniqueIds_ChainedAudit_AndResumes()
    {
        var ct = TestContext.Current.CancellationToken;
        var (settings, db) = await TargetAsync();
        var result = await SeedAsync(settings, new SeedScaleOptions { Institutions = 20, Seed = 3, LargeInstitutions = 1 });
        result.Code.ShouldBe(0, result.Message);
        result.InstitutionsAfter.ShouldBe(20);

        await using (var context = db.CreateDbContext())
        {
            var institutions = await context.Institutions.AsNoTracking().OrderBy(i => i.Id).ToListAsync(ct);
            institutions.Count.ShouldBe(20);
            institutions.ShouldAllBe(i => i.Name.StartsWith(SyntheticData.NamePrefix) && i.Code.Substring(3, 2) == SyntheticData.CodeMarker);
            institutions.ShouldAllBe(i => InstitutionCode.IsValid(i.Code));
            institutions.Select(i => i.Code).Distinct().Count().ShouldBe(20);

            var accounts = await context.Accounts.AsNoTracking().ToListAsync(ct);
            accounts.Count.ShouldBe((int)result.Accounts);
            accounts.Select(a => a.NormalizedUserId).Distinct().Count().ShouldBe(accounts.Count);
            accounts.ShouldAllBe(a => a.Status == AccountStatus.Active && !a.MustChangePassword && a.LockoutEnd == null && a.CreatedBy == SyntheticData.Actor);
            foreach (var group in accounts.GroupBy(a => a.InstitutionId))
            {
                group.Count(a => a.Kind == AccountKind.Master).ShouldBe(1);
                group.Count(a => a.Kind == AccountKind.MasterReset).ShouldBe(1);
                group.Count(a => a.Kind == AccountKind.Admin).ShouldBeInRange(1, 10);
                group.Count(a => a.Kind == AccountKind.General).ShouldBeGreaterThanOrEqualTo(1);
            }

            // The first institution is a large one; the others have about ten accounts.
            accounts.Count(a => a.InstitutionId == institutions[0].Id).ShouldBe(SyntheticData.LargeInstitutionAccounts);
            accounts.Where(a => a.InstitutionId != institutions[0].Id).GroupBy(a => a.InstitutionId).Average(g => g.Count()).ShouldBeInRange(8, 12);
            accounts.Select(a => a.Kind).Distinct().Count().ShouldBe(8);

            // Every account of a kind shares the kind's one hash: the synthetic password, or the 秘密の番号.
            accounts.Where(a => a.Kind != AccountKind.MasterReset).Select(a => a.PasswordHash).Distinct().Count().ShouldBe(1);
            accounts.Where(a => a.Kind == AccountKind.MasterReset).Select(a => a.PasswordHash).Distinct().Count().ShouldBe(1);

            // What an approved institution in use has besides its accounts.
            (await context.PortalUsers.CountAsync(u => u.EmailConfirmed, ct)).ShouldBe(20);
            institutions.ShouldAllBe(i => i.ContactPortalUserId != null);
            (await context.UsageApplications.CountAsync(a => a.Status == ReviewStatus.Approved && a.InstitutionId != null, ct)).ShouldBe(20);
            (await context.PortalDocuments.CountAsync(d => d.Kind == PortalDocumentKind.UserSettings && d.Environment == OqsEnvironment.Production, ct)).ShouldBe(20);
            (await context.OperationStartRegistrations.CountAsync(ct)).ShouldBe(20);
            var certificates = await context.TerminalCertificates.AsNoTracking().ToListAsync(ct);
            certificates.Count.ShouldBe(40);
            certificates.Select(c => c.Thumbprint).Distinct().Count().ShouldBe(40);
            certificates.Select(c => c.SerialNumber).Distinct().Count().ShouldBe(40);
            (await context.CertificateApplications.CountAsync(a => a.Status == ReviewStatus.Approved && a.TerminalCertificateId != null && a.DownloadedAt != null, ct)).ShouldBe(40);

            var audit = await context.AuditEntries.AsNoTracking().ToListAsync(ct);
            audit.Count.ShouldBe(20);
            audit.ShouldAllBe(a => a.Actor == SyntheticData.Actor && a.Action == "institution.create" && a.Detail == "synthetic:seed=3");
            (await AuditLog.VerifyAsync(context, ct)).ShouldBeNull();
            (await ForeignKeyViolationsAsync(context)).ShouldBeEmpty();
        }

        // The same command with a larger N continues after the committed institutions; the first twenty stay as they were.
        var before = await SnapshotAsync(db);
        var resumed = await SeedAsync(settings, new SeedScaleOptions { Institutions = 30, Seed = 3, LargeInstitutions = 1 });
        resumed.Code.ShouldBe(0, resumed.Message);
        resumed.InstitutionsBefore.ShouldBe(20);
        resumed.InstitutionsAfter.ShouldBe(30);
        var after = await SnapshotAsync(db);
        after.Institutions.Take(20).ShouldBe(before.Institutions);
        after.Institutions.Count.ShouldBe(30);
        (await SeedAsync(settings, new SeedScaleOptions { Institutions = 30, Seed = 3 })).Message.ShouldContain("nothing to do");

        // The app's own writes after seeding: ids continue past the seeded ones, and the chain stays intact.
        await using (var context = db.CreateDbContext())
        {
            var audit = new AuditLog(context, TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new AuditOptions()));
            var institution = await context.Institutions.FirstAsync(ct);
            context.Institutions.Add(new Institution { Code = "1310000018", Name = "実在クリニック", CreatedAt = DateTime.UtcNow });
            context.Accounts.Add(new Account
            {
                InstitutionId = institution.Id,
                Environment = OqsEnvironment.Production,
                UserId = "LATER01",
                NormalizedUserId = "LATER01",
                DisplayName = "後から",
                Kind = AccountKind.General,
            });
            audit.Record(new AuditRecord(AuditActions.AccountCreate, AuditOutcomes.Success) { Actor = "test", Target = "LATER01" });
            await audit.CommitAsync(ct);
            (await AuditLog.VerifyAsync(context, ct)).ShouldBeNull();
        }
    }

    [Fact]
    public async Task Seed_WithRealCertificates_EverySiteWorksOnASeededInstitution()
    {
        var ct = TestContext.Current.CancellationToken;
        var (settings, _) = await TargetAsync();
        var result = await SeedAsync(settings, new SeedScaleOptions { Institutions = 12, Seed = 5, RealCertificates = 1, LargeInstitutions = 1 });
        result.Code.ShouldBe(0, result.Message);
        var manifest = (await SeedManifest.ReadAsync(result.ManifestPath!, ct)).ShouldNotBeNull();
        manifest.Complete.ShouldBeTrue();
        manifest.Institutions.ShouldBe(12);
        manifest.Password.ShouldBe(SyntheticData.Password);
        var seeded = manifest.RealCertificateInstitutions.ShouldHaveSingleItem();
        seeded.Terminals.Count.ShouldBe(2);
        seeded.Accounts.Count.ShouldBe(SyntheticData.LargeInstitutionAccounts);
        File.ReadAllText(result.ManifestPath!).ShouldContain(seeded.Terminals[0].Passphrase);
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(result.ManifestPath!).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        using var ca = X509CertificateLoader.LoadCertificateFromFile(manifest.CaCert);

        // OQS: one account of every kind logs in from the institution's terminal with the documented credentials.
        await using (var oqs = OqsApp.Create(settings))
        {
            await oqs.StartAsync(ct);
            var baseAddress = new Uri(oqs.Urls.First());
            OqsClient Terminal(int t) => TestTls.Client(baseAddress, ca, X509CertificateLoader.LoadPkcs12FromFile(seeded.Terminals[t].Pfx, seeded.Terminals[t].Passphrase));
            foreach (var account in seeded.Accounts.GroupBy(a => a.Kind).Select(g => g.First()))
            {
                using var client = Terminal(account.Kind == "general" ? 1 : 0);
                var menu = await client.LoginAsync(account.UserId, account.Password);
                menu.Path.ShouldBe("/Menu", $"{account.Kind} {account.UserId}: {string.Join(" ", menu.Errors)}");
            }

            // Another seeded institution's master cannot log in from this terminal.
            using (var other = Terminal(0))
            {
                (await other.LoginAsync(SyntheticData.MasterUserId(1), SyntheticData.Password)).Path.ShouldBe("/Login");
            }

            // アカウント管理（更新）: the master sees the 200 accounts, 20 a page, and initializes an admin's password.
            using var master = Terminal(0);
            (await master.ForceLoginAsync(SyntheticData.MasterUserId(0), SyntheticData.Password)).Path.ShouldBe("/Menu");
            var all = await master.SearchAsync();
            all.Q("[data-testid=count]").ShouldNotBeNull().TextContent.Trim().ShouldBe("1~20 件目 / 200 件");
            var admins = await master.SearchAsync("管理者");
            var admin = admins.ResultUserIds()[0];
            var issued = (await master.InitializePasswordAsync(await master.OpenDetailAsync(admins, admin))).IssuedPassword();
            using var adminClient = Terminal(1);
            (await adminClient.LoginAsync(admin, issued)).Path.ShouldBe("/ChangePassword");

            // The reset account searching 「全て」 sees the master (seed P9).
            using var reset = Terminal(1);
            (await reset.ForceLoginAsync(SyntheticData.ResetUserId(0), SyntheticData.SecretNumber)).Path.ShouldBe("/Menu");
            (await reset.SearchAsync()).ResultUserIds().ShouldContain(SyntheticData.MasterUserId(0));
            await oqs.StopAsync(ct);
        }

        // Portal: the contact logs in, sees its ユーザ設定情報 and downloads it, and its certificate applications.
        await using (var portal = PortalApp.Create(settings, 0))
        {
            await portal.StartAsync(ct);
            using var client = TestTls.Client(new Uri(portal.Urls.First()), ca);
            (await client.PortalLoginAsync(seeded.PortalEmail, SyntheticData.Password)).Path.ShouldBe("/");
            var list = await client.GetAsync("/OnlineEligibility/MasterAccount");
            list.Q("[data-testid=count]").ShouldNotBeNull().TextContent.Trim().ShouldBe("1~1 件目 / 1 件");
            var detail = await client.GetAsync(list.Q("[data-testid=documents] tbody tr a")!.GetAttribute("href")!);
            using var pdf = await client.Http.GetAsync(detail.Q("[data-testid=attachment]")!.GetAttribute("href"), ct);
            pdf.StatusCode.ShouldBe(HttpStatusCode.OK);
            pdf.Content.Headers.ContentType!.MediaType.ShouldBe("application/pdf");
            (await PdfText.ExtractAsync(await pdf.Content.ReadAsByteArrayAsync(ct))).ShouldContain("synthetic test data");
            var certificates = await client.GetAsync("/OnlineEligibility/Certificates");
            certificates.Status.ShouldBe(HttpStatusCode.OK);
            certificates.Text.ShouldContain("T0002");
            await portal.StopAsync(ct);
        }

        // Console: the call center finds the institution and sees its master and reset accounts and its certificates.
        await using (var console = OperatorApp.Create(settings, 0))
        {
            await console.StartAsync(ct);
            const string password = "Correct-Horse-Battery-9";
            await using (var scope = console.Services.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<OperatorCreationService>().CreateAsync("op-seed", "運用 花子", OperatorRole.Supervisor, "test", ct);
                var db = scope.ServiceProvider.GetRequiredService<OnshiDbContext>();
                var op = await db.OperatorAccounts.SingleAsync(o => o.UserId == "op-seed", ct);
                op.PasswordHash = scope.ServiceProvider.GetRequiredService<Argon2idPasswordHasher>().Hash(password);
                op.MustChangePassword = false;
                op.PasswordExpiresAt = null;
                await db.SaveChangesAsync(ct);
            }

            using var client = TestTls.Client(new Uri(console.Urls.First()), ca);
            (await client.OperatorLoginAsync("op-seed", password)).Path.ShouldBe("/");
            var search = await client.GetAsync("/CallCenter?q=" + seeded.Code);
            var institution = await client.GetAsync(search.Q("[data-testid=institutions] a").ShouldNotBeNull().GetAttribute("href")!);
            institution.Q("[data-testid=institution]").ShouldNotBeNull().TextContent.ShouldContain(seeded.Name);
            var accounts = institution.Q("[data-testid=accounts]").ShouldNotBeNull().TextContent;
            accounts.ShouldContain(SyntheticData.MasterUserId(0));
            accounts.ShouldContain(SyntheticData.ResetUserId(0));
            (await client.GetAsync("/CallCenter?q=" + Uri.EscapeDataString(SyntheticData.NamePrefix))).Status.ShouldBe(HttpStatusCode.OK);
            var certificates = await client.GetAsync("/Certificates?code=" + seeded.Code);
            certificates.Text.ShouldContain(seeded.Terminals[0].Serial);
            await console.StopAsync(ct);
        }
    }

    [Fact]
    public async Task Seed_DatabaseWithARealInstitution_IsRefusedWithoutForce_AndChainsAfterItWithForce()
    {
        var ct = TestContext.Current.CancellationToken;
        var (settings, db) = await TargetAsync();
        await using (var services = await Onshi.Cli.Commands.CommonOptions.BuildServicesAsync(settings, ct))
        await using (var scope = services.CreateAsyncScope())
        {
            var provisioned = await scope.ServiceProvider.GetRequiredService<InstitutionProvisioning>()
                .ProvisionAsync("1310000018", "オンシ内科クリニック", "東京都千代田区霞が関1-2-2", "03-0000-0001", OqsEnvironment.Production, "3870", "test", ct);
            provisioned.Succeeded.ShouldBeTrue();
        }

        var refused = await SeedAsync(settings, new SeedScaleOptions { Institutions = 5 });
        refused.Code.ShouldBe(2);
        refused.Message.ShouldContain("--force");
        await using (var context = db.CreateDbContext())
        {
            (await context.Institutions.CountAsync(ct)).ShouldBe(1);
            (await context.Accounts.CountAsync(ct)).ShouldBe(2);
        }

        var forced = await SeedAsync(settings, new SeedScaleOptions { Institutions = 5, Force = true });
        forced.Code.ShouldBe(0, forced.Message);
        await using (var context = db.CreateDbContext())
        {
            (await context.Institutions.CountAsync(ct)).ShouldBe(6);
            (await AuditLog.VerifyAsync(context, ct)).ShouldBeNull();
            (await context.AuditEntries.CountAsync(ct)).ShouldBe(2 + 5);
        }
    }

    [Fact]
    public async Task Seed_SameSeed_GivesTheSameData_AnotherSeedDiffers_AndIsRefusedOnTheFirst()
    {
        var (first, firstDb) = await TargetAsync();
        var (second, secondDb) = await TargetAsync();
        var (third, thirdDb) = await TargetAsync();
        (await SeedAsync(first, new SeedScaleOptions { Institutions = 15, Seed = 7 })).Code.ShouldBe(0);
        (await SeedAsync(second, new SeedScaleOptions { Institutions = 15, Seed = 7, BatchSize = 4 })).Code.ShouldBe(0);
        (await SeedAsync(third, new SeedScaleOptions { Institutions = 15, Seed = 8 })).Code.ShouldBe(0);

        var a = await SnapshotAsync(firstDb);
        var b = await SnapshotAsync(secondDb);
        var c = await SnapshotAsync(thirdDb);
        b.Institutions.ShouldBe(a.Institutions);
        b.Accounts.ShouldBe(a.Accounts);
        b.Certificates.ShouldBe(a.Certificates);
        b.PortalUsers.ShouldBe(a.PortalUsers);
        c.Institutions.ShouldNotBe(a.Institutions);

        var refused = await SeedAsync(first, new SeedScaleOptions { Institutions = 20, Seed = 8 });
        refused.Code.ShouldBe(2);
        refused.Message.ShouldContain("--seed");
    }

    [Fact]
    public async Task Cli_SeedScale_TakesItsOptions_AndRejectsABadCount()
    {
        var ct = TestContext.Current.CancellationToken;
        var (settings, db) = await TargetAsync();
        string[] target = ["--data", settings.DataDirectory, "--db", Provider, "--connection", settings.ConnectionString!];
        (await Onshi.Cli.OnshiCommand.RunAsync(["seed-scale", "--institutions", "0", .. target])).ShouldBe(2);
        (await Onshi.Cli.OnshiCommand.RunAsync(["seed-scale", "--institutions", "3", "--seed", "9", "--large-institutions", "1", "--batch", "2", .. target]))
            .ShouldBe(0);
        await using var context = db.CreateDbContext();
        (await context.Institutions.CountAsync(ct)).ShouldBe(3);
        (await context.Institutions.OrderBy(i => i.Id).Select(i => i.Code).FirstAsync(ct)).ShouldBe(SyntheticGenerator.ExpectedCode(9, 0));
        (await context.Accounts.CountAsync(a => a.InstitutionId == context.Institutions.Min(i => i.Id), ct)).ShouldBe(SyntheticData.LargeInstitutionAccounts);
        File.Exists(Path.Combine(settings.DataDirectory, "seed-scale", "manifest.json")).ShouldBeTrue();
    }

    /// <summary>
    /// Every row whose foreign key points nowhere (PostgreSQL's load skips the foreign-key triggers, so check them here):
    /// SQLite's <c>foreign_key_check</c>, or one NOT EXISTS query per constraint of the PostgreSQL catalog.
    /// </summary>
    private static async Task<List<string>> ForeignKeyViolationsAsync(OnshiDbContext context)
    {
        var connection = context.Database.GetDbConnection();
        await context.Database.OpenConnectionAsync();
        var violations = new List<string>();
        if (context.Database.IsSqlite())
        {
            await using var check = connection.CreateCommand();
            check.CommandText = "PRAGMA foreign_key_check";
            await using var reader = await check.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                violations.Add(reader.GetString(0) + " → " + reader.GetString(2));
            }

            return violations;
        }

        var constraints = new List<(string Child, string Column, string Parent, string Key)>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = """
                SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, p.attname
                FROM pg_constraint c
                JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
                JOIN pg_attribute p ON p.attrelid = c.confrelid AND p.attnum = c.confkey[1]
                WHERE c.contype = 'f'
                """;
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                constraints.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
            }
        }

        constraints.ShouldNotBeEmpty();
        foreach (var (child, column, parent, key) in constraints)
        {
            await using var count = connection.CreateCommand();
            count.CommandText = $"SELECT COUNT(*) FROM {child} c WHERE c.\"{column}\" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.\"{key}\" = c.\"{column}\")";
            if (Convert.ToInt64(await count.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) > 0)
            {
                violations.Add($"{child}.{column} → {parent}");
            }
        }

        return violations;
    }

    private static async Task<Snapshot> SnapshotAsync(TestDatabase db)
    {
        await using var context = db.CreateDbContext();
        return new Snapshot(
            await context.Institutions.OrderBy(i => i.Id).Select(i => i.Code + " " + i.Name + " " + i.Address).ToListAsync(),
            await context.Accounts.OrderBy(a => a.Id).Select(a => a.UserId + " " + a.Kind + " " + a.DisplayName + " " + a.Institution!.Code).ToListAsync(),
            await context.TerminalCertificates.OrderBy(t => t.Id).Select(t => t.TerminalName + " " + t.SerialNumber + " " + t.Thumbprint).ToListAsync(),
            await context.PortalUsers.OrderBy(u => u.Id).Select(u => u.Email + " " + u.DisplayName).ToListAsync());
    }

    private static Task<SeedScaleResult> SeedAsync(OnshiSettings settings, SeedScaleOptions options) =>
        ScaleSeeder.RunAsync(settings, options, TextWriter.Null, interactive: false, TestContext.Current.CancellationToken);


    private sealed record Snapshot(List<string> Institutions, List<string> Accounts, List<string> Certificates, List<string> PortalUsers);
}

public sealed class SeedScaleTestsSqlite() : SeedScaleTests(TestDatabase.Sqlite);

public sealed class SeedScaleTestsPostgres() : SeedScaleTests(TestDatabase.Postgres);
