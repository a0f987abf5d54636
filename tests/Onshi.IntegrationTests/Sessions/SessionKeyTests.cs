using System.Net;
using Microsoft.EntityFrameworkCore;
using Onshi.Core.Data;
using Onshi.Core.Features.Operators;
using Onshi.Core.Features.Sessions;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Operator;
using Onshi.IntegrationTests.Oqs;
using Onshi.IntegrationTests.Portal;
using Onshi.Operator.Hosting;
using Onshi.Oqs.Hosting;
using Onshi.Portal.Hosting;
using Onshi.Web.Hosting;
using Shouldly;

namespace Onshi.IntegrationTests.Sessions;

/// <summary>
/// Session keys on the three sites, on each database: the key lives only in the cookie and the database holds its
/// SHA-256 (ASVS 7.2.3, 14.2.4), so what the database holds opens nothing; a login always issues a new key and no
/// cookie set before the login is accepted after it (7.2.4, fixation); a logout asks the browser to clear the site's
/// data (14.3.1).
/// </summary>
public sealed class SessionKeyTests
{
    private static readonly SessionCookieKind Oqs = new(SessionAuthentication.CookieName, SessionAuthentication.Scheme, SessionAuthentication.SessionKeyClaim);
    private static readonly SessionCookieKind Portal = new(PortalSessionAuthentication.CookieName, PortalSessionAuthentication.Scheme,
        PortalSessionAuthentication.SessionKeyClaim);
    private static readonly SessionCookieKind Console = new(OperatorSessionAuthentication.CookieName, OperatorSessionAuthentication.Scheme,
        OperatorSessionAuthentication.SessionKeyClaim);

