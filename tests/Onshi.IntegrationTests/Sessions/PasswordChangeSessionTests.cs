using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Operators;
using Onshi.Core.Features.Passwords;
using Onshi.Core.Features.Sessions;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Operator;
using Onshi.IntegrationTests.Oqs;
using Shouldly;

namespace Onshi.IntegrationTests.Sessions;

/// <summary>
/// Changing one's own password ends one's other sessions and keeps the one that changed it (ASVS 7.4.3), on the OQS
/// (《パスワード変更》 and the forced change after a temporary password) and the operator console, each end audited
/// with its reason; and operators get the OQS's password history (6.2.3). On each database.
/// </summary>
public sealed class PasswordChangeSessionTests
{
    private const string NewPassword = "Henkou-Go-no-Pass-2026!";

    public static TheoryData<string> Providers => TestDatabase.Providers;

    /// <summary>
    /// Several live sessions of one account, as a deployment with <see cref="SessionOptions.OneLiveSessionPerAccount"/> off
    /// (or two logins racing) has them: what a change of one's own password must end.
    /// </summary>
    private static void SeveralSessions(IServiceCollection services) =>
        services.Configure<SessionOptions>(o => o.OneLiveSessionPerAccount = false);

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Oqs_OwnPasswordChange_EndsTheOtherSessions_Audited_ThisOneGoesOn(string provider)
    {
        await using var server = await OqsServer.StartAsync(provider, SeveralSessions);
        var master = server.Account("master");
        var admin = server.Account("admin");
        using var here = server.Client(server.Demo.Terminal);
        using var elsewhere1 = server.Client(server.Demo.Terminal);
        using var elsewhere2 = server.Client(server.Demo.Terminal);
        using var someoneElse = server.Client(server.Demo.Terminal);
        foreach (var c in new[] { here, elsewhere1, elsewhere2 })
        {
            (await c.LoginAsync(master.UserId, master.Password)).Path.ShouldBe("/Menu");
        }

        (await someoneElse.LoginAsync(admin.UserId, admin.Password)).Path.ShouldBe("/Menu");
        var stampBefore = (await server.AccountRowAsync(master.UserId)).SecurityStamp;

        var changed = await here.ChangePasswordAsync(master.Password, NewPassword);

        changed.Text.ShouldContain("パスワードを変更しました。");
        changed.Text.ShouldContain("ほかの端末でのログイン（2件）を終了しました。");
        (await here.GetAsync("/Menu")).Path.ShouldBe("/Menu");
        (await elsewhere1.GetAsync("/Menu")).Path.ShouldBe("/Login");
        (await elsewhere2.GetAsync("/Accounts")).Path.ShouldBe("/Login");
        (await someoneElse.GetAsync("/Menu")).Path.ShouldBe("/Menu");

        (await server.AccountRowAsync(master.UserId)).SecurityStamp.ShouldNotBe(stampBefore);
        var sessions = await server.WithDbAsync(db => db.LoginSessions.AsNoTracking().Where(s => s.Account!.UserId == master.UserId).ToListAsync());
        sessions.Count(s => s.EndedAt == null).ShouldBe(1);
        sessions.Where(s => s.EndedAt != null).Select(s => s.EndReason).ShouldBe([SessionEndReasons.PasswordChanged, SessionEndReasons.PasswordChanged]);
        var ends = await AuditAsync(server, AuditActions.SessionEnd);
        ends.Where(a => a.Actor == master.UserId).Select(a => a.Detail).ShouldBe([SessionEndReasons.PasswordChanged, SessionEndReasons.PasswordChanged]);
        ends.ShouldNotContain(a => a.Actor == admin.UserId);
        var change = (await AuditAsync(server, AuditActions.PasswordChange)).ShouldHaveSingleItem();
        change.Outcome.ShouldBe(AuditOutcomes.Success);
        change.Id.ShouldBeLessThan(ends.Min(a => a.Id));

        // The other terminals log in again, with the new password only.
        (await elsewhere1.LoginAsync(master.UserId, master.Password)).Path.ShouldBe("/Login");
        (await elsewhere1.LoginAsync(master.UserId, NewPassword)).Path.ShouldBe("/Menu");
        (await here.GetAsync("/Menu")).Path.ShouldBe("/Menu");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Oqs_ForcedFirstChange_EndsTheOtherSessions_ThisOneGoesOn(string provider)
    {
        await using var server = await OqsServer.StartAsync(provider, SeveralSessions);
        var master = server.Account("master");
        var admin = server.Account("admin");
        using var masterClient = server.Client(server.Demo.Terminal);
        await masterClient.LoginAsync(master.UserId, master.Password);
        var result = await masterClient.InitializePasswordAsync(await masterClient.OpenDetailAsync(await masterClient.SearchAsync("管理者"), admin.UserId));
        var temporary = result.IssuedPassword();

        using var first = server.Client(server.Demo.Terminal);
        using var second = server.Client(server.Demo.Terminal);
        (await first.LoginAsync(admin.UserId, temporary)).Path.ShouldBe("/ChangePassword");
        (await second.LoginAsync(admin.UserId, temporary)).Path.ShouldBe("/ChangePassword");

        var changed = await first.ChangePasswordAsync(temporary, NewPassword);

        changed.Text.ShouldContain("パスワードを変更しました。");
        changed.Text.ShouldContain("ほかの端末でのログイン（1件）を終了しました。");
        (await first.GetAsync("/Accounts")).Path.ShouldBe("/Accounts");
        (await second.GetAsync("/ChangePassword")).Path.ShouldBe("/Login");
        (await AuditAsync(server, AuditActions.SessionEnd)).Where(a => a.Actor == admin.UserId).Select(a => a.Detail)
            .ShouldBe([SessionEndReasons.PasswordChanged]);
        (await masterClient.GetAsync("/Menu")).Path.ShouldBe("/Menu");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Console_OwnPasswordChange_EndsTheOtherSessions_Audited_ThisOneGoesOn(string provider)
    {
        await using var server = await OperatorServer.StartAsync(provider);
        var (userId, password) = await server.ReadyOperatorAsync(OperatorRole.Supervisor);
        var (otherId, otherPassword) = await server.ReadyOperatorAsync(OperatorRole.Reviewer);
        using var here = server.Client();
        using var elsewhere = server.Client();
        using var someoneElse = server.Client();
        (await here.OperatorLoginAsync(userId, password)).Path.ShouldBe("/");
        (await elsewhere.OperatorLoginAsync(userId, password)).Path.ShouldBe("/");
        (await someoneElse.OperatorLoginAsync(otherId, otherPassword)).Path.ShouldBe("/");

        var changed = await ChangeConsolePasswordAsync(here, password, NewPassword);

        changed.Text.ShouldContain("パスワードを変更しました。");
        changed.Text.ShouldContain("ほかのブラウザでのログイン（1件）を終了しました。");
        (await here.GetAsync("/Audit")).Path.ShouldBe("/Audit");
        (await elsewhere.GetAsync("/")).Path.ShouldBe("/Login");
        (await someoneElse.GetAsync("/")).Path.ShouldBe("/");
        var ends = await AuditAsync(server, OperatorAuditActions.SessionEnd);
        ends.Where(a => a.Actor == OperatorAudit.Actor(userId)).Select(a => a.Detail).ShouldBe([OperatorSessionEndReasons.PasswordChanged]);
        ends.ShouldNotContain(a => a.Actor == OperatorAudit.Actor(otherId));
        var rows = await server.WithDbAsync(db => db.SiteSessions.AsNoTracking().Where(s => s.Site == Sites.Operator).ToListAsync());
        rows.Count(s => s.EndedAt == null).ShouldBe(2);
        rows.Where(s => s.EndedAt != null).Select(s => s.EndReason).ShouldBe([OperatorSessionEndReasons.PasswordChanged]);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Console_PasswordHistory_CurrentAndTwoPreviousRefusedInJapanese_NothingChanged_ThenTheFourthBackIsAllowed(string provider)
    {
        await using var server = await OperatorServer.StartAsync(provider);
        var (userId, ready) = await server.ReadyOperatorAsync(OperatorRole.CallCenter);
        const string p1 = "Madoguchi-Ichi-2026!";
        const string p2 = "Madoguchi-Ni-2026!";
        const string p3 = "Madoguchi-San-2026!";
        const string p4 = "Madoguchi-Yon-2026!";
        using var client = server.Client();
        (await client.OperatorLoginAsync(userId, ready)).Path.ShouldBe("/");
        (await ChangeConsolePasswordAsync(client, ready, p1)).Text.ShouldContain("パスワードを変更しました。");
        (await ChangeConsolePasswordAsync(client, p1, p2)).Text.ShouldContain("パスワードを変更しました。");
        (await ChangeConsolePasswordAsync(client, p2, p3)).Text.ShouldContain("パスワードを変更しました。");
        var before = await OperatorRowAsync(server, userId);
        (await HistoryCountAsync(server, before.Id)).ShouldBe(2);

        var reused = PasswordErrors.Reused(3).Message;
        (await ChangeConsolePasswordAsync(client, p3, p1)).Errors.ShouldContain(reused);
        (await ChangeConsolePasswordAsync(client, p3, p2)).Errors.ShouldContain(reused);
        (await ChangeConsolePasswordAsync(client, p3, p3)).Errors.ShouldContain(OperatorErrors.SameAsCurrent.Message);

        var after = await OperatorRowAsync(server, userId);
        after.PasswordHash.ShouldBe(before.PasswordHash);
        after.SecurityStamp.ShouldBe(before.SecurityStamp);
        after.AccessFailedCount.ShouldBe(0);
        (await HistoryCountAsync(server, before.Id)).ShouldBe(2);
        (await client.GetAsync("/")).Path.ShouldBe("/");

        // p4 pushes p1 out of the last three, so p1 may come back; only HistoryCount − 1 old hashes are ever kept.
        (await ChangeConsolePasswordAsync(client, p3, p4)).Text.ShouldContain("パスワードを変更しました。");
        (await ChangeConsolePasswordAsync(client, p4, p1)).Text.ShouldContain("パスワードを変更しました。");
        (await HistoryCountAsync(server, before.Id)).ShouldBe(2);
        using var again = server.Client();
        (await again.OperatorLoginAsync(userId, p1)).Path.ShouldBe("/");
    }

    private static Task<int> HistoryCountAsync(OperatorServer server, long operatorId) =>
        server.WithDbAsync(db => db.OperatorPasswordHistory.CountAsync(h => h.OperatorAccountId == operatorId));

    private static async Task<OqsPage> ChangeConsolePasswordAsync(OqsClient client, string current, string next)
    {
        var form = await client.GetAsync("/ChangePassword");
        form.H1.ShouldBe("パスワード変更");
        return await client.SubmitAsync(form, "main form", new Dictionary<string, string>
        {
            ["Input.CurrentPassword"] = current,
            ["Input.NewPassword"] = next,
            ["Input.ConfirmPassword"] = next,
        });
    }

    private static Task<OperatorAccount> OperatorRowAsync(OperatorServer server, string userId) =>
        server.WithDbAsync(db => db.OperatorAccounts.AsNoTracking().SingleAsync(o => o.UserId == userId));

    private static Task<List<AuditEntry>> AuditAsync(OqsServer server, string action) =>
        server.WithDbAsync(db => db.AuditEntries.AsNoTracking().Where(a => a.Action == action).OrderBy(a => a.Id).ToListAsync());

    private static Task<List<AuditEntry>> AuditAsync(OperatorServer server, string action) =>
        server.WithDbAsync(db => db.AuditEntries.AsNoTracking().Where(a => a.Action == action).OrderBy(a => a.Id).ToListAsync());
}
