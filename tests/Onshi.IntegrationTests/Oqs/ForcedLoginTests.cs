using System.Net;
using Microsoft.EntityFrameworkCore;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Login;
using Onshi.Core.Features.Sessions;
using Onshi.Oqs.Pages;
using Shouldly;

namespace Onshi.IntegrationTests.Oqs;

/// <summary>
/// 強制ログイン (SPEC §4.8): one live session per account. A second login asks before it ends the first; OK ends it (the
/// first browser's login page says why), キャンセル changes nothing; both answers are audited. Machine accounts are exempt.
/// </summary>
public abstract class ForcedLoginTests(string provider) : IAsyncLifetime
{
    private OqsServer server = null!;

    public async ValueTask InitializeAsync() => server = await OqsServer.StartAsync(provider);

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    private OqsClient Terminal() => server.Client(server.Demo.Terminal);

    private Task<List<AuditEntry>> AuditAsync(string action, string target) =>
        server.WithDbAsync(db => db.AuditEntries.AsNoTracking().Where(a => a.Action == action && a.Target == target).OrderBy(a => a.Id).ToListAsync());

    [Fact]
    public async Task SecondLogin_AsksFirst_OkEndsTheOtherSession_WhichIsToldWhy()
    {
        var admin = server.Account("admin");
        using var first = Terminal();
        using var second = Terminal();
        (await first.LoginAsync(admin.UserId, admin.Password)).Path.ShouldBe("/Menu");

        var question = await second.LoginAsync(admin.UserId, admin.Password);

        question.Path.ShouldBe("/Login");
        question.Q("[data-testid=forced-login]").ShouldNotBeNull().TextContent.ShouldContain(LoginResult.AlreadyInUseQuestion);
        question.Html.ShouldNotContain(admin.Password);
        (await first.GetAsync("/Menu")).Path.ShouldBe("/Menu");

        var menu = await second.SubmitAsync(question, "form[action*='handler=Force']");

        menu.Path.ShouldBe("/Menu");
        var ended = await first.GetAsync("/Menu");
        ended.Path.ShouldBe("/Login");
        ended.Text.ShouldContain(LoginModel.ForcedOutNotice);
        (await second.GetAsync("/Menu")).Path.ShouldBe("/Menu");

        var logins = await AuditAsync(AuditActions.Login, admin.UserId);
        logins.ShouldContain(a => a.Outcome == AuditOutcomes.Failure && a.Detail == "already-in-use");
        logins.ShouldContain(a => a.Outcome == AuditOutcomes.Success && a.Detail == "forced");
        (await AuditAsync(AuditActions.SessionEnd, admin.UserId)).ShouldContain(a => a.Detail == SessionEndReasons.ForcedLogin);
        (await server.WithDbAsync(db => db.LoginSessions.CountAsync(s => s.Account!.UserId == admin.UserId && s.EndedAt == null))).ShouldBe(1);
    }

    [Fact]
    public async Task SecondLogin_Cancel_ChangesNothing_AndIsAudited()
    {
        var admin = server.Account("admin");
        using var first = Terminal();
        using var second = Terminal();
        await first.LoginAsync(admin.UserId, admin.Password);
        var question = await second.LoginAsync(admin.UserId, admin.Password);

        var back = await second.SubmitAsync(question, "form[action*='handler=Cancel']");

        back.Path.ShouldBe("/Login");
        back.Q("[data-testid=forced-login]").ShouldBeNull();
        (await second.GetAsync("/Menu")).Path.ShouldBe("/Login");
        (await first.GetAsync("/Menu")).Path.ShouldBe("/Menu");
        (await AuditAsync(AuditActions.Login, admin.UserId)).ShouldContain(a => a.Detail == "forced-login-cancelled");
    }

    [Fact]
    public async Task ForceToken_IsUsedOnce_AndOnlyFromTheTerminalThatAsked()
    {
        var admin = server.Account("admin");
        using var first = Terminal();
        using var second = Terminal();
        await first.LoginAsync(admin.UserId, admin.Password);
        var question = await second.LoginAsync(admin.UserId, admin.Password);
        var token = question.Q("[data-testid=forced-login] input[name=token]").ShouldNotBeNull().GetAttribute("value")!;

        (await second.SubmitAsync(question, "form[action*='handler=Force']")).Path.ShouldBe("/Menu");

        // The same answer again (a double submit, the back button): refused, the session it started stays.
        var again = await second.PostAsync("/Login?handler=Force", [new("token", token), new("__af", Antiforgery(await second.GetAsync("/Login")))]);
        again.Text.ShouldContain(LoginResult.ForcedLoginExpiredMessage);
        (await second.GetAsync("/Menu")).Path.ShouldBe("/Menu");

        // From another institution's terminal the token names nothing.
        using var other = server.Client(server.Demo.OtherInstitution.Terminal);
        var otherLogin = await other.GetAsync("/Login");
        var foreign = await other.PostAsync("/Login?handler=Force", [new("token", token), new("__af", Antiforgery(otherLogin))]);
        foreign.Text.ShouldContain(LoginResult.ForcedLoginExpiredMessage);
    }

    [Fact]
    public async Task LoginAgain_InTheSameBrowser_DoesNotAsk()
    {
        var admin = server.Account("admin");
        using var client = Terminal();
        await client.LoginAsync(admin.UserId, admin.Password);

        // The login page again in the same browser (its session still live): no question, the old session ends.
        var form = await client.GetAsync("/Login");
        var again = await client.SubmitAsync(form, "main form", new Dictionary<string, string>
        {
            ["Input.UserId"] = admin.UserId,
            ["Input.Password"] = admin.Password,
        });
        again.Path.ShouldBe("/Menu");
        (await server.WithDbAsync(db => db.LoginSessions.CountAsync(s => s.Account!.UserId == admin.UserId && s.EndedAt == null))).ShouldBe(1);
    }

    [Fact]
    public async Task MachineAccount_HoldsNoBrowserSession_IsNotAsked()
    {
        var master = server.Account("master");
        using var masterClient = Terminal();
        await masterClient.LoginAsync(master.UserId, master.Password);
        await server.WithDbAsync(db => db.Accounts.Where(a => a.UserId == server.Account("general").UserId)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Kind, AccountKind.WebApi)));
        var general = server.Account("general");
        using var first = Terminal();
        using var second = Terminal();
        (await first.LoginAsync(general.UserId, general.Password)).Status.ShouldBe(HttpStatusCode.OK);

        var page = await second.LoginAsync(general.UserId, general.Password);

        page.Q("[data-testid=forced-login]").ShouldBeNull();
    }

    private static string Antiforgery(OqsPage page) =>
        page.Q("input[name=__af]").ShouldNotBeNull().GetAttribute("value")!;
}

public sealed class ForcedLoginTestsSqlite() : ForcedLoginTests("sqlite");

public sealed class ForcedLoginTestsPostgres() : ForcedLoginTests("postgres");
