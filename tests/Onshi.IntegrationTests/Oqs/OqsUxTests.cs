using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Login;
using Shouldly;

namespace Onshi.IntegrationTests.Oqs;

/// <summary>
/// Issue 14, items 4, 5, 8 and 9, as a user at the terminal meets them, without JavaScript, on each database: the login
/// failure that is true for a locked account, the master's way back from an expired initial password, the OQS navigation
/// and the メニュー worth seeing after login.
/// </summary>
public abstract class OqsUxTests(string provider) : IAsyncLifetime
{
    private OqsServer server = null!;

    public async ValueTask InitializeAsync() => server = await OqsServer.StartAsync(provider);

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    private OqsClient Terminal() => server.Client(server.Demo.Terminal);

    private Task<int> SaveAsync(string userId, Action<Account> change) => server.WithDbAsync(async db =>
    {
        var normalized = userId.ToUpperInvariant();
        change(await db.Accounts.SingleAsync(a => a.NormalizedUserId == normalized));
        return await db.SaveChangesAsync();
    });

    // ---- Item 4 ----

    [Fact]
    public async Task Login_LockedAccountWithTheRightPassword_GetsTheOneMessage_WhichSaysLockedAndForHowLong()
    {
        using var client = Terminal();
        var general = server.Account("general");
        for (var i = 0; i < 5; i++)
        {
            await client.LoginAsync(general.UserId, "Wrong-pass-" + i);
        }

        var locked = await client.LoginAsync(general.UserId, general.Password);
        var wrong = await client.LoginAsync(server.Account("admin").UserId, "Wrong-pass-x");
        var unknown = await client.LoginAsync("NOSUCHUSER", "Wrong-pass-x");

        locked.Path.ShouldBe("/Login");
        locked.Errors.ShouldBe(wrong.Errors);
        locked.Errors.ShouldBe(unknown.Errors);
        var message = locked.Errors.Single();
        message.ShouldBe(LoginResult.GenericFailureMessage(new LoginOptions()));
        message.ShouldContain("ユーザIDまたはパスワードが正しくないか、アカウントがロックされているか無効になっています。");
        message.ShouldContain("5回続けて誤るとアカウントは30分間ロックされ");
    }

    [Fact]
    public async Task Login_FailureMessage_TakesTheLockFromTheOptions()
    {
        await using var custom = await OqsServer.StartAsync(provider, s => s.Configure<LoginOptions>(o =>
        {
            o.MaxFailedAccessAttempts = 3;
            o.LockoutDuration = TimeSpan.FromMinutes(90);
        }));
        using var client = custom.Client(custom.Demo.Terminal);

        var page = await client.LoginAsync("NOSUCHUSER", "Wrong-pass-x");

        page.Errors.Single().ShouldContain("3回続けて誤るとアカウントは1時間30分間ロックされ");
        page.Q("[data-testid=lockout-help]").ShouldNotBeNull().TextContent.ShouldContain("1時間30分間");
    }

    [Fact]
    public async Task LoginHelp_ListsLockout_WithWhoUnlocksEachKind()
    {
        using var client = Terminal();

        var login = await client.GetAsync("/Login");

        var help = login.Q("section[aria-labelledby=trouble] [data-testid=lockout-help]").ShouldNotBeNull().TextContent;
        help.ShouldContain("アカウントがロックされた場合");
        help.ShouldContain("30分間が過ぎると自動的に解除されます");
        help.ShouldContain("マスタアカウント（または管理アカウント）の利用者が");
        help.ShouldContain("マスタアカウントリセット用アカウントでログインし、マスタアカウントのアカウント情報で「ロック解除」");
        help.ShouldContain("時間が経っても解除されません");
        help.ShouldContain("0800-080-4583");
    }

    [Fact]
    public async Task AccountInformation_OfALockedAccount_ShowsWhenTheLockEnds_InJst()
    {
        var general = server.Account("general");
        var until = new DateTime(2099, 4, 1, 3, 30, 0, DateTimeKind.Utc);
        await SaveAsync(general.UserId, a => a.LockoutEnd = until);
        await SaveAsync(server.Account("reset").UserId, a => a.LockoutEnd = DateTime.MaxValue);
        using var client = Terminal();
        var master = server.Account("master");
        await client.LoginAsync(master.UserId, master.Password);

        var detail = await client.OpenDetailAsync(await client.SearchAsync("一般"), general.UserId);
        var reset = await client.OpenDetailAsync(await client.SearchAsync("全て", server.Account("reset").UserId), server.Account("reset").UserId);
        var admin = await client.OpenDetailAsync(await client.SearchAsync("管理者"), server.Account("admin").UserId);

        detail.Q("[data-testid=lock-end]").ShouldNotBeNull().TextContent.ShouldBe("2099/04/01 12:30に自動的に解除されます（「ロック解除」で今すぐ解除できます）");
        reset.Q("[data-testid=lock-end]").ShouldNotBeNull().TextContent.ShouldContain("自動では解除されません");
        admin.Q("[data-testid=lock-end]").ShouldBeNull();
    }

