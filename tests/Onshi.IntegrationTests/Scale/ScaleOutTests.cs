using System.Net;
using System.Reflection;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.KeyManagement.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Cli.Commands;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Certificates;
using Onshi.Core.Features.Login;
using Onshi.Core.Features.Secrets;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Oqs;
using Onshi.Web.Hosting;
using Shouldly;

namespace Onshi.IntegrationTests.Scale;

/// <summary>
/// Scale-out (SPEC §10, issue 6): the forwarded-header contract with the TLS proxy, and two OQS instances on one database
/// sharing sessions, the Data Protection key ring, lockout counters, the login throttle and revocations.
/// </summary>
public abstract class ScaleOutTests(string provider)
{
    private const string ForgedAddress = "203.0.113.9";
    private const string ClientAddress = "198.51.100.7";

    private static readonly string[] MalformedPems = ["not-a-pem", "-----BEGIN%20CERTIFICATE-----%0AAAAA%0A-----END%20CERTIFICATE-----", "%ZZ%"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // ---- forwarded headers ------------------------------------------------------------------------------------------

    [Fact]
    public async Task ForwardedHeaders_FromAnUntrustedAddress_Are400_JapanesePage_OneAuditRow_NeverHonoured()
    {
        // No --trusted-proxy: no address is trusted. The client even has a good terminal certificate of its own.
        await using var server = await OqsServer.StartAsync(provider);
        using var client = server.Client(server.Demo.Terminal);
        var otherPem = Uri.EscapeDataString(File.ReadAllText(server.Demo.OtherInstitution.Terminal.CertPem));
        foreach (var (header, value) in new[]
        {
            (ForwardedHeadersGate.ClientCertHeader, otherPem),
            (ForwardedHeadersGate.ClientVerifyHeader, "SUCCESS"),
            (ForwardedHeadersGate.ForwardedForHeader, ForgedAddress),
            (ForwardedHeadersGate.ForwardedProtoHeader, "https"),
        })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/Login");
            request.Headers.Add(header, value);
            using var response = await client.Http.SendAsync(request, Ct);
            var html = await response.Content.ReadAsStringAsync(Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, header);
            html.ShouldContain("接続経路が正しくありません");
            html.ShouldNotContain("ログイン</h1>");
        }

        // One row for the four (one a minute per reason and address), with the real address, never the forged one.
        var rows = await AuditAsync(server, AuditActions.RequestRefused);
        var row = rows.ShouldHaveSingleItem();
        row.Detail.ShouldBe(RequestRefusalReasons.ForwardedHeader);
        row.Outcome.ShouldBe(AuditOutcomes.Denied);
        row.ClientAddress.ShouldBe("127.0.0.1");
        row.Target.ShouldBe("/Login");
        (await server.WithDbAsync(db => db.AuditEntries.AnyAsync(a => a.ClientAddress == ForgedAddress, Ct))).ShouldBeFalse();

        // The same client without those headers is served as before.
        (await client.GetAsync("/Login")).H1.ShouldBe("ログイン");
    }

    [Fact]
    public async Task ForwardedCertificate_FromATrustedProxy_IsChecked_AndUsed_WithTheForwardedAddress()
    {
        await using var server = await OqsServer.StartAsync(provider, TrustLoopback);

        // The "proxy" (this client, on 127.0.0.1) presents no TLS certificate of its own; the terminal's comes in the header.
        using var proxy = server.Client((X509Certificate2?)null);
        Forward(proxy, server.Demo.Terminal, "SUCCESS");
        var admin = server.Account("admin");
        (await proxy.LoginAsync(admin.UserId, admin.Password)).Path.ShouldBe("/Menu");
        var login = (await AuditAsync(server, AuditActions.Login)).Last();
        login.Outcome.ShouldBe(AuditOutcomes.Success);
        login.ClientAddress.ShouldBe(ClientAddress);
        login.CertificateSerial.ShouldBe(server.Demo.Terminal.Serial);

        // A page that does not exist is re-executed as the error page with the forwarded certificate still usable.
        (await proxy.GetAsync("/NoSuchPage")).Status.ShouldBe(HttpStatusCode.NotFound);

        // Revoked in the database: refused on the next request through the proxy too (the gate's own full check).
        await using (var scope = server.App.Services.CreateAsyncScope())
        {
            (await scope.ServiceProvider.GetRequiredService<TerminalCertificateService>().RevokeAsync(server.Demo.Terminal.Serial, "test", Ct))
                .Succeeded.ShouldBeTrue();
        }

        var revoked = await proxy.GetAsync("/Menu");
        revoked.Status.ShouldBe(HttpStatusCode.Forbidden);
        revoked.H1.ShouldBe(CertificateMessages.Describe(CertificateCheckStatus.Revoked).Title);
    }