    public static TheoryData<string> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Oqs_Login_DatabaseHoldsNoCookieOrKey_OnlyItsHash_WhichOpensNothing(string provider)
    {
        await using var server = await OqsServer.StartAsync(provider);
        var master = server.Account("master");
        var jar = new CookieContainer();
        using var client = server.Client(server.Demo.Terminal, jar);
        (await client.LoginAsync(master.UserId, master.Password)).Path.ShouldBe("/Menu");
        var cookie = SessionCookies.Value(jar, server.BaseAddress, Oqs).ShouldNotBeNull();
        var key = SessionCookies.KeyOf(server.App.Services, Oqs, cookie);

        await ShouldHoldNoSecretAsync(provider, cookie, key, action => server.WithDbAsync(action));
        var row = await server.WithDbAsync(db => db.LoginSessions.AsNoTracking().SingleAsync(s => s.Account!.UserId == master.UserId && s.EndedAt == null));
        row.KeyHash.ShouldBe(SessionKeys.Hash(key));
        row.KeyHash.ShouldNotBe(key);

        // Someone who copied the row (and even holds the site's cookie keys) presents its hash as the key: refused.
        var thiefJar = new CookieContainer();
        SessionCookies.Plant(thiefJar, server.BaseAddress, Oqs, SessionCookies.Forge(server.App.Services, Oqs, row.KeyHash));
        using var thief = server.Client(server.Demo.Terminal, thiefJar);
        (await thief.GetAsync("/Menu")).Path.ShouldBe("/Login");
        (await client.GetAsync("/Menu")).Path.ShouldBe("/Menu");
        (await server.WithDbAsync(db => db.LoginSessions.CountAsync(s => s.EndedAt == null))).ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task PortalAndConsole_Login_DatabaseHoldsNoCookieOrKey_OnlyItsHash_WhichOpensNothing(string provider)
    {
        await using var portal = await PortalServer.StartAsync(provider);
        const string email = "hash@example.jp";
        await portal.RegisterVerifiedAsync(email);
        var portalJar = new CookieContainer();
        using (var client = new OqsClient(new HttpClient(portal.Handler(portalJar)) { BaseAddress = portal.BaseAddress }))
        {
            (await client.PortalLoginAsync(email, PortalStories.Password)).Path.ShouldBe("/");
            var cookie = SessionCookies.Value(portalJar, portal.BaseAddress, Portal).ShouldNotBeNull();
            var key = SessionCookies.KeyOf(portal.App.Services, Portal, cookie);
            await ShouldHoldNoSecretAsync(provider, cookie, key, action => portal.WithDbAsync(action));
            var row = await portal.WithDbAsync(db => db.SiteSessions.AsNoTracking().SingleAsync(s => s.EndedAt == null));
            row.KeyHash.ShouldBe(SessionKeys.Hash(key));

            var thiefJar = new CookieContainer();
            SessionCookies.Plant(thiefJar, portal.BaseAddress, Portal, SessionCookies.Forge(portal.App.Services, Portal, row.KeyHash));
            using var thief = new OqsClient(new HttpClient(portal.Handler(thiefJar)) { BaseAddress = portal.BaseAddress });
            (await thief.GetAsync("/")).Path.ShouldBe("/Account/Login");
            (await client.GetAsync("/")).Path.ShouldBe("/");
        }

        await using var console = await OperatorServer.StartAsync(provider);
        var (userId, password) = await console.ReadyOperatorAsync(OperatorRole.Supervisor);
        var consoleJar = new CookieContainer();
        using (var client = console.Client(consoleJar))
        {
            (await client.OperatorLoginAsync(userId, password)).Path.ShouldBe("/");
            var cookie = SessionCookies.Value(consoleJar, console.BaseAddress, Console).ShouldNotBeNull();
            var key = SessionCookies.KeyOf(console.App.Services, Console, cookie);
            await ShouldHoldNoSecretAsync(provider, cookie, key, action => console.WithDbAsync(action));
            var row = await console.WithDbAsync(db => db.SiteSessions.AsNoTracking().SingleAsync(s => s.EndedAt == null));
            row.KeyHash.ShouldBe(SessionKeys.Hash(key));

            var thiefJar = new CookieContainer();
            SessionCookies.Plant(thiefJar, console.BaseAddress, Console, SessionCookies.Forge(console.App.Services, Console, row.KeyHash));
            using var thief = console.Client(thiefJar);
            (await thief.GetAsync("/")).Path.ShouldBe("/Login");
            (await client.GetAsync("/")).Path.ShouldBe("/");
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Oqs_Login_IssuesANewKey_NoCookieSetBeforeTheLoginIsAcceptedAfterIt(string provider)
    {
        await using var server = await OqsServer.StartAsync(provider);
        var master = server.Account("master");
        var general = server.Account("general");

        // The attacker's own valid session, and two values the attacker sets in the victim's browser before the login:
        // that session's cookie, then a ticket (made with the site's keys) carrying a key the attacker chose.
        var attackerJar = new CookieContainer();
        using var attacker = server.Client(server.Demo.Terminal, attackerJar);
        (await attacker.LoginAsync(general.UserId, general.Password)).Path.ShouldBe("/Menu");
        var attackerCookie = SessionCookies.Value(attackerJar, server.BaseAddress, Oqs).ShouldNotBeNull();
        const string chosenKey = "attacker-chosen-session-key-0123456789";
        var chosenCookie = SessionCookies.Forge(server.App.Services, Oqs, chosenKey);
        var planted = new[] { attackerCookie, chosenCookie, "not-a-ticket" };

        foreach (var value in planted)
        {
            var victimJar = new CookieContainer();
            SessionCookies.Plant(victimJar, server.BaseAddress, Oqs, value);
            using var victim = server.Client(server.Demo.Terminal, victimJar);
            var form = await victim.GetAsync("/Login");
            form.H1.ShouldBe("ログイン");
            var answer = await victim.SubmitAsync(form, "main form", new Dictionary<string, string>
            {
                ["Input.UserId"] = master.UserId,
                ["Input.Password"] = master.Password,
            });

            // The previous round's victim is still signed in as the master elsewhere: 強制ログイン's OK (SPEC §4.8).
            if (answer.Q("[data-testid=forced-login]") is not null)
            {
                answer = await victim.SubmitAsync(answer, "form[action*='handler=Force']");
            }

            answer.Path.ShouldBe("/Menu");

            var after = SessionCookies.Value(victimJar, server.BaseAddress, Oqs).ShouldNotBeNull();
            planted.ShouldNotContain(after);
            var key = SessionCookies.KeyOf(server.App.Services, Oqs, after);
            key.ShouldNotBe(chosenKey);
            key.ShouldNotBe(SessionCookies.KeyOf(server.App.Services, Oqs, attackerCookie));
            (await victim.GetAsync("/Menu")).Q("[data-testid=current-user]")!.TextContent.ShouldContain(master.UserId);

            // Whatever was set before the login opens nothing after it.
            foreach (var before in planted)
            {
                var replayJar = new CookieContainer();
                SessionCookies.Plant(replayJar, server.BaseAddress, Oqs, before);
                using var replay = server.Client(server.Demo.Terminal, replayJar);
                (await replay.GetAsync("/Menu")).Path.ShouldBe("/Login");
            }
        }

        // The login in a browser holding the attacker's session ended that session (audited as its logout).
        (await attacker.GetAsync("/Menu")).Path.ShouldBe("/Login");
        var chosenHash = SessionKeys.Hash(chosenKey);
        (await server.WithDbAsync(db => db.LoginSessions.CountAsync(s => s.KeyHash == chosenHash))).ShouldBe(0);
        // Each victim's login answered 強制ログイン's question with OK: the previous victim's session ended (SPEC §4.8).
        (await server.WithDbAsync(db => db.LoginSessions.CountAsync(s => s.Account!.UserId == master.UserId && s.EndedAt == null))).ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task PortalAndConsole_Login_IssuesANewKey_NoCookieSetBeforeTheLoginIsAcceptedAfterIt(string provider)
    {
        await using var portal = await PortalServer.StartAsync(provider);
        const string email = "fixation@example.jp";
        await portal.RegisterVerifiedAsync(email);
        await using var console = await OperatorServer.StartAsync(provider);
        var (userId, password) = await console.ReadyOperatorAsync(OperatorRole.Reviewer);

        await CheckAsync(portal.BaseAddress, portal.App.Services, Portal, jar => new OqsClient(new HttpClient(portal.Handler(jar)) { BaseAddress = portal.BaseAddress }),
            c => c.PortalLoginAsync(email, PortalStories.Password), "/", "/Account/Login");
        await CheckAsync(console.BaseAddress, console.App.Services, Console, console.Client,
            c => c.OperatorLoginAsync(userId, password), "/", "/Login");

        // The portal's login page sends a signed-in browser home; a victim holding the attacker's live session (the
        // header names it) logs out first. The console shows its login form, and a login there ends the session it had.

        static async Task CheckAsync(Uri site, IServiceProvider services, SessionCookieKind kind, Func<CookieContainer, OqsClient> newClient,
            Func<OqsClient, Task<OqsPage>> login, string home, string loginPath)
        {
            var earlierJar = new CookieContainer();
            using (var earlier = newClient(earlierJar))
            {
                (await login(earlier)).Path.ShouldBe(home);
            }

            var earlierCookie = SessionCookies.Value(earlierJar, site, kind).ShouldNotBeNull();
            var planted = new[] { earlierCookie, SessionCookies.Forge(services, kind, "attacker-chosen-session-key-0123456789"), "not-a-ticket" };
            foreach (var value in planted)
            {
                var jar = new CookieContainer();
                SessionCookies.Plant(jar, site, kind, value);
                using var client = newClient(jar);
                var start = await client.GetAsync(loginPath);
                if (start.Path == home)
                {
                    (await client.SubmitAsync(start, "header form")).H1.ShouldBe("ログアウトしました");
                }

                (await login(client)).Path.ShouldBe(home);
                var after = SessionCookies.Value(jar, site, kind).ShouldNotBeNull();
                planted.ShouldNotContain(after);
                SessionCookies.KeyOf(services, kind, after).ShouldNotBe("attacker-chosen-session-key-0123456789");
                foreach (var before in planted)
                {
                    var replayJar = new CookieContainer();
                    SessionCookies.Plant(replayJar, site, kind, before);
                    using var replay = newClient(replayJar);
                    (await replay.GetAsync(home)).Path.ShouldBe(loginPath);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Logout_OnEverySite_SendsClearSiteData_RedirectsToTheLogoutPage_CookieNoLongerWorks(string provider)
    {
        await using var oqs = await OqsServer.StartAsync(provider);
        var master = oqs.Account("master");
        var oqsJar = new CookieContainer();
        using (var client = oqs.Client(oqs.Demo.Terminal, oqsJar))
        {
            var menu = await client.LoginAsync(master.UserId, master.Password);
            await LogoutAsync(client, menu, oqsJar, oqs.BaseAddress, Oqs, jar => oqs.Client(oqs.Demo.Terminal, jar), "/Logout", "/Menu", "/Login");
        }

        await using var portal = await PortalServer.StartAsync(provider);
        const string email = "logout@example.jp";
        await portal.RegisterVerifiedAsync(email);
        var portalJar = new CookieContainer();
        using (var client = new OqsClient(new HttpClient(portal.Handler(portalJar)) { BaseAddress = portal.BaseAddress }))
        {
            var home = await client.PortalLoginAsync(email, PortalStories.Password);
            await LogoutAsync(client, home, portalJar, portal.BaseAddress, Portal,
                jar => new OqsClient(new HttpClient(portal.Handler(jar)) { BaseAddress = portal.BaseAddress }), "/Account/Logout", "/", "/Account/Login");
        }

        await using var console = await OperatorServer.StartAsync(provider);
        var (userId, password) = await console.ReadyOperatorAsync(OperatorRole.CallCenter);
        var consoleJar = new CookieContainer();
        using (var client = console.Client(consoleJar))
        {
            var home = await client.OperatorLoginAsync(userId, password);
            await LogoutAsync(client, home, consoleJar, console.BaseAddress, Console, console.Client, "/Logout", "/", "/Login");
        }

        static async Task LogoutAsync(OqsClient client, OqsPage signedIn, CookieContainer jar, Uri site, SessionCookieKind kind,
            Func<CookieContainer, OqsClient> newClient, string logoutPage, string home, string loginPath)
        {
            var cookie = SessionCookies.Value(jar, site, kind).ShouldNotBeNull();
            using var response = await client.SubmitRawAsync(signedIn, "header form");

            response.StatusCode.ShouldBe(HttpStatusCode.Found);
            response.Headers.Location!.OriginalString.ShouldBe(logoutPage);
            string.Join(", ", response.Headers.GetValues("Clear-Site-Data")).ShouldBe(SecurityHeaders.ClearSiteDataOnLogout);
            SecurityHeaders.ClearSiteDataOnLogout.ShouldBe("\"cache\", \"cookies\", \"storage\"");
            SessionCookies.Value(jar, site, kind).ShouldBeNull();
            var page = await client.GetAsync(logoutPage);
            page.Status.ShouldBe(HttpStatusCode.OK);
            page.H1.ShouldBe("ログアウトしました");
            (await client.GetAsync(home)).Path.ShouldBe(loginPath);

            // The cookie of the ended session, kept by someone, opens nothing.
            var replayJar = new CookieContainer();
            SessionCookies.Plant(replayJar, site, kind, cookie);
            using var replay = newClient(replayJar);
            (await replay.GetAsync(home)).Path.ShouldBe(loginPath);
        }
    }

    /// <summary>Neither the cookie value nor the key inside it is in any column of any table (nor in the SQLite file's pages).</summary>
    private static async Task ShouldHoldNoSecretAsync(string provider, string cookie, string key, Func<Func<OnshiDbContext, Task<DatabaseDump>>, Task<DatabaseDump>> withDb)
    {
        var dump = await withDb(async db => new DatabaseDump(await SecretScanner.DumpAsync(db.Database.GetDbConnection(), provider),
            provider == TestDatabase.Sqlite ? [.. SecretScanner.SqliteFiles(db.Database.GetConnectionString()!)] : []));
        dump.Rows.ShouldNotBeEmpty();
        dump.Rows.Select(r => r.Value).OfType<string>().ShouldNotContain(s => s == cookie || s == key);
        SecretScanner.Scan(new Dictionary<string, string> { ["session cookie"] = cookie, ["session key"] = key }, [], dump.Rows, dump.Files).ShouldBeEmpty();
    }

    private sealed record DatabaseDump(List<(string Where, object Value)> Rows, List<string> Files);
}