    // ---- Item 5 ----

    [Fact]
    public async Task Master_WhoseInitialPasswordExpired_IsSentToTheResetAccount_OthersToTheirMaster()
    {
        var master = server.Account("master");
        var admin = server.Account("admin");
        var past = server.Time.GetUtcNow().UtcDateTime.AddDays(-1);
        await SaveAsync(master.UserId, a => (a.MustChangePassword, a.PasswordExpiresAt, a.LastLoginAt) = (true, past, null));
        await SaveAsync(admin.UserId, a => (a.MustChangePassword, a.PasswordExpiresAt, a.LastLoginAt) = (true, past, past));
        using var client = Terminal();

        var masterPage = await client.LoginAsync(master.UserId, master.Password);
        var adminPage = await client.LoginAsync(admin.UserId, admin.Password);

        var toMaster = masterPage.Errors.Single();
        toMaster.ShouldStartWith("初期パスワードの有効期限が切れています。");
        toMaster.ShouldContain("マスタアカウントリセット用アカウント");
        toMaster.ShouldContain("秘密の番号");
        toMaster.ShouldNotContain("管理者またはマスタアカウントの利用者");
        var toAdmin = adminPage.Errors.Single();
        toAdmin.ShouldStartWith("初期化後のパスワードの有効期限が切れています。");
        toAdmin.ShouldContain("管理者またはマスタアカウントの利用者に");
    }

    // ---- Item 8 ----

    [Fact]
    public async Task EveryPageOfTheMenu_LeadsBackToTheMenu_ByItsBreadcrumb()
    {
        using var client = Terminal();
        var master = server.Account("master");
        var menu = await client.LoginAsync(master.UserId, master.Password);
        var hrefs = menu.MenuGroups().SelectMany(g => g.Items).Select(i => i.Href).ToList();
        hrefs.ShouldNotBeEmpty();
        var detail = await client.OpenDetailAsync(await client.SearchAsync("管理者"), server.Account("admin").UserId);
        var init = await client.GetAsync(detail.Document.QuerySelectorAll("a.button").Single(a => a.TextContent.Trim() == "パスワード初期化").GetAttribute("href")!);

        var pages = new List<OqsPage> { detail, init };
        foreach (var href in hrefs)
        {
            pages.Add(await client.GetAsync(href));
        }

        foreach (var page in pages)
        {
            var crumb = page.Q("nav[data-testid=breadcrumb]").ShouldNotBeNull(page.Path);
            var first = crumb.QuerySelector("a").ShouldNotBeNull(page.Path);
            (first.GetAttribute("href"), first.TextContent).ShouldBe(("/Menu", "メニュー"), page.Path);
            crumb.QuerySelector("[aria-current=page]").ShouldNotBeNull(page.Path).TextContent.ShouldBe((page.Document.Title ?? "").Split(" | ")[0], page.Path);
        }
    }

    [Fact]
    public async Task AccountAdministration_ListsTheAccountsOnOpening_AndBackToSearchKeepsTheFilters()
    {
        using var client = Terminal();
        var master = server.Account("master");
        await client.LoginAsync(master.UserId, master.Password);

        var opened = await client.GetAsync("/Accounts");

        opened.ResultUserIds().ShouldContain(server.Account("admin").UserId);
        opened.ResultUserIds().ShouldContain(server.Account("general").UserId);
        opened.Q("[data-testid=count]").ShouldNotBeNull().TextContent.ShouldStartWith("1~");

        var searched = await client.SearchAsync("一般");
        var detail = await client.OpenDetailAsync(searched, server.Account("general").UserId);
        var back = await client.GetAsync(detail.Q("[data-testid=back-to-search]").ShouldNotBeNull().GetAttribute("href")!);
        back.ResultUserIds().ShouldBe(searched.ResultUserIds());
        back.Q("#Kind option[selected]").ShouldNotBeNull().TextContent.Trim().ShouldBe("一般");

        // The filters survive an action on the account too (ロック解除 redirects to the detail with them).
        var crumb = detail.Q("nav[data-testid=breadcrumb] a[href^='/Accounts']").ShouldNotBeNull();
        crumb.GetAttribute("href").ShouldBe(detail.Q("[data-testid=back-to-search]")!.GetAttribute("href"));
    }