    [Fact]
    public async Task TrustedProxy_ItsOwnTlsCertificateIsIgnored_FailedVerifyAndMalformedPem_AreRejectedCertificates_No500()
    {
        await using var server = await OqsServer.StartAsync(provider, TrustLoopback);

        // A good terminal certificate on the proxy's TLS connection counts for nothing in this mode.
        using (var tlsOnly = server.Client(server.Demo.Terminal))
        {
            var page = await tlsOnly.GetAsync("/Login");
            page.Status.ShouldBe(HttpStatusCode.Forbidden);
            page.H1.ShouldBe(CertificateMessages.Describe(CertificateCheckStatus.Missing).Title);
        }

        // nginx could not verify it: rejected, whatever the certificate (here a good one).
        using (var failed = server.Client((X509Certificate2?)null))
        {
            Forward(failed, server.Demo.Terminal, "FAILED:certificate has expired");
            var page = await failed.GetAsync("/Login");
            page.Status.ShouldBe(HttpStatusCode.Forbidden);
            page.H1.ShouldBe(CertificateMessages.Describe(CertificateCheckStatus.Untrusted).Title);
        }

        // Not a PEM certificate at all, or a broken one: the certificate error page, never a 500.
        foreach (var (i, junk) in MalformedPems.Index())
        {
            using var malformed = server.Client((X509Certificate2?)null);
            malformed.Http.DefaultRequestHeaders.Add(ForwardedHeadersGate.ClientCertHeader, junk);
            malformed.Http.DefaultRequestHeaders.Add(ForwardedHeadersGate.ClientVerifyHeader, "SUCCESS");
            malformed.Http.DefaultRequestHeaders.Add(ForwardedHeadersGate.ForwardedForHeader, $"198.51.100.{20 + i}");
            var page = await malformed.GetAsync("/Login");
            page.Status.ShouldBe(HttpStatusCode.Forbidden, junk);
            page.H1.ShouldBe(CertificateMessages.Describe(CertificateCheckStatus.Untrusted).Title);
        }

        // Each rejection is audited with the client's (forwarded) address.
        var rejected = await AuditAsync(server, AuditActions.CertificateRejected);
        rejected.ShouldContain(a => a.ClientAddress == ClientAddress && a.Detail == nameof(CertificateCheckStatus.Untrusted));
        rejected.Count(a => a.ClientAddress.StartsWith("198.51.100.2", StringComparison.Ordinal)).ShouldBe(3);

        // A forwarded address that is not one address (appended lists are not the contract) is refused as a forwarded header.
        using var appended = server.Client((X509Certificate2?)null);
        Forward(appended, server.Demo.Terminal, "SUCCESS");
        appended.Http.DefaultRequestHeaders.Remove(ForwardedHeadersGate.ForwardedForHeader);
        appended.Http.DefaultRequestHeaders.Add(ForwardedHeadersGate.ForwardedForHeader, "198.51.100.1, 10.0.0.1");
        (await appended.GetAsync("/Login")).Status.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task ForwardedHeaders_FromAnAddressOutsideTheTrustedSet_AreRefused()
    {
        await using var server = await OqsServer.StartAsync(provider,
            s => s.Configure<TrustedProxyOptions>(o => o.TrustedProxies.Add("10.0.0.0/8")));
        using var client = server.Client((X509Certificate2?)null);
        Forward(client, server.Demo.Terminal, "SUCCESS");
        var page = await client.GetAsync("/Login");
        page.Status.ShouldBe(HttpStatusCode.BadRequest);
        (await AuditAsync(server, AuditActions.RequestRefused)).ShouldHaveSingleItem().Detail.ShouldBe(RequestRefusalReasons.ForwardedHeader);
    }

    // ---- two instances on one database ------------------------------------------------------------------------------

    [Fact]
    public async Task TwoInstances_LoginOnOne_NextRequestsOnTheOther_KeepTheSession_LogoutOnOneRefusedByTheOther()
    {
        await using var server = await OqsServer.StartAsync(provider);
        await using var second = await OqsInstance.StartAsync(server);
        var cookies = new CookieContainer();
        using var one = server.Client(server.Demo.Terminal, cookies);
        using var two = second.Client(server.Demo.Terminal, cookies);
        var master = server.Account("master");

        // The login form (antiforgery cookie and token) from instance 1, posted to instance 2.
        var form = await one.GetAsync("/Login");
        var loggedIn = await two.SubmitAsync(form, "main form", new Dictionary<string, string>
        {
            ["Input.UserId"] = master.UserId,
            ["Input.Password"] = master.Password,
        });
        loggedIn.Path.ShouldBe("/Menu");

        // The session cookie made by instance 2 opens pages on instance 1, and back.
        (await one.GetAsync("/Menu")).Path.ShouldBe("/Menu");
        var results = await one.SearchAsync("全て");
        results.ResultUserIds().ShouldContain(master.UserId);
        (await two.OpenDetailAsync(results, master.UserId)).Status.ShouldBe(HttpStatusCode.OK);

        // Logged out on instance 1 with a copy of the cookie kept: instance 2 refuses it on the next request.
        var kept = new CookieContainer();
        foreach (Cookie c in cookies.GetAllCookies())
        {
            kept.Add(c);
        }

        var menu = await one.GetAsync("/Menu");
        (await one.SubmitAsync(menu, "header form")).H1.ShouldBe("ログアウトしました");
        using var replay = second.Client(server.Demo.Terminal, kept);
        (await replay.GetAsync("/Menu")).Path.ShouldBe("/Login");
    }

    [Fact]
    public async Task TwoInstances_FailuresAlternating_LockTheAccountAtExactlyTheLimit()
    {
        await using var server = await OqsServer.StartAsync(provider);
        await using var second = await OqsInstance.StartAsync(server);
        using var one = server.Client(server.Demo.Terminal, new CookieContainer());
        using var two = second.Client(server.Demo.Terminal, new CookieContainer());
        var general = server.Account("general");
        var limit = new LoginOptions().MaxFailedAccessAttempts;
        for (var i = 0; i < limit; i++)
        {
            (await server.AccountRowAsync(general.UserId)).LockoutEnd.ShouldBeNull($"still open before failure {i + 1}");
            (await (i % 2 == 0 ? one : two).LoginAsync(general.UserId, "Wrong-pass-" + i)).Path.ShouldBe("/Login");
        }

        (await server.AccountRowAsync(general.UserId)).LockoutEnd.ShouldNotBeNull();
        (await AuditAsync(server, AuditActions.Lockout)).ShouldHaveSingleItem().Target.ShouldBe(general.UserId);
        (await two.LoginAsync(general.UserId, general.Password)).Path.ShouldBe("/Login");
        (await one.LoginAsync(general.UserId, general.Password)).Path.ShouldBe("/Login");

        // In parallel from both instances: the counter is one conditional UPDATE, so again exactly one lock.
        var admin = server.Account("admin");
        await Task.WhenAll(Enumerable.Range(0, 12).Select(i => (i % 2 == 0 ? one : two).LoginAsync(admin.UserId, "Wrong-pass-" + i)));
        (await server.AccountRowAsync(admin.UserId)).LockoutEnd.ShouldNotBeNull();
        (await AuditAsync(server, AuditActions.Lockout)).Count(a => a.Target == admin.UserId).ShouldBe(1);
        (await AuditAsync(server, AuditActions.Login)).Count(a => a.Target == admin.UserId && a.Detail.StartsWith("wrong-password", StringComparison.Ordinal))
            .ShouldBe(limit);
    }

    [Fact]
    public async Task TwoInstances_TheLoginThrottleHoldsAcrossBoth()
    {
        const int limit = 6;
        Action<IServiceCollection> small = s => s.Configure<LoginOptions>(o => o.MaxFailuresPerCertificate = limit);
        await using var server = await OqsServer.StartAsync(provider, small);
        await using var second = await OqsInstance.StartAsync(server, small);
        using var one = server.Client(server.Demo.Terminal, new CookieContainer());
        using var two = second.Client(server.Demo.Terminal, new CookieContainer());
        for (var i = 0; i < limit; i++)
        {
            var page = await (i % 2 == 0 ? one : two).LoginAsync($"GUESS{i:00}", "Guess-pass-1!");
            page.Errors.ShouldNotContain(e => e.Contains("一時的に制限しています", StringComparison.Ordinal));
        }

        // The terminal has used its slots on the two instances together: both refuse it now, even the right password.
        var admin = server.Account("admin");
        foreach (var client in new[] { one, two })
        {
            var refused = await client.LoginAsync(admin.UserId, admin.Password);
            refused.Path.ShouldBe("/Login");
            refused.Errors.ShouldContain(e => e.Contains("一時的に制限しています", StringComparison.Ordinal));
        }

        (await AuditAsync(server, AuditActions.Login)).Count(a => a.Detail == "throttled").ShouldBe(2);
        (await server.AccountRowAsync(admin.UserId)).LastLoginAt.ShouldBeNull();

        // The table holds hashes of the keys, never the thumbprint or the address.
        var stored = await server.WithDbAsync(db => db.ThrottleAttempts.Select(t => t.KeyHash).ToListAsync(Ct));
        stored.Count.ShouldBe(limit * 2);
        stored.ShouldAllBe(h => h.Length == 64);
        stored.ShouldContain(DbLoginThrottle.Hash("addr:127.0.0.1"));
    }

    [Fact]
    public async Task TwoInstances_RevokedCertificateOnOne_RefusedByTheOther_OnTheNextRequest()
    {
        await using var server = await OqsServer.StartAsync(provider);
        await using var second = await OqsInstance.StartAsync(server);
        using var two = second.Client(server.Demo.Terminal, new CookieContainer());
        var admin = server.Account("admin");
        (await two.LoginAsync(admin.UserId, admin.Password)).Path.ShouldBe("/Menu");

        await using (var scope = server.App.Services.CreateAsyncScope())
        {
            (await scope.ServiceProvider.GetRequiredService<TerminalCertificateService>().RevokeAsync(server.Demo.Terminal.Serial, "test", Ct))
                .Succeeded.ShouldBeTrue();
        }

        var page = await two.GetAsync("/Menu");
        page.Status.ShouldBe(HttpStatusCode.Forbidden);
        page.H1.ShouldBe(CertificateMessages.Describe(CertificateCheckStatus.Revoked).Title);
    }

    [Fact]
    public async Task TwoInstances_ShareOneKeyRing_AKeyMadeByOneAfterTheOtherStarted_IsFoundByRefreshing()
    {
        await using var server = await OqsServer.StartAsync(provider);
        await using var second = await OqsInstance.StartAsync(server);
        var purpose = "scale-test";
        var one = server.App.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(purpose);
        var two = second.App.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(purpose);

        // One ring: the second instance has no key files and created no key of its own.
        two.Unprotect(one.Protect("一つ目")).ShouldBe("一つ目");
        one.Unprotect(two.Protect("二つ目")).ShouldBe("二つ目");
        (await server.WithDbAsync(db => db.DataProtectionKeys.CountAsync(Ct))).ShouldBe(1);

        // Past Data Protection's own two minutes of refreshing on unknown keys after a start (set here instead of waited for).
        var ringProvider = second.App.Services.GetRequiredService<IKeyRingProvider>();
        var window = ringProvider.GetType().GetProperty("AutoRefreshWindowEnd", BindingFlags.Instance | BindingFlags.NonPublic)
            .ShouldNotBeNull("KeyRingProvider.AutoRefreshWindowEnd (internal) moved: adapt this test");
        window.SetValue(ringProvider, DateTime.UtcNow.AddSeconds(-1));

        // Instance 1 replaces the ring's key (revoke, then a new key); instance 2 has only ever seen the old one.
        server.App.Services.GetRequiredService<IKeyManager>().RevokeAllKeys(DateTimeOffset.UtcNow, "scale-test");
        var made = one.Protect("新しい鍵で");
        (await server.WithDbAsync(db => db.DataProtectionKeys.CountAsync(k => k.FriendlyName.StartsWith("key-"), Ct))).ShouldBe(2);
        await Task.Delay(1100, Ct); // the refresh is at most once a second per instance

        two.Unprotect(made).ShouldBe("新しい鍵で");
    }

    // ---- the key ring in the database -------------------------------------------------------------------------------

    [Fact]
    public async Task KeyRing_TwoInstancesStartingTogetherOnAnEmptyRing_CreateOneKey_LegacyFilesImportedOnce()
    {
        await using var db = await TestDatabase.CreateAsync(provider, Ct);
        var masterKey = MasterKey.Generate();

        // A data directory of the previous version: its key ring in DATA/keys (one key, encrypted under the master key).
        var legacy = Directory.CreateTempSubdirectory("onshi-dp-legacy-").FullName;
        string legacyPayload;
        using (var files = Provider(legacy, masterKey, db, keysInDatabase: false))
        {
            legacyPayload = files.GetRequiredService<IDataProtectionProvider>().CreateProtector("t").Protect("前の版の控え");
        }

        var keyFile = Directory.GetFiles(OnshiDataProtection.KeysDirectory(legacy), "*.xml").ShouldHaveSingleItem();
        var fileContent = await File.ReadAllTextAsync(keyFile, Ct);
        try
        {
            // Ten instances on an empty database ring, all at once (one of them with the legacy directory).
            var empty = Directory.CreateTempSubdirectory("onshi-dp-empty-").FullName;
            var instances = Enumerable.Range(0, 10).Select(i => Provider(i == 0 ? legacy : empty, masterKey, db, keysInDatabase: true)).ToList();
            await Task.WhenAll(instances.Select(p => Task.Run(() => OnshiDataProtection.EnsureKeyRing(p), Ct)));

            await using (var context = db.CreateDbContext())
            {
                var rows = await context.DataProtectionKeys.AsNoTracking().ToListAsync(Ct);
                rows.Count.ShouldBeLessThanOrEqualTo(2, "the legacy key and at most one new one");
                rows.ShouldContain(r => r.FriendlyName == Path.GetFileNameWithoutExtension(keyFile));
                rows.ShouldAllBe(r => r.Xml.Contains(OnshiXmlEncryptor.ElementName) && !r.Xml.Contains("<masterKey"));
            }

            // Every instance opens what every other made, and what the previous version made.
            var payloads = instances.Select((p, i) => p.GetRequiredService<IDataProtectionProvider>().CreateProtector("t").Protect($"#{i}")).ToList();
            foreach (var p in instances)
            {
                var protector = p.GetRequiredService<IDataProtectionProvider>().CreateProtector("t");
                payloads.Select(protector.Unprotect).ShouldBe(payloads.Select((_, i) => $"#{i}"));
                protector.Unprotect(legacyPayload).ShouldBe("前の版の控え");
            }

            // A second start imports nothing again; the file is left as it was.
            using (var again = Provider(legacy, masterKey, db, keysInDatabase: true))
            {
                OnshiDataProtection.EnsureKeyRing(again);
                again.GetRequiredService<DbXmlRepository>().ImportedFiles.ShouldBe(0);
            }

            instances[0].GetRequiredService<DbXmlRepository>().ImportedFiles.ShouldBe(1);
            (await File.ReadAllTextAsync(keyFile, Ct)).ShouldBe(fileContent);
            foreach (var p in instances)
            {
                p.Dispose();
            }

            Directory.Delete(empty, recursive: true);
        }
        finally
        {
            Directory.Delete(legacy, recursive: true);
        }
    }

    [Fact]
    public async Task KeyRing_MasterKeyRotation_RewrapsTheDatabaseRows_SameKeysInside()
    {
        await using var db = await TestDatabase.CreateAsync(provider, Ct);
        var directory = Directory.CreateTempSubdirectory("onshi-dp-rotate-").FullName;
        var oldKey = MasterKey.Generate("old");
        var newKey = MasterKey.Generate("new");
        try
        {
            MasterKey.WriteMarker(directory, oldKey);
            string payload;
            using (var before = Provider(directory, oldKey, db, keysInDatabase: true))
            {
                payload = before.GetRequiredService<IDataProtectionProvider>().CreateProtector("t").Protect("ユーザ設定情報");
            }

            await using (var context = db.CreateDbContext())
            {
                var result = await MasterKeyRotation.RotateAsync(directory, oldKey, newKey, context, Ct);
                result.KeyRows.ShouldBe(1);
                (await context.DataProtectionKeys.AsNoTracking().SingleAsync(Ct)).Xml.ShouldContain($"masterKeyId=\"{newKey.KeyId}\"");
            }

            using (var after = Provider(directory, newKey, db, keysInDatabase: true))
            {
                after.GetRequiredService<IDataProtectionProvider>().CreateProtector("t").Unprotect(payload).ShouldBe("ユーザ設定情報");
            }

            using var stale = Provider(directory, oldKey, db, keysInDatabase: true);
            Should.Throw<Exception>(() => stale.GetRequiredService<IDataProtectionProvider>().CreateProtector("t").Unprotect(payload));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static ServiceProvider Provider(string dataDirectory, MasterKey masterKey, TestDatabase db, bool keysInDatabase)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContext<OnshiDbContext>(o => TestDatabase.Configure((DbContextOptionsBuilder<OnshiDbContext>)o, db.Provider, db.ConnectionString));
        services.AddOnshiDataProtection(dataDirectory, masterKey, keysInDatabase);
        return services.BuildServiceProvider();
    }

    private static void TrustLoopback(IServiceCollection services) =>
        services.Configure<TrustedProxyOptions>(o => o.TrustedProxies.Add("127.0.0.1"));

    /// <summary>Sets the proxy's headers on every request of <paramref name="client"/>, as nginx would for <paramref name="terminal"/>.</summary>
    private static void Forward(OqsClient client, DemoTerminal terminal, string verify)
    {
        var headers = client.Http.DefaultRequestHeaders;
        headers.Add(ForwardedHeadersGate.ClientCertHeader, Uri.EscapeDataString(File.ReadAllText(terminal.CertPem)));
        headers.Add(ForwardedHeadersGate.ClientVerifyHeader, verify);
        headers.Add(ForwardedHeadersGate.ForwardedForHeader, ClientAddress);
        headers.Add(ForwardedHeadersGate.ForwardedProtoHeader, "https");
    }

    private static Task<List<AuditEntry>> AuditAsync(OqsServer server, string action) =>
        server.WithDbAsync(db => db.AuditEntries.AsNoTracking().Where(a => a.Action == action).OrderBy(a => a.Id).ToListAsync(Ct));
}

public sealed class ScaleOutTestsSqlite() : ScaleOutTests(TestDatabase.Sqlite);

public sealed class ScaleOutTestsPostgres() : ScaleOutTests(TestDatabase.Postgres);
