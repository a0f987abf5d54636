using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Sessions;
using Onshi.IntegrationTests.Applications;
using Shouldly;

namespace Onshi.IntegrationTests.Sessions;

/// <summary>
/// The session sweeper: an OQS, a portal and an operator session whose cookies never come back are ended by the
/// background service on the (fake) clock, each with one audit row stamped with the real end (idle: last seen + 15
/// min; absolute: login + 12 h); two sweepers racing write one row per session; a live session is left alone.
/// </summary>
public abstract class SessionSweeperTests(string provider) : IAsyncLifetime
{
    private ApplicationsHarness harness = null!;

    public async ValueTask InitializeAsync() => harness = await ApplicationsHarness.CreateAsync(provider, TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        await harness.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Sweeper_EndsIdleAndAbsoluteSessions_WithTheirRealEndTime_OneAuditRowEach()
    {
        var start = harness.Time.GetUtcNow().UtcDateTime;
        var ids = await harness.Db(async db =>
        {
            var institution = new Institution { Code = "1310000091", Name = "掃除テスト医院", CreatedAt = start };
            db.Institutions.Add(institution);
            await db.SaveChangesAsync();
            var account = new Account
            {
                InstitutionId = institution.Id,
                Environment = OqsEnvironment.Production,
                UserId = "M1310000091",
                NormalizedUserId = "M1310000091",
                DisplayName = "マスタ",
                Kind = AccountKind.Master,
                CreatedAt = start,
                UpdatedAt = start,
            };
            var op = new OperatorAccount { UserId = "op-sweep", NormalizedUserId = "OP-SWEEP", DisplayName = "運用", CreatedAt = start };
            var user = new PortalUser { Email = "sweep@example.jp", NormalizedEmail = "SWEEP@EXAMPLE.JP", DisplayName = "掃除", EmailConfirmed = true, CreatedAt = start };
            db.AddRange(account, op, user);
            await db.SaveChangesAsync();

            // idle: last seen 20 minutes ago; absolute: logged in 13 h ago, seen a minute ago; live: seen just now.
            var idle = new LoginSession { KeyHash = "k-idle", AccountId = account.Id, InstitutionId = institution.Id, SecurityStamp = account.SecurityStamp, CertificateThumbprint = "t", ClientAddress = "127.0.0.1", CreatedAt = start.AddMinutes(-30), LastSeenAt = start.AddMinutes(-20) };
            var absolute = new LoginSession { KeyHash = "k-abs", AccountId = account.Id, InstitutionId = institution.Id, SecurityStamp = account.SecurityStamp, CertificateThumbprint = "t", ClientAddress = "127.0.0.1", CreatedAt = start.AddHours(-13), LastSeenAt = start.AddMinutes(-1) };
            var live = new LoginSession { KeyHash = "k-live", AccountId = account.Id, InstitutionId = institution.Id, SecurityStamp = account.SecurityStamp, CertificateThumbprint = "t", ClientAddress = "127.0.0.1", CreatedAt = start.AddMinutes(-5), LastSeenAt = start };
            var portal = new SiteSession { Site = Sites.Portal, KeyHash = "p-idle", SubjectId = user.Id, SecurityStamp = user.SecurityStamp, ClientAddress = "127.0.0.1", CreatedAt = start.AddMinutes(-40), LastSeenAt = start.AddMinutes(-16) };
            var console = new SiteSession { Site = Sites.Operator, KeyHash = "o-abs", SubjectId = op.Id, SecurityStamp = op.SecurityStamp, ClientAddress = "127.0.0.1", CreatedAt = start.AddHours(-12).AddMinutes(-2), LastSeenAt = start.AddMinutes(-3) };
            db.AddRange(idle, absolute, live, portal, console);
            await db.SaveChangesAsync();
            return (idle.Id, absolute.Id, live.Id, portal.Id, console.Id);
        });

        // The hosted service on the fake clock: nothing until the first tick, then the expired ones end.
        using var sweeper = new SessionSweeper(harness.Services.GetRequiredService<IServiceScopeFactory>(), harness.Time,
            harness.Services.GetRequiredService<IOptions<SessionOptions>>(), NullLogger<SessionSweeper>.Instance);
        await sweeper.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            (await OpenAsync()).ShouldBe(4 + 1);
            harness.Time.Advance(TimeSpan.FromMinutes(1));
            await WaitUntilAsync(async () => await OpenAsync() == 1);
        }
        finally
        {
            await sweeper.StopAsync(CancellationToken.None);
        }

        var sessions = await harness.Db(db => db.LoginSessions.AsNoTracking().OrderBy(s => s.Id).ToListAsync());
        var idleRow = sessions.Single(s => s.Id == ids.Item1);
        idleRow.EndReason.ShouldBe(SessionEndReasons.Idle);
        idleRow.EndedAt.ShouldBe(start.AddMinutes(-20 + 15), "the real end: last seen + 15 min, not the sweep time");
        var absRow = sessions.Single(s => s.Id == ids.Item2);
        absRow.EndReason.ShouldBe(SessionEndReasons.Absolute);
        absRow.EndedAt.ShouldBe(start.AddHours(-13 + 12));
        sessions.Single(s => s.Id == ids.Item3).EndedAt.ShouldBeNull();
        var site = await harness.Db(db => db.SiteSessions.AsNoTracking().OrderBy(s => s.Id).ToListAsync());
        site.Single(s => s.Id == ids.Item4).EndReason.ShouldBe(SessionEndReasons.Idle);
        site.Single(s => s.Id == ids.Item4).EndedAt.ShouldBe(start.AddMinutes(-16 + 15));
        site.Single(s => s.Id == ids.Item5).EndReason.ShouldBe(SessionEndReasons.Absolute);

        var audit = await harness.Db(db => db.AuditEntries.AsNoTracking().OrderBy(a => a.Id).ToListAsync());
        audit.Count(a => a.Action == AuditActions.SessionEnd).ShouldBe(2);
        audit.Single(a => a.Action == AuditActions.SessionEnd && a.Detail == SessionEndReasons.Idle).OccurredAt.ShouldBe(start.AddMinutes(-5));
        audit.Count(a => a.Action == "portal.session.end").ShouldBe(1);
        audit.Single(a => a.Action == "operator.session.end").Actor.ShouldContain("op-sweep");
        (await harness.Db(db => AuditLog.VerifyAsync(db))).ShouldBeNull();
    }