    [Fact]
    public async Task ResetAccount_MenuLeadsStraightToTheMastersPasswordInitialization_WhichNamesTheAccount()
    {
        using var client = Terminal();
        var reset = server.Account("reset");
        var master = server.Account("master");
        var menu = await client.LoginAsync(reset.UserId, reset.Password);

        var shortcut = menu.Q("[data-testid=reset-initialize-master]").ShouldNotBeNull();
        var confirm = await client.GetAsync(shortcut.GetAttribute("href")!);

        confirm.H1.ShouldBe("パスワード初期化");
        var target = confirm.Q("[data-testid=init-target]").ShouldNotBeNull().TextContent;
        target.ShouldContain(master.UserId);
        target.ShouldContain((await server.AccountRowAsync(master.UserId)).DisplayName);
        var result = await client.SubmitAsync(confirm, "main form");
        result.Q("[data-testid=issued-user-id]").ShouldNotBeNull().TextContent.ShouldBe(master.UserId);

        // Other kinds have no such shortcut.
        using var adminClient = Terminal();
        var admin = server.Account("admin");
        (await adminClient.LoginAsync(admin.UserId, admin.Password)).Q("[data-testid=reset-initialize-master]").ShouldBeNull();
    }

    [Fact]
    public async Task Detail_PasswordInitializationDialog_NamesTheAccount()
    {
        using var client = Terminal();
        var master = server.Account("master");
        await client.LoginAsync(master.UserId, master.Password);
        var general = server.Account("general");

        var detail = await client.OpenDetailAsync(await client.SearchAsync("一般"), general.UserId);

        var dialog = detail.Q("dialog#init-dialog [data-testid=init-dialog-target]").ShouldNotBeNull().TextContent;
        dialog.ShouldContain(general.UserId);
        dialog.ShouldContain((await server.AccountRowAsync(general.UserId)).DisplayName);
    }

    [Theory]
    [InlineData("webapi", true)]
    [InlineData("app", true)]
    [InlineData("face", true)]
    [InlineData("general", false)]
    public async Task Disabling_IsConfirmedFirst_MoreStronglyForMachineAccounts_CancelChangesNothing(string kind, bool machine)
    {
        using var client = Terminal();
        var master = server.Account("master");
        await client.LoginAsync(master.UserId, master.Password);
        var target = server.Account(kind);
        var detail = await client.OpenDetailAsync(await client.SearchAsync("全て", target.UserId), target.UserId);
        var auditBefore = await server.WithDbAsync(db => db.AuditEntries.CountAsync(a => a.Action == AuditActions.AccountUpdate));

        var confirm = await client.SubmitAsync(detail, "form[action*='handler=Update']", new Dictionary<string, string> { ["Input.Status"] = "2" });

        var box = confirm.Q("[data-testid=update-confirm]").ShouldNotBeNull();
        box.GetAttribute("role").ShouldBe("alertdialog");
        box.TextContent.ShouldContain(target.UserId);
        box.TextContent.ShouldContain("状態を「無効」にします。");
        (box.QuerySelector("[data-testid=machine-warning]") is not null).ShouldBe(machine);
        (await server.AccountRowAsync(target.UserId)).Status.ShouldBe(AccountStatus.Active);
        (await server.WithDbAsync(db => db.AuditEntries.CountAsync(a => a.Action == AuditActions.AccountUpdate))).ShouldBe(auditBefore);

        var cancelled = await client.GetAsync(box.QuerySelectorAll("a").Single(a => a.TextContent.Trim() == "キャンセル").GetAttribute("href")!);
        cancelled.H1.ShouldBe("アカウント情報");
        (await server.AccountRowAsync(target.UserId)).Status.ShouldBe(AccountStatus.Active);

        var done = await client.SubmitAsync(confirm, "[data-testid=update-confirm] form");
        done.Text.ShouldContain("アカウント情報を更新しました。");
        (await server.AccountRowAsync(target.UserId)).Status.ShouldBe(AccountStatus.Disabled);
    }

    [Fact]
    public async Task KindChange_IsConfirmedFirst()
    {
        using var client = Terminal();
        var master = server.Account("master");
        await client.LoginAsync(master.UserId, master.Password);
        var target = server.Account("webapi");
        var detail = await client.OpenDetailAsync(await client.SearchAsync("全て", target.UserId), target.UserId);
        var general = detail.Document.QuerySelectorAll("#Kind option").Single(o => o.TextContent.Trim() == "一般").GetAttribute("value")!;

        var confirm = await client.SubmitAsync(detail, "form[action*='handler=Update']", new Dictionary<string, string> { ["Input.Kind"] = general });

        var box = confirm.Q("[data-testid=update-confirm]").ShouldNotBeNull();
        box.TextContent.ShouldContain("権限区分を「Web API用」から「一般」に変更します。");
        box.QuerySelector("[data-testid=machine-warning]").ShouldNotBeNull().TextContent.ShouldContain("資格確認が停止します");
        (await server.AccountRowAsync(target.UserId)).Kind.ShouldBe(AccountKind.WebApi);
        await client.SubmitAsync(confirm, "[data-testid=update-confirm] form");
        (await server.AccountRowAsync(target.UserId)).Kind.ShouldBe(AccountKind.General);
    }

