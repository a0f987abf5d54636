using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Login;
using Onshi.Migrations.Postgres;

namespace Onshi.ScaleOutCheck;

/// <summary>What deploy/scale-out-check.sh started, passed as one JSON file.</summary>
internal sealed record CheckConfig(
    string Demo,
    string Connection,
    string Host,
    int NginxOqsPort,
    int NginxPortalPort,
    string PortalHost,
    int PinnedAPort,
    int PinnedBPort,
    int InstanceAOqsPort,
    int InstanceBOqsPort,
    int InstanceAConsolePort,
    int InstanceAPid,
    string OnshiDll,
    string Data,
    string Crl,
    string[] NginxReload,
    string OqsAccessLog,
    int Writers,
    int WriteSeconds);

/// <summary>The parts of <c>demo.json</c> the checks use.</summary>
internal sealed record DemoFile(string CaCert, DemoTerminal Terminal, List<DemoAccount> Accounts, DemoOther OtherInstitution, DemoAccount Operator,
    DemoInstitution Institution, List<DemoInsured> Insured);

internal sealed record DemoInstitution(string Code);

internal sealed record DemoInsured(string InsurerNumber, string Symbol, string Number, string? Branch, string Birthdate);

internal sealed record DemoTerminal(string Pfx, string Passphrase, string CertPem, string Serial);

internal sealed record DemoAccount(string Kind, string UserId, string Password);

internal sealed record DemoOther(string Code, DemoTerminal Terminal, List<DemoAccount> Accounts);

/// <summary>A check that did not hold.</summary>
internal sealed class CheckFailedException(string message) : Exception(message);

/// <summary>
/// The driver of <c>deploy/scale-out-check.sh</c>: two Onshi instances (A, B) on one PostgreSQL behind nginx. Each check
/// prints one line <c>PASS name (s): detail</c> or <c>FAIL name (s): why</c>; the exit code is the number of failures
/// (capped). Prints no password, passphrase or key.
/// </summary>
internal static class Program
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<int> Main(string[] args)
    {
        if (args.Length != 1)
        {
            await Console.Error.WriteLineAsync("usage: ScaleOutCheck CONFIG.json   (written by deploy/scale-out-check.sh)");
            return 2;
        }

        var config = JsonSerializer.Deserialize<CheckConfig>(await File.ReadAllTextAsync(args[0]), Json)!;
        var demo = JsonSerializer.Deserialize<DemoFile>(await File.ReadAllTextAsync(config.Demo), Json)!;
        using var checks = new Checks(config, demo);
        var failed = await checks.RunAllAsync();
        return Math.Min(failed, 100);
    }
}

/// <summary>The checks, in the order they run (each leaves the system usable for the next).</summary>
internal sealed partial class Checks(CheckConfig config, DemoFile demo) : IDisposable
{
    private readonly X509Certificate2 ca = X509CertificateLoader.LoadCertificateFromFile(demo.CaCert);
    private readonly X509Certificate2 terminal = X509CertificateLoader.LoadPkcs12FromFile(demo.Terminal.Pfx, demo.Terminal.Passphrase);
    private readonly X509Certificate2 otherTerminal = X509CertificateLoader.LoadPkcs12FromFile(demo.OtherInstitution.Terminal.Pfx, demo.OtherInstitution.Terminal.Passphrase);
    private int passed;
    private int failed;

    private DemoAccount Master => demo.Accounts.Single(a => a.Kind == "master");

    public async Task<int> RunAllAsync()
    {
        await CheckAsync("a-session-across-instances", SessionAcrossInstancesAsync);
        await CheckAsync("b-lockout-across-instances", LockoutAcrossInstancesAsync);
        await CheckAsync("d-forged-header-refused", ForgedHeaderRefusedAsync);
        await CheckAsync("c-revocation-across-instances", RevocationAcrossInstancesAsync);
        await CheckAsync("c-nginx-crl-refuses-revoked", NginxCrlAsync);
        await CheckAsync("h-invalidation-bound", InvalidationBoundAsync);
        await CheckAsync("g-bulk-job-started-on-a", BulkStartAsync);
        await CheckAsync("e-sigkill-no-committed-write-lost", SigkillAsync);
        await CheckAsync("g-bulk-job-finished-by-b-once", BulkFinishAsync);
        await CheckAsync("e-audit-chain-verifies", AuditVerifyAsync);
        await CheckAsync("portal-through-nginx", PortalAsync);
        Console.WriteLine($"driver: {passed} passed, {failed} failed");
        return failed;
    }

    public void Dispose()
    {
        ca.Dispose();
        terminal.Dispose();
        otherTerminal.Dispose();
    }