    [Fact]
    public async Task TwoSweepersAtOnce_WriteOneRowPerSession()
    {
        var start = harness.Time.GetUtcNow().UtcDateTime;
        await harness.Db(async db =>
        {
            var user = new PortalUser { Email = "race@example.jp", NormalizedEmail = "RACE@EXAMPLE.JP", DisplayName = "競争", EmailConfirmed = true, CreatedAt = start };
            db.Add(user);
            await db.SaveChangesAsync();
            for (var i = 0; i < 20; i++)
            {
                db.Add(new SiteSession { Site = Sites.Portal, KeyHash = $"race-{i}", SubjectId = user.Id, SecurityStamp = user.SecurityStamp, ClientAddress = "127.0.0.1", CreatedAt = start.AddHours(-1), LastSeenAt = start.AddMinutes(-30) });
            }

            return await db.SaveChangesAsync();
        });

        async Task<int> SweepAsync()
        {
            await using var scope = harness.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<SessionSweep>().SweepAsync();
        }

        var counts = await Task.WhenAll(SweepAsync(), SweepAsync(), SweepAsync());
        counts.Sum().ShouldBe(20);
        (await harness.Db(db => db.AuditEntries.CountAsync(a => a.Action == "portal.session.end"))).ShouldBe(20);
        (await SweepAsync()).ShouldBe(0);
    }

    private Task<int> OpenAsync() => harness.Db(async db =>
        await db.LoginSessions.CountAsync(s => s.EndedAt == null) + await db.SiteSessions.CountAsync(s => s.EndedAt == null));

    private static Task WaitUntilAsync(Func<Task<bool>> condition) => Infrastructure.Eventually.UntilAsync(condition, "the sweeper did not run");
}

public sealed class SessionSweeperTestsSqlite() : SessionSweeperTests(Infrastructure.TestDatabase.Sqlite);

public sealed class SessionSweeperTestsPostgres() : SessionSweeperTests(Infrastructure.TestDatabase.Postgres);
