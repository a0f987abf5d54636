using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.PortalAccounts;
using Onshi.IntegrationTests.Infrastructure;
using Shouldly;

namespace Onshi.IntegrationTests.Portal;

/// <summary>
/// Issue 14, 15: 新規登録 takes the login throttle's slots per client address and per e-mail address before the password is
/// hashed (past either cap: a Japanese message, nothing stored, no mail, the refusal summarised in the 操作ログ), and the
/// session sweep deletes registrations whose verification link expired unused.
/// </summary>
public abstract class PortalRegistrationLimitsTests(string provider)
{
    private const string Throttled = "新規登録のお申し込みが続いたため、受付を一時的に制限しています。";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void Options(IServiceCollection services)
    {
        services.Configure<PortalAccountOptions>(o =>
        {
            o.MaxRegistrationsPerAddress = 4;
            o.MaxRegistrationsPerRecipient = 2;
        });

        // The tests sweep themselves: the background sweeper (on the fake clock) would race them.
        services.Configure<Onshi.Core.Features.Sessions.SessionOptions>(o => o.SweepInterval = TimeSpan.FromDays(1));
    }

    [Fact]
    public async Task Register_PastTheCapPerAddressOrPerRecipient_RefusedInJapanese_NothingStoredOrMailed()
    {
        await using var server = await PortalServer.StartAsync(provider, configureServices: Options);
        using var client = server.Client();

        // One recipient: twice answered (a row, then the already-registered notice), the third time refused.
        (await client.RegisterAsync("same@clinic.example.jp")).H1.ShouldBe("確認メールを送信しました");
        (await client.RegisterAsync("same@clinic.example.jp")).H1.ShouldBe("確認メールを送信しました");
        var third = await client.RegisterAsync("same@clinic.example.jp");
        third.H1.ShouldBe("新規登録");
        third.Errors.ShouldContain(e => e.Contains(Throttled, StringComparison.Ordinal));
        server.Mails().Count(m => m.To == "same@clinic.example.jp").ShouldBe(2);

        // One client address: two more new addresses fill its cap of 4; the next new address is refused and not stored.
        (await client.RegisterAsync("one@clinic.example.jp")).H1.ShouldBe("確認メールを送信しました");
        (await client.RegisterAsync("two@clinic.example.jp")).H1.ShouldBe("確認メールを送信しました");
        var refused = await client.RegisterAsync("three@clinic.example.jp");
        refused.Errors.ShouldContain(e => e.Contains(Throttled, StringComparison.Ordinal));
        (await server.UsersAsync("three@clinic.example.jp")).ShouldBeEmpty();
        server.Mails().ShouldNotContain(m => m.To == "three@clinic.example.jp");

        // The refusals are audited, summarised per address (one row now, the count with the next one).
        var denied = (await server.AuditAsync(PortalAuditActions.Register)).Where(a => a.Detail == "throttled").ToList();
        denied.ShouldHaveSingleItem().Outcome.ShouldBe(AuditOutcomes.Denied);

        // After the window the address may register again.
        server.Time.Advance(TimeSpan.FromMinutes(16));
        (await client.RegisterAsync("three@clinic.example.jp")).H1.ShouldBe("確認メールを送信しました");
        (await server.UsersAsync("three@clinic.example.jp")).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task Unverified_AfterItsLinkExpired_IsSwept_Audited_AddressMayRegisterAgain_VerifiedKept()
    {
        await using var server = await PortalServer.StartAsync(provider, configureServices: Options);
        using var client = server.Client();
        (await client.RegisterAsync("late@clinic.example.jp")).H1.ShouldBe("確認メールを送信しました");
        var oldLink = server.LinkOf(server.LastMailTo("late@clinic.example.jp"));
        await server.RegisterVerifiedAsync("kept@clinic.example.jp");

        // Not before the link expires (24 hours).
        server.Time.Advance(TimeSpan.FromHours(23));
        await SweepAsync(server);
        (await server.UsersAsync("late@clinic.example.jp")).ShouldHaveSingleItem();

        server.Time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));
        await SweepAsync(server);

        (await server.UsersAsync("late@clinic.example.jp")).ShouldBeEmpty();
        (await server.UsersAsync("kept@clinic.example.jp")).ShouldHaveSingleItem().EmailConfirmed.ShouldBeTrue();
        var purge = (await server.AuditAsync(PortalAuditActions.UnverifiedPurge)).ShouldHaveSingleItem();
        purge.Detail.ShouldBe("rows=1");
        purge.Actor.ShouldBe("system");
        (await client.GetAsync(oldLink)).H1.ShouldNotBe("メールアドレスの確認が完了しました");

        // The address registers anew: a new row and a new verification link that works.
        (await client.RegisterAsync("late@clinic.example.jp")).H1.ShouldBe("確認メールを送信しました");
        var again = server.LastMailTo("late@clinic.example.jp");
        again.Subject.ShouldBe("【医療機関等向け総合ポータルサイト】メールアドレスの確認");
        (await client.GetAsync(server.LinkOf(again))).H1.ShouldBe("メールアドレスの確認が完了しました");
        await SweepAsync(server);
        (await server.AuditAsync(PortalAuditActions.UnverifiedPurge)).Count.ShouldBe(1);
    }

    private static async Task SweepAsync(PortalServer server)
    {
        await using var scope = server.App.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<Onshi.Core.Features.Sessions.SessionSweep>().SweepAsync(Ct);
    }
}

public sealed class PortalRegistrationLimitsTestsSqlite() : PortalRegistrationLimitsTests(TestDatabase.Sqlite);

public sealed class PortalRegistrationLimitsTestsPostgres() : PortalRegistrationLimitsTests(TestDatabase.Postgres);