    private async Task CheckAsync(string name, Func<Task<string>> body)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            var detail = await body().WaitAsync(TimeSpan.FromMinutes(2));
            passed++;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"PASS {name} ({watch.Elapsed.TotalSeconds:F1} s): {detail}"));
        }
        catch (Exception e)
        {
            failed++;
            var why = e is CheckFailedException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FAIL {name} ({watch.Elapsed.TotalSeconds:F1} s): {why}"));
        }
    }

    private static void Expect(bool condition, string message)
    {
        if (!condition)
        {
            throw new CheckFailedException(message);
        }
    }

    private Browser Nginx(X509Certificate2? certificate, CookieContainer? cookies = null) => new(config.Host, config.NginxOqsPort, ca, certificate, cookies);

    private Browser PinnedA(X509Certificate2? certificate, CookieContainer cookies) => new(config.Host, config.PinnedAPort, ca, certificate, cookies);

    private Browser PinnedB(X509Certificate2? certificate, CookieContainer cookies) => new(config.Host, config.PinnedBPort, ca, certificate, cookies);

    private OnshiDbContext Db() => new(new DbContextOptionsBuilder<OnshiDbContext>().UseOnshiPostgres(config.Connection).Options);

    /// <summary>(a) A login through A, the next requests (a page, a form with A's antiforgery token, the logout) through B; and the reverse.</summary>
    private async Task<string> SessionAcrossInstancesAsync()
    {
        foreach (var (first, second, label) in new[] { ("A", "B", "A→B"), ("B", "A", "B→A") })
        {
            var cookies = new CookieContainer();
            using var a = PinnedA(terminal, cookies);
            using var b = PinnedB(terminal, cookies);
            var one = first == "A" ? a : b;
            var other = second == "A" ? a : b;
            var login = await one.LoginAsync(Master.UserId, Master.Password);
            Expect(login is { Status: HttpStatusCode.Redirect, Location: "/Menu" }, $"{label}: the login through {first} answered {login}");
            var menu = await other.GetAsync("/Menu");
            Expect(menu.Status == HttpStatusCode.OK, $"{label}: /Menu through {second} after the login through {first} answered {menu} (session not shared)");
            var register = await one.GetAsync("/Accounts/Register");
            Expect(register.Status == HttpStatusCode.OK, $"{label}: /Accounts/Register through {first} answered {register}");
            var logout = await other.PostAsync("/Logout", register.Token, []);
            Expect(logout is { Status: HttpStatusCode.Redirect, Location: "/Logout" },
                $"{label}: the logout through {second} with {first}'s antiforgery token answered {logout} (key ring not shared?)");
            var after = await one.GetAsync("/Menu");
            Expect(after is { Status: HttpStatusCode.Redirect } && after.Location!.StartsWith("/Login", StringComparison.Ordinal),
                $"{label}: /Menu through {first} after the logout through {second} answered {after} (logout not seen)");
        }

        return "login, page, antiforgery token and logout cross A→B and B→A";
    }

    /// <summary>(b) Wrong passwords alternating A/B: not locked before the limit, locked exactly at it, then even the right password fails on both.</summary>
    private async Task<string> LockoutAcrossInstancesAsync()
    {
        var limit = new LoginOptions().MaxFailedAccessAttempts;
        var account = demo.Accounts.Single(a => a.Kind == "general");
        var normalized = account.UserId.ToUpperInvariant();
        var cookies = new CookieContainer();
        using var a = PinnedA(terminal, cookies);
        using var b = PinnedB(terminal, cookies);
        var trail = new List<string>();
        for (var i = 1; i <= limit; i++)
        {
            var through = i % 2 == 1 ? a : b;
            var answer = await through.LoginAsync(account.UserId, "Wrong-Password-" + i.ToString(CultureInfo.InvariantCulture));
            Expect(answer.Status == HttpStatusCode.OK, $"wrong password {i} answered {answer}");
            await using var db = Db();
            var row = await db.Accounts.AsNoTracking().SingleAsync(x => x.Environment == OqsEnvironment.Production && x.NormalizedUserId == normalized);
            var locked = row.IsLockedAt(DateTime.UtcNow);
            trail.Add($"{(i % 2 == 1 ? "A" : "B")}:{row.AccessFailedCount}{(locked ? "🔒" : "")}");
            Expect(locked == (i == limit), $"after {i} wrong passwords (limit {limit}) locked = {locked}: {string.Join(" ", trail)}");
            if (i < limit)
            {
                Expect(row.AccessFailedCount == i, $"after {i} wrong passwords the count is {row.AccessFailedCount}: {string.Join(" ", trail)}");
            }
        }

        foreach (var (through, label) in new[] { (b, "B"), (a, "A") })
        {
            var right = await through.LoginAsync(account.UserId, account.Password);
            Expect(right.Status == HttpStatusCode.OK, $"the right password through {label} on the locked account answered {right}");
        }

        await using (var db = Db())
        {
            var lockouts = await db.AuditEntries.AsNoTracking().CountAsync(e => e.Action == AuditActions.Lockout && e.Target == account.UserId);
            Expect(lockouts == 1, $"{lockouts} lockout audit rows, expected 1");
        }

        return $"limit {limit}; failures {string.Join(" ", trail)}; the right password then refused through A and B; one lockout row";
    }

    /// <summary>(d) X-Client-Cert sent straight to an instance from 127.0.0.2 (not a trusted proxy): 400 and audited; through nginx it is overwritten.</summary>
    private async Task<string> ForgedHeaderRefusedAsync()
    {
        var forged = Uri.EscapeDataString(await File.ReadAllTextAsync(demo.Terminal.CertPem));
        var headers = new Dictionary<string, string> { ["X-Client-Cert"] = forged, ["X-Client-Verify"] = "SUCCESS", ["X-Forwarded-For"] = "127.0.0.1" };
        var from = IPAddress.Parse("127.0.0.2");
        int before;
        await using (var db = Db())
        {
            before = await RefusalsFromAsync(db, "127.0.0.2");
        }

        foreach (var (port, label) in new[] { (config.InstanceAOqsPort, "A"), (config.InstanceBOqsPort, "B") })
        {
            using var direct = new Browser(config.Host, port, ca, null, localAddress: from);
            var plain = await direct.GetAsync("/Menu");
            Expect(plain.Status == HttpStatusCode.Forbidden, $"{label} without a certificate from 127.0.0.2 answered {plain}, expected 403");
            var answer = await direct.GetAsync("/Menu", headers);
            Expect(answer.Status == HttpStatusCode.BadRequest, $"{label} with a forged X-Client-Cert from 127.0.0.2 answered {answer}, expected 400");
        }

        int after;
        await using (var db = Db())
        {
            after = await RefusalsFromAsync(db, "127.0.0.2");
        }

        Expect(after - before >= 2, $"{after - before} new request.refused/forwarded-header rows from 127.0.0.2, expected one per instance");

        // Through nginx, a client's own X-Client-Cert is replaced by nginx's (none here): no certificate, no terminal.
        using var viaNginx = Nginx(null);
        var proxied = await viaNginx.GetAsync("/Menu", headers);
        Expect(proxied.Status == HttpStatusCode.Forbidden, $"a forged X-Client-Cert through nginx without a certificate answered {proxied}, expected 403");
        return $"400 from A and B, {after - before} refusal rows audited (127.0.0.2); through nginx the forged header is dropped (403)";
    }

    private static Task<int> RefusalsFromAsync(OnshiDbContext db, string address) =>
        db.AuditEntries.AsNoTracking().CountAsync(e => e.Action == AuditActions.RequestRefused && e.Detail == RequestRefusalReasons.ForwardedHeader && e.ClientAddress == address);

    /// <summary>(c) The other institution's certificate, revoked through A's operator console: its next request is refused by A and by B.</summary>
    private async Task<string> RevocationAcrossInstancesAsync()
    {
        var otherMaster = demo.OtherInstitution.Accounts.Single(x => x.Kind == "master");
        var cookies = new CookieContainer();
        using var a = PinnedA(otherTerminal, cookies);
        using var b = PinnedB(otherTerminal, cookies);
        var login = await a.LoginAsync(otherMaster.UserId, otherMaster.Password);
        Expect(login is { Status: HttpStatusCode.Redirect, Location: "/Menu" }, $"the login with the other terminal through A answered {login}");
        Expect((await b.GetAsync("/Menu")).Status == HttpStatusCode.OK, "/Menu through B before the revocation was not 200");

        // 運用者コンソール of instance A (loopback, not behind nginx): 端末証明書 → 失効 → confirm.
        using var console = new Browser("127.0.0.1", config.InstanceAConsolePort, ca, null);
        var opLogin = await console.LoginAsync(demo.Operator.UserId, demo.Operator.Password);
        Expect(opLogin is { Status: HttpStatusCode.Redirect, Location: "/" }, $"the operator login on A's console answered {opLogin}");
        var list = await console.GetAsync("/Certificates?code=" + demo.OtherInstitution.Code);
        var link = RevokeLink().Match(list.Body);
        Expect(list.Status == HttpStatusCode.OK && link.Success, $"no 失効 link for {demo.OtherInstitution.Code} on A's console ({list})");
        var confirm = await console.GetAsync(link.Value);
        Expect(confirm.Body.Contains(demo.OtherInstitution.Terminal.Serial, StringComparison.Ordinal), "the confirmation page does not show the certificate's serial");
        var revoked = await console.PostAsync(link.Value, confirm.Token, []);
        Expect(revoked is { Status: HttpStatusCode.Redirect, Location: "/Certificates" }, $"the revocation on A's console answered {revoked}");

        // A made the change: its next request is refused at once. B holds the certificate in its cache until A's NOTIFY
        // arrives: refused within the bound (docs/security.md, "The authentication cache").
        var watch = Stopwatch.StartNew();
        var onA = await a.GetAsync("/Menu");
        Expect(onA.Status == HttpStatusCode.Forbidden, $"the next request through A answered {onA}, expected 403");
        var onB = await UntilRefusedAsync(b, watch, answer => answer.Status == HttpStatusCode.Forbidden);
        Expect(onB.Status == HttpStatusCode.Forbidden, $"requests through B still answered {onB} {watch.ElapsedMilliseconds} ms after the revocation, expected 403");
        invalidationTimes.Add(("revocation", watch.Elapsed));
        var verdict = LastVerdict(demo.OtherInstitution.Terminal.Serial);
        return $"revoked on A's console; refused by A on its next request and by B after {watch.ElapsedMilliseconds} ms (403); nginx still said verify=\"{verdict}\" (before the CRL)";
    }

    /// <summary>How long after a change on A each refusal by B took (the revocation of check c, then check h's rounds).</summary>
    private readonly List<(string Change, TimeSpan Elapsed)> invalidationTimes = [];

    /// <summary>The bound of docs/security.md: a change made on one instance is refused by every other within it.</summary>
    private static readonly TimeSpan InvalidationBound = TimeSpan.FromSeconds(1);

    /// <summary>Requests through <paramref name="browser"/> (B's pinned port) every 5 ms until <paramref name="refused"/>, for twice the bound at most.</summary>
    private static async Task<Answer> UntilRefusedAsync(Browser browser, Stopwatch since, Func<Answer, bool> refused)
    {
        while (true)
        {
            var answer = await browser.GetAsync("/Menu");
            if (refused(answer) || since.Elapsed > InvalidationBound * 2)
            {
                return answer;
            }

            await Task.Delay(5);
        }
    }

    /// <summary>
    /// (h) The bound on B: a session of the demo institution's 管理者 opened through A and read through B (so that B caches it),
    /// then ended through A — logged out, or disabled by the マスタ on A's account screen (and enabled again) — and requests
    /// through B polled until refused; several rounds, with check c's revocation. PASS when the slowest is within 1 s.
    /// </summary>
    private async Task<string> InvalidationBoundAsync()
    {
        const int rounds = 5;
        var target = demo.Accounts.Single(x => x.Kind == "admin");
        Account targetRow;
        await using (var db = Db())
        {
            var normalized = target.UserId.ToUpperInvariant();
            targetRow = await db.Accounts.AsNoTracking().SingleAsync(x => x.Environment == OqsEnvironment.Production && x.NormalizedUserId == normalized);
        }

        // B serves from memory: the account disabled behind the application's back (no NOTIFY) is still accepted by B, until
        // the key is announced on the channel.
        var staleServed = 0;
        {
            var cookies = new CookieContainer();
            using var a = PinnedA(terminal, cookies);
            using var b = PinnedB(terminal, cookies);
            var login = await a.LoginAsync(target.UserId, target.Password);
            Expect(login is { Status: HttpStatusCode.Redirect, Location: "/Menu" }, $"the 管理者's login through A answered {login}");
            Expect((await b.GetAsync("/Menu")).Status == HttpStatusCode.OK, "/Menu through B after the login was not 200");
            await using (var db = Db())
            {
                await db.Accounts.Where(x => x.Id == targetRow.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.Status, AccountStatus.Disabled));
            }

            for (var i = 0; i < 3; i++)
            {
                staleServed += (await b.GetAsync("/Menu")).Status == HttpStatusCode.OK ? 1 : 0;
            }

            Expect(staleServed == 3, $"B refused the session after a change nobody announced ({staleServed} of 3 served): is its cache serving?");
            await using (var db = Db())
            {
                await db.Database.ExecuteSqlAsync($"SELECT pg_notify('onshi_invalidate', {"account:" + targetRow.Id.ToString(CultureInfo.InvariantCulture)})");
            }

            var watch = Stopwatch.StartNew();
            var onB = await UntilRefusedAsync(b, watch, IsLoginRedirect);
            Expect(IsLoginRedirect(onB), $"B still answered {onB} {watch.ElapsedMilliseconds} ms after the key was announced");
            await using (var db = Db())
            {
                await db.Accounts.Where(x => x.Id == targetRow.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.Status, AccountStatus.Active));
            }
        }

        var masterCookies = new CookieContainer();
        using var master = PinnedA(terminal, masterCookies);
        var masterLogin = await master.LoginAsync(Master.UserId, Master.Password);
        Expect(masterLogin is { Status: HttpStatusCode.Redirect, Location: "/Menu" }, $"the マスタ's login through A answered {masterLogin}");
        try
        {
            for (var round = 1; round <= rounds; round++)
            {
                foreach (var change in new[] { "logout", "disable" })
                {
                    var cookies = new CookieContainer();
                    using var a = PinnedA(terminal, cookies);
                    var login = await a.LoginAsync(target.UserId, target.Password);
                    Expect(login is { Status: HttpStatusCode.Redirect, Location: "/Menu" }, $"round {round} {change}: the 管理者's login through A answered {login}");
                    var kept = new CookieContainer();
                    foreach (Cookie c in cookies.GetAllCookies())
                    {
                        kept.Add(c);
                    }

                    using var b = PinnedB(terminal, kept);
                    for (var i = 0; i < 2; i++)
                    {
                        var warm = await b.GetAsync("/Menu");
                        Expect(warm.Status == HttpStatusCode.OK, $"round {round} {change}: /Menu through B before the change answered {warm}");
                    }

                    Stopwatch watch;
                    if (change == "logout")
                    {
                        var menu = await a.GetAsync("/Menu");
                        var logout = await a.PostAsync("/Logout", menu.Token, []);
                        watch = Stopwatch.StartNew();
                        Expect(logout is { Status: HttpStatusCode.Redirect, Location: "/Logout" }, $"round {round}: the logout through A answered {logout}");
                    }
                    else
                    {
                        watch = await SetStatusAsync(master, targetRow, AccountStatus.Disabled, $"round {round}: disabling");
                    }

                    var onB = await UntilRefusedAsync(b, watch, IsLoginRedirect);
                    Expect(IsLoginRedirect(onB), $"round {round} {change}: requests through B still answered {onB} {watch.ElapsedMilliseconds} ms after the change");
                    invalidationTimes.Add((change, watch.Elapsed));
                    if (change == "disable")
                    {
                        await SetStatusAsync(master, targetRow, AccountStatus.Active, $"round {round}: enabling again");
                    }
                }
            }
        }
        finally
        {
            // The マスタ leaves no live session behind for the checks after this one.
            var menu = await master.GetAsync("/Menu");
            if (menu.Status == HttpStatusCode.OK)
            {
                await master.PostAsync("/Logout", menu.Token, []);
            }
        }

        var slowest = invalidationTimes.MaxBy(t => t.Elapsed);
        var summary = string.Join(", ", invalidationTimes.GroupBy(t => t.Change).Select(g =>
            string.Create(CultureInfo.InvariantCulture, $"{g.Key} ×{g.Count()} max {g.Max(t => t.Elapsed.TotalMilliseconds):F0} ms")));
        Expect(slowest.Elapsed <= InvalidationBound,
            string.Create(CultureInfo.InvariantCulture, $"B refused a {slowest.Change} only after {slowest.Elapsed.TotalMilliseconds:F0} ms (bound {InvalidationBound.TotalMilliseconds:F0} ms): {summary}"));
        return string.Create(CultureInfo.InvariantCulture,
            $"B served from memory (an unannounced change not seen), and refused changes on A within {slowest.Elapsed.TotalMilliseconds:F0} ms at most (bound {InvalidationBound.TotalMilliseconds:F0} ms; {summary})");
    }

    private static bool IsLoginRedirect(Answer answer) =>
        answer is { Status: HttpStatusCode.Redirect, Location: { } location } && location.StartsWith("/Login", StringComparison.Ordinal);

    /// <summary>The マスタ on A's アカウント管理 sets the account's status (the confirmed form of the detail page); the clock starts at the answer.</summary>
    private static async Task<Stopwatch> SetStatusAsync(Browser master, Account account, AccountStatus status, string what)
    {
        var path = "/Accounts/Detail/" + account.Id.ToString(CultureInfo.InvariantCulture);
        var detail = await master.GetAsync(path);
        Expect(detail.Status == HttpStatusCode.OK, $"{what}: {path} through A answered {detail}");
        var answer = await master.PostAsync(path + "?handler=Update", detail.Token,
        [
            new("Input.DisplayName", account.DisplayName),
            new("Input.Kind", ((int)account.Kind).ToString(CultureInfo.InvariantCulture)),
            new("Input.Status", ((int)status).ToString(CultureInfo.InvariantCulture)),
            new("Input.Confirmed", "true"),
        ]);
        var watch = Stopwatch.StartNew();
        Expect(answer.Status == HttpStatusCode.Redirect, $"{what} answered {answer}, expected the redirect of a saved change");
        return watch;
    }

    /// <summary>(c) After <c>onshi cert crl</c> and <c>nginx -s reload</c>, nginx itself fails the revoked certificate; a valid one still passes.</summary>
    private async Task<string> NginxCrlAsync()
    {
        var (code, output) = await RunAsync("dotnet", [config.OnshiDll, "cert", "crl", "--out", config.Crl, "--data", config.Data, "--db", "postgres", "--connection", config.Connection]);
        Expect(code == 0, $"onshi cert crl exited {code}: {output.Trim()}");
        (code, output) = await RunAsync(config.NginxReload[0], config.NginxReload[1..]);
        Expect(code == 0, $"nginx -s reload exited {code}: {output.Trim()}");

        var serial = demo.OtherInstitution.Terminal.Serial;
        var watch = Stopwatch.StartNew();
        string? verdict = null;
        while (watch.Elapsed < TimeSpan.FromSeconds(20))
        {
            // A new connection each time: the reloaded workers do the handshake.
            using var revokedTerminal = Nginx(otherTerminal);
            var answer = await revokedTerminal.GetAsync("/");
            verdict = LastVerdict(serial);
            if (verdict?.StartsWith("FAILED:", StringComparison.Ordinal) == true)
            {
                Expect(answer.Status == HttpStatusCode.Forbidden, $"with nginx's verify={verdict} the answer was {answer}, expected Onshi's 403 page");
                break;
            }

            await Task.Delay(250);
        }

        Expect(verdict?.StartsWith("FAILED:", StringComparison.Ordinal) == true, $"nginx's last verdict on {serial} after the reload: \"{verdict}\"");
        using var valid = Nginx(terminal);
        var ok = await valid.GetAsync("/");
        Expect(ok.Status == HttpStatusCode.OK, $"the demo terminal through nginx after the reload answered {ok}");
        var validVerdict = LastVerdict(demo.Terminal.Serial);
        Expect(validVerdict == "SUCCESS", $"nginx's verdict on the valid demo certificate: \"{validVerdict}\"");
        return $"nginx verify=\"{verdict}\" after {watch.Elapsed.TotalSeconds:F1} s (answered with Onshi's 403 page); a valid certificate still SUCCESS";
    }

    /// <summary>nginx's last X-Client-Verify for a serial, from the access log (which holds the serial, never the PEM).</summary>
    private string? LastVerdict(string serial)
    {
        string? verdict = null;
        foreach (var line in File.ReadLines(config.OqsAccessLog))
        {
            var match = VerdictPattern().Match(line);
            if (match.Success && match.Groups["serial"].Value.Equals(serial, StringComparison.OrdinalIgnoreCase))
            {
                verdict = match.Groups["verify"].Value;
            }
        }

        return verdict;
    }

    private enum Outcome
    {
        Committed,
        Failed,
        Refused,
    }

    private sealed record Attempt(string UserId, Outcome Outcome, bool AfterKill, string Answer);

    /// <summary>
    /// (e) N clients registering accounts through nginx (round robin over A and B); instance A SIGKILLed once some are
    /// committed; the load goes on through B. Every registration answered with success is in the database with its audit row.
    /// </summary>
    private async Task<string> SigkillAsync()
    {
        var attempts = new ConcurrentBag<Attempt>();
        var committed = 0;
        long killedAt = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(config.WriteSeconds));
        var watch = Stopwatch.StartNew();

        // One browser of the master, a connection (tab) per writer: an account holds one live session (SPEC §4.8).
        var masterCookies = new CookieContainer();
        using (var first = Nginx(terminal, masterCookies))
        {
            var login = await first.LoginAsync(Master.UserId, Master.Password);
            Expect(login is { Status: HttpStatusCode.Redirect, Location: "/Menu" }, $"the writers' login answered {login}");
        }

        var writers = Enumerable.Range(1, config.Writers).Select(w => Task.Run(async () =>
        {
            using var browser = Nginx(terminal, masterCookies);
            var token = (await browser.GetAsync("/Accounts/Register")).Token;
            for (var n = 1; !stop.IsCancellationRequested; n++)
            {
                var userId = string.Create(CultureInfo.InvariantCulture, $"SC{w:D2}{n:D5}");
                var afterKill = Interlocked.Read(ref killedAt) != 0;
                try
                {
                    var answer = await browser.PostAsync("/Accounts/Register", token,
                        [new("Input.Kind", ((int)AccountKind.General).ToString(CultureInfo.InvariantCulture)), new("Input.UserId", userId), new("Input.DisplayName", $"負荷 {w}-{n}")]);
                    var outcome = answer is { Status: HttpStatusCode.Redirect, Location: "/Accounts/Issued" } ? Outcome.Committed
                        : (int)answer.Status >= 500 ? Outcome.Failed
                        : Outcome.Refused;
                    attempts.Add(new Attempt(userId, outcome, afterKill, answer.ToString()));
                    if (outcome == Outcome.Committed)
                    {
                        Interlocked.Increment(ref committed);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
                {
                    attempts.Add(new Attempt(userId, Outcome.Failed, afterKill, e.GetType().Name));
                }
            }
        })).ToList();

        // SIGKILL instance A once the load is committing, with requests in flight.
        while (Volatile.Read(ref committed) < 3 * config.Writers && !stop.IsCancellationRequested && !writers.Any(t => t.IsFaulted))
        {
            await Task.Delay(20);
        }

        if (writers.FirstOrDefault(t => t.IsFaulted) is { } broken)
        {
            await stop.CancelAsync();
            throw new CheckFailedException("a writer failed before the kill: " + broken.Exception!.InnerException!.Message);
        }

        var committedBeforeKill = Volatile.Read(ref committed);
        using (var instanceA = Process.GetProcessById(config.InstanceAPid))
        {
            instanceA.Kill();
            Interlocked.Exchange(ref killedAt, watch.ElapsedMilliseconds);
            await instanceA.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        await Task.WhenAll(writers);
        var all = attempts.ToList();
        var ok = all.Where(x => x.Outcome == Outcome.Committed).ToList();
        var afterKill = ok.Count(x => x.AfterKill);
        var refused = all.Where(x => x.Outcome == Outcome.Refused).ToList();
        var failedRequests = all.Where(x => x.Outcome == Outcome.Failed).ToList();
        Expect(refused.Count == 0, $"{refused.Count} registrations refused (e.g. {refused.FirstOrDefault()?.Answer}): the sessions or forms did not survive the kill");
        Expect(afterKill >= config.Writers, $"only {afterKill} registrations committed after the kill: the load did not continue through B");

        await using var db = Db();
        var ids = all.Select(x => x.UserId.ToUpperInvariant()).ToList();
        var present = (await db.Accounts.AsNoTracking().Where(x => x.Environment == OqsEnvironment.Production && ids.Contains(x.NormalizedUserId))
            .Select(x => x.NormalizedUserId).ToListAsync()).ToHashSet(StringComparer.Ordinal);
        // The audit row's target is the user ID as typed (upper case here).
        var typed = all.Select(x => x.UserId).ToList();
        var audited = (await db.AuditEntries.AsNoTracking().Where(e => e.Action == AuditActions.AccountCreate && e.Outcome == AuditOutcomes.Success && typed.Contains(e.Target))
            .Select(e => e.Target).ToListAsync()).Select(t => t.ToUpperInvariant()).ToHashSet(StringComparer.Ordinal);
        var lost = ok.Where(x => !present.Contains(x.UserId.ToUpperInvariant())).Select(x => x.UserId).ToList();
        Expect(lost.Count == 0, $"{lost.Count} registrations answered with success are missing from the database: {string.Join(", ", lost.Take(10))}");
        var unaudited = ok.Where(x => !audited.Contains(x.UserId.ToUpperInvariant())).Select(x => x.UserId).ToList();
        Expect(unaudited.Count == 0, $"{unaudited.Count} committed registrations without their account.create row: {string.Join(", ", unaudited.Take(10))}");
        var halfAudited = present.Count(p => !audited.Contains(p)) + audited.Count(p => !present.Contains(p));
        Expect(halfAudited == 0, $"{halfAudited} accounts without their audit row or audit rows without their account");

        var bAddress = "127.0.0.1:" + config.InstanceBOqsPort.ToString(CultureInfo.InvariantCulture);
        var throughB = File.ReadLines(config.OqsAccessLog).Count(l => l.Contains("\"POST /Accounts/Register\" 302", StringComparison.Ordinal) && l.Contains(bAddress, StringComparison.Ordinal));
        Expect(throughB >= afterKill, $"the access log shows {throughB} registrations through B, fewer than the {afterKill} after the kill");
        var cutOffCommitted = failedRequests.Count(x => present.Contains(x.UserId.ToUpperInvariant()));
        return string.Create(CultureInfo.InvariantCulture,
            $"{config.Writers} writers, {all.Count} registrations in {watch.Elapsed.TotalSeconds:F1} s; A killed at {killedAt / 1000.0:F1} s after {committedBeforeKill} commits; " +
            $"{ok.Count} answered success ({afterKill} after the kill), all in the database with their audit row; {failedRequests.Count} cut off by the kill " +
            $"(answered 502 or no answer; {cutOffCommitted} of them committed anyway, as a write in flight may); {throughB} registrations through B in the access log");
    }

    private const int BulkPatients = 10_000;

    private string? bulkReception;
    private string? bulkToken;
    private int bulkDoneBeforeKill;

    /// <summary>
    /// (g) A 10,000-patient 一括照会 through the Web API on A (pinned): accepted at once, and A's job worker is answering it
    /// (A holds the job's lease and has committed a batch) when check e SIGKILLs A.
    /// </summary>
    private async Task<string> BulkStartAsync()
    {
        var api = demo.Accounts.Single(a => a.Kind == "webapi");
        using var a = PinnedA(terminal, new CookieContainer());
        var auth = await a.PostJsonAsync("/oqs-api-pro/MSA12020/ILI12020SV01/auth", JsonSerializer.Serialize(new { userId = api.UserId, password = api.Password }));
        Expect(auth.Status == HttpStatusCode.OK, $"auth answered {auth}");
        bulkToken = JsonDocument.Parse(auth.Body).RootElement.GetProperty("result").GetProperty("idToken").GetString();
        var patients = Enumerable.Range(0, BulkPatients).Select(i => demo.Insured[i % demo.Insured.Count]).Select(p => new Dictionary<string, string?>
        {
            ["InsurerNumber"] = p.InsurerNumber,
            ["InsuredCardSymbol"] = p.Symbol.Length == 0 ? null : p.Symbol,
            ["InsuredIdentificationNumber"] = p.Number,
            ["InsuredBranchNumber"] = p.Branch,
            ["Birthdate"] = p.Birthdate.Replace("-", "", StringComparison.Ordinal),
            ["LimitApplicationCertificateRelatedConsFlg"] = "0",
        }.Where(kv => kv.Value is not null).ToDictionary()).ToList();
        var body = JsonSerializer.Serialize(new { XmlMsg = new { MessageHeader = new { MedicalInstitutionCode = demo.Institution.Code }, MessageBody = new { QualificationConfirmSearchInfo = patients } } });
        var watch = Stopwatch.StartNew();
        var accepted = await a.PostJsonAsync("/oqs-api-pro/onshi/v1/bulk", body, bulkToken);
        var acceptMs = watch.ElapsedMilliseconds;
        Expect(accepted.Status == HttpStatusCode.OK, $"the 一括照会 answered {accepted}");
        bulkReception = JsonDocument.Parse(accepted.Body).RootElement.GetProperty("XmlMsg").GetProperty("MessageBody").GetProperty("ReceptionNumber").GetString();

        var owner = $":{config.InstanceAPid.ToString(CultureInfo.InvariantCulture)}:";
        await using var db = Db();
        while (true)
        {
            var state = await db.BulkInquiries.AsNoTracking().Where(b => b.ReceptionNumber == bulkReception)
                .Select(b => new { b.Processed, b.Status, Lease = db.BackgroundJobs.Where(j => j.Id == b.JobId).Select(j => j.LeaseOwner).FirstOrDefault() })
                .SingleAsync();
            Expect(state.Status != BulkInquiryStatus.Completed, "A finished the 一括照会 before the kill: nothing to take over");
            Expect(state.Lease is null || state.Lease.Contains(owner, StringComparison.Ordinal), $"instance B took the job ({state.Lease}), not A: the kill would not interrupt it");
            if (state.Processed > 0)
            {
                bulkDoneBeforeKill = state.Processed;
                return string.Create(CultureInfo.InvariantCulture,
                    $"{BulkPatients} patients accepted in {acceptMs} ms (受付番号 issued); A holds the job and has answered {state.Processed} after {watch.Elapsed.TotalSeconds:F1} s");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>
    /// (g) After A's SIGKILL: the job's lease runs out, B claims it, resumes after A's last committed batch and finishes —
    /// every patient answered exactly once (one item and one 資格確認結果 each), the result fetched through nginx.
    /// </summary>
    private async Task<string> BulkFinishAsync()
    {
        Expect(bulkReception is not null, "the 一括照会 was not started (check g-bulk-job-started-on-a failed)");
        var watch = Stopwatch.StartNew();
        await using var db = Db();
        BulkInquiry inquiry;
        while (true)
        {
            inquiry = await db.BulkInquiries.AsNoTracking().SingleAsync(b => b.ReceptionNumber == bulkReception);
            if (inquiry.Status is BulkInquiryStatus.Completed or BulkInquiryStatus.Failed || watch.Elapsed > TimeSpan.FromSeconds(100))
            {
                break;
            }

            await Task.Delay(200);
        }

        Expect(inquiry.Status == BulkInquiryStatus.Completed, $"the 一括照会 is {inquiry.Status} after {watch.Elapsed.TotalSeconds:F0} s ({inquiry.Processed} answered)");
        var job = await db.BackgroundJobs.AsNoTracking().SingleAsync(j => j.Id == inquiry.JobId);
        var items = await db.BulkInquiryItems.AsNoTracking().Where(i => i.BulkInquiryId == inquiry.Id).Select(i => new { i.Position, i.QualificationResultId }).ToListAsync();
        Expect(items.Count == BulkPatients, $"{items.Count} items for {BulkPatients} patients");
        Expect(items.Select(i => i.Position).Distinct().Count() == BulkPatients, "a patient was answered twice");
        Expect(items.All(i => i.QualificationResultId is not null) && items.Select(i => i.QualificationResultId).Distinct().Count() == BulkPatients,
            "not one 資格確認結果 per patient");
        Expect(job.Attempts >= 2, $"the job ran {job.Attempts} time(s): it was not taken over");

        using var nginx = Nginx(terminal);
        var result = await nginx.PostJsonAsync("/oqs-api-pro/onshi/v1/bulk/result",
            JsonSerializer.Serialize(new { XmlMsg = new { MessageHeader = new { MedicalInstitutionCode = demo.Institution.Code }, MessageBody = new { ReceptionNumber = bulkReception } } }),
            bulkToken);
        Expect(result.Status == HttpStatusCode.OK, $"the result answered {result}");
        var header = JsonDocument.Parse(result.Body).RootElement.GetProperty("XmlMsg").GetProperty("MessageHeader");
        Expect(header.GetProperty("NumberOfProcessingResult").GetString() == BulkPatients.ToString(CultureInfo.InvariantCulture), "the result's count is wrong");
        return string.Create(CultureInfo.InvariantCulture,
            $"A answered {bulkDoneBeforeKill} before its kill; B took the job over (run {job.Attempts}) and completed it {watch.Elapsed.TotalSeconds:F1} s after the kill check; " +
            $"{items.Count} patients, each answered once; the result ({BulkPatients} units) fetched through nginx with A's token");
    }

    /// <summary>The portal server of the template: plain TLS, our proxy certificate, B serving alone after A's kill.</summary>
    private async Task<string> PortalAsync()
    {
        using var portal = new Browser(config.PortalHost, config.NginxPortalPort, ca, null);
        var login = await portal.GetAsync("/Account/Login");
        Expect(login.Status == HttpStatusCode.OK && Browser.TokenOf(login.Body) is not null, $"the portal's login page through nginx answered {login}");
        return "the portal's login page through nginx: 200 with its form";
    }

    /// <summary>(e) <c>onshi audit verify</c> after the kill.</summary>
    private async Task<string> AuditVerifyAsync()
    {
        var (code, output) = await RunAsync("dotnet", [config.OnshiDll, "audit", "verify", "--data", config.Data, "--db", "postgres", "--connection", config.Connection]);
        Expect(code == 0, $"onshi audit verify exited {code}: {output.Trim()}");
        return output.Trim().Split('\n')[^1];
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        return (p.ExitCode, await output + await error);
    }

    [GeneratedRegex("/Certificates/Revoke/[0-9]+", RegexOptions.CultureInvariant)]
    private static partial Regex RevokeLink();


    [GeneratedRegex("cert=(?<serial>[0-9A-Fa-f]*) verify=\"(?<verify>[^\"]*)\"", RegexOptions.CultureInvariant)]
    private static partial Regex VerdictPattern();
}
