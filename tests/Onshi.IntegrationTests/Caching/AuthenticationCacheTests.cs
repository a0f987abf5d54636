using System.Diagnostics;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Data;
using Onshi.Core.Features.AccountManagement;
using Onshi.Core.Features.Accounts;
using Onshi.Core.Features.Caching;
using Onshi.Core.Features.Certificates;
using Onshi.Core.Features.Sessions;
using Onshi.IntegrationTests.Durability;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Oqs;
using Onshi.IntegrationTests.Scale;
using Onshi.Web.Hosting;
using Shouldly;

namespace Onshi.IntegrationTests.Caching;

/// <summary>
/// The authentication cache (issue 17): the per-request certificate and session reads come from memory, and a revocation, a
/// logout, a パスワード初期化 or a disable is refused at once on the instance that made it and within 1 s on another (the
/// channel alone: PostgreSQL NOTIFY, the SQLite signal table); while the channel is down every read goes to the database.
/// </summary>
public sealed class AuthenticationCacheTests
{
    /// <summary>The bound docs/security.md states.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(1);

    public static TheoryData<string> Providers => TestDatabase.Providers;

    public static TheoryData<string, string> ProvidersAndChanges
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var provider in new[] { TestDatabase.Sqlite, TestDatabase.Postgres })
            {
                foreach (var change in new[] { "revocation", "logout", "initialization", "disable" })
                {
                    data.Add(provider, change);
                }
            }

            return data;
        }
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task SignedInRequests_AreServedFromMemory_AChangeNobodyAnnouncedIsNotSeen_UntilItsKeyIsPublished(string provider)
    {
        await using var server = await OqsServer.StartAsync(provider);
        var cache = server.App.Services.GetRequiredService<AuthenticationCache>();
        await WaitServingAsync(cache);
        var general = server.Account("general");
        using var client = server.Client(server.Demo.Terminal);
        (await client.LoginAsync(general.UserId, general.Password)).Path.ShouldBe("/Menu");
        (await client.GetAsync("/Menu")).Path.ShouldBe("/Menu");

        var hits = cache.Hits;
        for (var i = 0; i < 5; i++)
        {
            (await client.GetAsync("/Menu")).Path.ShouldBe("/Menu");
        }

        // Each request: the certificate and the session, both from memory.
        (cache.Hits - hits).ShouldBeGreaterThanOrEqualTo(10);

        // The institution renamed behind the application's back (no interceptor, nothing published): the pages still show the
        // name held in memory — proof that they are not read from the database.
        var institutionId = (await server.AccountRowAsync(general.UserId)).InstitutionId;
        await using (var plain = server.Database.CreateDbContext())
        {
            await plain.Institutions.Where(i => i.Id == institutionId).ExecuteUpdateAsync(u => u.SetProperty(i => i.Name, "改名した薬局"), Ct);
        }

        (await client.GetAsync("/Menu")).Html.ShouldNotContain("改名した薬局");

        // The same change through the application publishes its key: the next request reads the row again.
        await server.WithDbAsync(async db =>
        {
            db.InvalidateOnCommit(CacheKeys.Institution(institutionId));
            return await db.Institutions.Where(i => i.Id == institutionId).ExecuteUpdateAsync(u => u.SetProperty(i => i.Name, "改名した薬局２"), Ct);
        });
        (await client.GetAsync("/Menu")).Html.ShouldContain("改名した薬局２");

        // Every write to a watched table in this story declared its key (or was neutral): nothing dropped the whole cache.
        server.App.Services.GetRequiredService<CacheInvalidationInterceptor>().Escalations.ShouldBe(0);
    }

    [Fact]
    public async Task Disabled_ReadsEveryRequestFromTheDatabase()
    {
        await using var server = await OqsServer.StartAsync(TestDatabase.Sqlite, s => s.Configure<AuthenticationCacheOptions>(o => o.Enabled = false));
        var cache = server.App.Services.GetRequiredService<AuthenticationCache>();
        var general = server.Account("general");
        using var client = server.Client(server.Demo.Terminal);
        (await client.LoginAsync(general.UserId, general.Password)).Path.ShouldBe("/Menu");
        (await client.GetAsync("/Menu")).Path.ShouldBe("/Menu");
        cache.IsServing.ShouldBeFalse();
        cache.Hits.ShouldBe(0);
        cache.Count.ShouldBe(0);
    }

    [Theory]
    [MemberData(nameof(ProvidersAndChanges))]
    public async Task Change_IsRefusedAtOnce_OnTheInstanceThatMadeIt(string provider, string change)
    {
        await using var server = await OqsServer.StartAsync(provider);
        var cache = server.App.Services.GetRequiredService<AuthenticationCache>();
        await WaitServingAsync(cache);
        var general = server.Account("general");
        var cookies = new CookieContainer();
        using var client = server.Client(server.Demo.Terminal, cookies);
        (await client.LoginAsync(general.UserId, general.Password)).Path.ShouldBe("/Menu");
        var kept = Copy(cookies);
        using var replay = server.Client(server.Demo.Terminal, kept);
        await WarmAsync(replay, cache);

        await MakeAsync(server, server.App.Services, client, general.UserId, change);
        Refused(await replay.GetAsync("/Menu"), change).ShouldBeTrue(change);
        server.App.Services.GetRequiredService<CacheInvalidationInterceptor>().Escalations.ShouldBe(0);
    }

    [Theory]
    [MemberData(nameof(ProvidersAndChanges))]
    public async Task Change_IsRefusedByAnotherInstance_ThroughTheChannelAlone_WithinOneSecond(string provider, string change)
    {
        await using var server = await OqsServer.StartAsync(provider);
        // The second instance hears nothing in process: only NOTIFY (PostgreSQL) or the signal table (SQLite), as another process.
        await using var second = await OqsInstance.StartAsync(server, s => s.Configure<AuthenticationCacheOptions>(o => o.InProcessInvalidation = false));
        var secondCache = second.App.Services.GetRequiredService<AuthenticationCache>();
        await WaitServingAsync(server.App.Services.GetRequiredService<AuthenticationCache>());
        await WaitServingAsync(secondCache);
        var general = server.Account("general");
        var cookies = new CookieContainer();
        using var one = server.Client(server.Demo.Terminal, cookies);
        (await one.LoginAsync(general.UserId, general.Password)).Path.ShouldBe("/Menu");
        using var two = second.Client(server.Demo.Terminal, Copy(cookies));
        await WarmAsync(two, secondCache);

        await MakeAsync(server, server.App.Services, one, general.UserId, change);
        var clock = Stopwatch.StartNew();
        while (!Refused(await two.GetAsync("/Menu"), change))
        {
            clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10), $"{change}: never refused by the other instance");
            await Task.Delay(5, Ct);
        }

        var elapsed = clock.Elapsed;
        TestContext.Current.TestOutputHelper?.WriteLine($"{provider} {change}: refused by the other instance after {elapsed.TotalMilliseconds:F0} ms");
        elapsed.ShouldBeLessThanOrEqualTo(Bound, $"{provider} {change}");
    }

    [Fact]
    public async Task PostgresChannelDown_ReadsGoToTheDatabase_AfterReconnectTheCacheServesAgain()
    {
        // A long first reconnection delay, so that the test can act while the channel is down.
        await using var server = await OqsServer.StartAsync(TestDatabase.Postgres,
            s => s.Configure<AuthenticationCacheOptions>(o => o.MinReconnectDelay = TimeSpan.FromSeconds(4)));
        var cache = server.App.Services.GetRequiredService<AuthenticationCache>();
        await WaitServingAsync(cache);
        var general = server.Account("general");
        var master = server.Account("master");
        using var client = server.Client(server.Demo.Terminal);
        (await client.LoginAsync(general.UserId, general.Password)).Path.ShouldBe("/Menu");
        await WarmAsync(client, cache);

        // The listener's backend killed: the channel is down, the cache cleared and bypassed.
        await using (var plain = server.Database.CreateDbContext())
        {
            (await plain.Database.SqlQueryRaw<bool>(
                "SELECT pg_terminate_backend(pid) AS \"Value\" FROM pg_stat_activity WHERE application_name = {0} AND datname = current_database()",
                InvalidationListener.ApplicationName).ToListAsync(Ct)).ShouldNotBeEmpty();
        }

        var clock = Stopwatch.StartNew();
        while (cache.IsServing)
        {
            clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(3));
            await Task.Delay(10, Ct);
        }

        cache.Count.ShouldBe(0);
        var hits = cache.Hits;
        (await client.GetAsync("/Menu")).Path.ShouldBe("/Menu");
        cache.Hits.ShouldBe(hits);

        // A change with no notification at all is seen at once: the read went to the database.
        await using (var plain = server.Database.CreateDbContext())
        {
            await plain.Accounts.Where(a => a.UserId == general.UserId).ExecuteUpdateAsync(u => u.SetProperty(a => a.Status, AccountStatus.Disabled), Ct);
        }

        (await client.GetAsync("/Menu")).Path.ShouldBe("/Login");

        // Reconnected: served from memory again (a change nobody announced is not seen until its key is published).
        await WaitServingAsync(cache);
        using var other = server.Client(server.Demo.Terminal);
        (await other.LoginAsync(master.UserId, master.Password)).Path.ShouldBe("/Menu");
        await WarmAsync(other, cache);
        var institutionId = (await server.AccountRowAsync(master.UserId)).InstitutionId;
        await using (var plain = server.Database.CreateDbContext())
        {
            await plain.Institutions.Where(i => i.Id == institutionId).ExecuteUpdateAsync(u => u.SetProperty(i => i.Name, "再接続後の薬局"), Ct);
        }

        (await other.GetAsync("/Menu")).Html.ShouldNotContain("再接続後の薬局");
    }

    [Fact]
    public async Task SqliteRevocationByTheCli_InAnotherProcess_IsRefusedByTheRunningSite_WithinOneSecond()
    {
        await using var server = await OqsServer.StartAsync(TestDatabase.Sqlite);
        var cache = server.App.Services.GetRequiredService<AuthenticationCache>();
        await WaitServingAsync(cache);
        using var client = server.Client(server.Demo.Terminal);
        await WarmAsync(client, cache, "/Login");

        var settings = new OnshiSettings
        {
            DataDirectory = server.DataDirectory,
            DatabaseProvider = TestDatabase.Sqlite,
            ConnectionString = server.Database.ConnectionString,
        };
        var (exit, output) = await OnshiChildProcess.RunAsync(settings, ["cert", "revoke", server.Demo.Terminal.Serial], Ct);
        exit.ShouldBe(0, output);
        var clock = Stopwatch.StartNew();
        while ((await client.GetAsync("/Login")).Status != HttpStatusCode.Forbidden)
        {
            clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10), "never refused");
            await Task.Delay(5, Ct);
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"cli revocation: refused {clock.Elapsed.TotalMilliseconds:F0} ms after the command ended");
        clock.Elapsed.ShouldBeLessThanOrEqualTo(Bound);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------------

    /// <summary>Makes <paramref name="change"/> to the general account's session or terminal, through <paramref name="services"/> (or the browser, for the logout).</summary>
    private static async Task MakeAsync(OqsServer server, IServiceProvider services, OqsClient signedIn, string userId, string change)
    {
        await using var scope = services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        switch (change)
        {
            case "revocation":
                (await sp.GetRequiredService<TerminalCertificateService>().RevokeAsync(server.Demo.Terminal.Serial, "test", Ct)).Succeeded.ShouldBeTrue();
                break;
            case "logout":
                (await signedIn.SubmitAsync(await signedIn.GetAsync("/Menu"), "header form")).H1.ShouldBe("ログアウトしました");
                break;
            case "initialization":
                {
                    var (actor, target) = await ActorAndTargetAsync(server, userId);
                    (await sp.GetRequiredService<AccountAdministration>().InitializePasswordAsync(actor, target.Id, Ct)).Succeeded.ShouldBeTrue();
                    break;
                }

            case "disable":
                {
                    var (actor, target) = await ActorAndTargetAsync(server, userId);
                    (await sp.GetRequiredService<AccountAdministration>().UpdateAsync(actor, target.Id, target.DisplayName, target.Kind, AccountStatus.Disabled, Ct))
                        .Succeeded.ShouldBeTrue();
                    break;
                }

            default:
                throw new ArgumentOutOfRangeException(nameof(change), change, null);
        }
    }

    /// <summary>The demo institution's マスタ as the actor (as its own session would carry it), and the target account's row.</summary>
    private static async Task<(ActorContext Actor, Account Target)> ActorAndTargetAsync(OqsServer server, string userId)
    {
        var master = await server.WithDbAsync(db => db.Accounts.AsNoTracking().Include(a => a.Institution)
            .SingleAsync(a => a.UserId == server.Account("master").UserId));
        var target = await server.AccountRowAsync(userId);
        var principal = new SessionPrincipal(0, "", master.Id, master.UserId, master.DisplayName, master.Kind, master.InstitutionId,
            master.Institution!.Code, master.Institution.Name, master.Environment, false, false, DateTime.UtcNow);
        return (new ActorContext(principal, server.Demo.Terminal.Serial, "127.0.0.1"), target);
    }

    private static bool Refused(OqsPage page, string change) =>
        change == "revocation" ? page.Status == HttpStatusCode.Forbidden : page.Path == "/Login";

    /// <summary>Two signed-in requests: the second is served from memory.</summary>
    private static async Task WarmAsync(OqsClient client, AuthenticationCache cache, string path = "/Menu")
    {
        (await client.GetAsync(path)).Path.ShouldBe(path);
        var hits = cache.Hits;
        (await client.GetAsync(path)).Path.ShouldBe(path);
        cache.Hits.ShouldBeGreaterThan(hits, "the cache served nothing");
    }

    private static async Task WaitServingAsync(AuthenticationCache cache)
    {
        var clock = Stopwatch.StartNew();
        while (!cache.IsServing)
        {
            clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(15), "the invalidation channel never came up");
            await Task.Delay(10, Ct);
        }
    }

    private static CookieContainer Copy(CookieContainer cookies)
    {
        var copy = new CookieContainer();
        foreach (Cookie c in cookies.GetAllCookies())
        {
            copy.Add(c);
        }

        return copy;
    }
}