    // ---- Item 9 ----

    [Fact]
    public async Task Menu_ShowsOwnPasswordExpiry_WarnsWithinTheWarningPeriod_AndThePreviousLoginWithItsTerminal()
    {
        var admin = server.Account("admin");
        var now = server.Time.GetUtcNow().UtcDateTime;
        var expires = now.AddDays(5);
        await SaveAsync(admin.UserId, a => a.PasswordExpiresAt = expires);
        var terminalName = await server.WithDbAsync(db => db.TerminalCertificates.Where(c => c.SerialNumber == server.Demo.Terminal.Serial)
            .Select(c => c.TerminalName).SingleAsync());

        using var first = Terminal();
        var firstMenu = await first.LoginAsync(admin.UserId, admin.Password);
        firstMenu.Q("[data-testid=previous-login]").ShouldNotBeNull().TextContent.Trim().ShouldBe("今回が初めてのログインです");
        await first.SubmitAsync(firstMenu, "header form");
        var firstLogin = (await server.WithDbAsync(db => db.LoginSessions.Where(s => s.Account!.UserId == admin.UserId).Select(s => s.CreatedAt).SingleAsync()));

        server.Time.Advance(TimeSpan.FromHours(3));
        using var second = Terminal();
        var menu = await second.LoginAsync(admin.UserId, admin.Password);

        menu.Q("[data-testid=own-password-expiry]").ShouldNotBeNull().TextContent.Trim().ShouldBe(Onshi.Oqs.Hosting.Display.Expiry(
            new Core.Features.AccountManagement.AccountRow(0, admin.UserId, "", AccountKind.Admin, AccountStatus.Active, false, null, expires, false)));
        menu.Q("[data-testid=password-expiry-warning]").ShouldNotBeNull().TextContent.ShouldContain("パスワードの有効期限まであと5日です");
        menu.Q("[data-testid=password-expiry-warning]")!.TextContent.ShouldContain("《パスワード変更》");
        var previous = menu.Q("[data-testid=previous-login]").ShouldNotBeNull().TextContent;
        previous.ShouldContain(Onshi.Oqs.Hosting.Display.Time(firstLogin));
        previous.ShouldContain($"端末：{terminalName}");

        // Far from expiry: no warning; a non-expiring password says so.
        await SaveAsync(admin.UserId, a => a.PasswordExpiresAt = now.AddDays(60));
        (await second.GetAsync("/Menu")).Q("[data-testid=password-expiry-warning]").ShouldBeNull();
        await SaveAsync(admin.UserId, a => a.PasswordExpiresAt = null);
        (await second.GetAsync("/Menu")).Q("[data-testid=own-password-expiry]")!.TextContent.Trim().ShouldBe("無期限");
    }

    [Fact]
    public async Task SignedInPages_CarryTheIdleWarning_AndExtendRenewsTheSession()
    {
        using var client = Terminal();
        var admin = server.Account("admin");
        var menu = await client.LoginAsync(admin.UserId, admin.Password);
        var warning = menu.Q("dialog#idle-warning").ShouldNotBeNull();
        warning.GetAttribute("role").ShouldBe("alertdialog");
        warning.GetAttribute("data-idle-end-ms").ShouldBe(((long)TimeSpan.FromMinutes(14.5).TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
        using (var anonymous = Terminal())
        {
            (await anonymous.GetAsync("/Login")).Q("dialog#idle-warning").ShouldBeNull();
        }

        // 14 minutes idle, then 「ログインを延長する」: the session lives 14 more minutes past its first limit.
        server.Time.Advance(TimeSpan.FromMinutes(14));
        using var extend = await client.SubmitRawAsync(menu, "dialog#idle-warning form", Onshi.Web.Pages.Session.ExtendModel.ScriptHeader);
        extend.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        server.Time.Advance(TimeSpan.FromMinutes(14));
        (await client.GetAsync("/Menu")).Path.ShouldBe("/Menu");

        // Without a session the extension is refused (the login redirect), and nothing is renewed.
        server.Time.Advance(TimeSpan.FromMinutes(16));
        using var late = await client.SubmitRawAsync(menu, "dialog#idle-warning form", Onshi.Web.Pages.Session.ExtendModel.ScriptHeader);
        late.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        late.Headers.Location!.ToString().ShouldStartWith("/Login");
    }
}

public sealed class OqsUxTestsSqlite() : OqsUxTests("sqlite");

public sealed class OqsUxTestsPostgres() : OqsUxTests("postgres");
