using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Onshi.Core.Features.Sessions;
using Onshi.IntegrationTests.Oqs;
using Shouldly;

namespace Onshi.BrowserTests.Oqs;

/// <summary>
/// Issue 14, items 4, 8 and 9 in Chromium (screenshots with axe-core at each step): the idle-timeout warning (a modal
/// alertdialog with 「ログインを延長する」 focused, Enter extends the session, and once it has surely ended the page moves to the
/// login page by itself), and the screens of the OQS navigation and the メニュー after login.
/// </summary>
public sealed class OqsUxBrowserTests
{
    [Fact]
    public async Task IdleWarning_AppearsBeforeTheTimeout_EnterExtends_ThenThePageLeavesWhenTheSessionHasEnded()
    {
        // A 12 s idle timeout, warned 9 s before its earliest end (12 s − 1 s touch interval): the warning opens 2 s after a page loads.
        await using var oqs = await OqsServer.StartAsync("sqlite", s => s.Configure<SessionOptions>(o =>
        {
            o.IdleTimeout = TimeSpan.FromSeconds(12);
            o.TouchInterval = TimeSpan.FromSeconds(1);
            o.IdleWarningLead = TimeSpan.FromSeconds(9);
        }));
        var admin = oqs.Account("admin");
        await using var browser = await BrowserSession.StartAsync(oqs, "issue14-idle-warning");
        var page = await browser.NewPageAsync(oqs, oqs.Demo.Terminal);
        await LoginAsync(page, oqs, admin.UserId, admin.Password);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "メニュー", Level = 1 })).ToBeVisibleAsync();

        var warning = page.GetByRole(AriaRole.Alertdialog, new() { Name = "まもなく自動的にログアウトします" });
        await Assertions.Expect(warning).ToBeVisibleAsync(new() { Timeout = 8000 });
        var extend = warning.GetByRole(AriaRole.Button, new() { Name = "ログインを延長する" });
        await Assertions.Expect(extend).ToBeFocusedAsync();
        await Assertions.Expect(warning).ToContainTextAsync("秒で自動的にログアウトします");
        await browser.ShotAsync(page, "idle-warning", "shortly before the idle timeout: a modal alertdialog, 「ログインを延長する」 focused");

        // Escape does not dismiss it unanswered; Enter extends the session (its last-seen time moves on) and closes it.
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(warning).ToBeVisibleAsync();
        oqs.Time.Advance(TimeSpan.FromSeconds(5));
        var before = await LastSeenAsync(oqs, admin.UserId);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(warning).ToBeHiddenAsync();
        (await LastSeenAsync(oqs, admin.UserId)).ShouldBeGreaterThan(before);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "メニュー", Level = 1 })).ToBeVisibleAsync();

        // Left alone: the session ends on the server, and the page moves to the login page, which says why.
        oqs.Time.Advance(TimeSpan.FromMinutes(1));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "ログイン", Level = 1 })).ToBeVisibleAsync(new() { Timeout = 20000 });
        await Assertions.Expect(page.GetByText("ログインの有効時間が過ぎたか、ログアウトされました。")).ToBeVisibleAsync();
        await browser.ShotAsync(page, "idle-ended", "left alone, the page moved to the login page by itself once the session had ended");
    }

    [Fact]
    public async Task Screens_LockedLogin_MenuAfterLogin_Breadcrumbs_Confirmations_ResetShortcut()
    {
        await using var oqs = await OqsServer.StartAsync("sqlite");
        await using var browser = await BrowserSession.StartAsync(oqs, "issue14-oqs-ux");
        var general = oqs.Account("general");
        var admin = oqs.Account("admin");
        var master = oqs.Account("master");

        // Item 4: a locked account with the right password gets the one message, which is true for it.
        var page = await browser.NewPageAsync(oqs, oqs.Demo.Terminal);
        for (var i = 0; i < 5; i++)
        {
            await LoginAsync(page, oqs, general.UserId, "Wrong-pass-" + i);
        }

        await LoginAsync(page, oqs, general.UserId, general.Password);
        await Assertions.Expect(page.Locator(".error-summary")).ToContainTextAsync("アカウントがロックされているか無効になっています。");
        await page.GetByTestId("lockout-help").ScrollIntoViewIfNeededAsync();
        await browser.ShotAsync(page, "locked-login", "the right password of a locked account: the one message names the lock and its 30 minutes; 「ログインできない場合」 lists who unlocks");

        // Item 9: the メニュー after login — own password expiry (warned within 14 days) and 前回ログイン with the terminal.
        await oqs.WithDbAsync(async db =>
        {
            var a = await db.Accounts.SingleAsync(x => x.UserId == admin.UserId);
            a.PasswordExpiresAt = oqs.Time.GetUtcNow().UtcDateTime.AddDays(6);
            return await db.SaveChangesAsync();
        });
        var adminPage = await browser.NewPageAsync(oqs, oqs.Demo.Terminal);
        await LoginAsync(adminPage, oqs, admin.UserId, admin.Password);
        await adminPage.GetByRole(AriaRole.Button, new() { Name = "ログアウト" }).ClickAsync();
        oqs.Time.Advance(TimeSpan.FromMinutes(10));
        await LoginAsync(adminPage, oqs, admin.UserId, admin.Password);
        await Assertions.Expect(adminPage.GetByTestId("password-expiry-warning")).ToContainTextAsync("パスワードの有効期限まであと6日です");
        await Assertions.Expect(adminPage.GetByTestId("previous-login")).ToContainTextAsync("端末：");
        await browser.ShotAsync(adminPage, "menu-after-login", "メニュー: own パスワード有効期限 with its warning, 前回ログイン with the terminal");

        // Item 8: アカウント管理（更新） lists the accounts on opening, with its breadcrumb.
        var masterPage = await browser.NewPageAsync(oqs, oqs.Demo.Terminal);
        await LoginAsync(masterPage, oqs, master.UserId, master.Password);
        await masterPage.GetByRole(AriaRole.Link, new() { Name = "アカウント管理（更新）" }).ClickAsync();
        await Assertions.Expect(masterPage.GetByRole(AriaRole.Cell, new() { Name = general.UserId, Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(masterPage.GetByRole(AriaRole.Navigation, new() { Name = "現在位置" }).GetByRole(AriaRole.Link, new() { Name = "メニュー" })).ToBeVisibleAsync();
        await browser.ShotAsync(masterPage, "accounts-on-opening", "アカウント管理（更新） lists the accounts on opening; breadcrumb メニュー › アカウント管理（更新）");

        // The locked account's アカウント情報: when the lock ends (JST); the breadcrumb and 「検索画面へ戻る」 keep the filters.
        await masterPage.GetByLabel("権限区分").SelectOptionAsync(new SelectOptionValue { Label = "一般" });
        await masterPage.GetByRole(AriaRole.Button, new() { Name = "検索" }).ClickAsync();
        await masterPage.GetByRole(AriaRole.Link, new() { Name = $"{general.UserId} のアカウント情報" }).ClickAsync();
        await Assertions.Expect(masterPage.GetByTestId("lock-end")).ToContainTextAsync("に自動的に解除されます");
        await browser.ShotAsync(masterPage, "locked-detail", "アカウント情報 of a locked account: ロックの終了 in JST");

        // 「パスワード初期化」's dialog names the account.
        await masterPage.GetByRole(AriaRole.Link, new() { Name = "パスワード初期化" }).ClickAsync();
        var dialog = masterPage.GetByRole(AriaRole.Dialog, new() { Name = "パスワード初期化" });
        await Assertions.Expect(dialog).ToContainTextAsync(general.UserId);
        await browser.ShotAsync(masterPage, "init-dialog-named", "the パスワード初期化 dialog names the account (ユーザID, ユーザ名, 権限区分)");
        await masterPage.Keyboard.PressAsync("Escape");

        await masterPage.GetByTestId("back-to-search").ClickAsync();
        await Assertions.Expect(masterPage.GetByLabel("権限区分")).ToHaveValueAsync("General");

        // Disabling a Web API用 account is confirmed first, in strong words.
        var webApi = oqs.Account("webapi");
        await masterPage.GetByLabel("権限区分").SelectOptionAsync(new SelectOptionValue { Label = "Web API用" });
        await masterPage.GetByRole(AriaRole.Button, new() { Name = "検索" }).ClickAsync();
        await masterPage.GetByRole(AriaRole.Link, new() { Name = $"{webApi.UserId} のアカウント情報" }).ClickAsync();
        await masterPage.GetByLabel("状態").SelectOptionAsync(new SelectOptionValue { Label = "無効" });
        await masterPage.GetByRole(AriaRole.Button, new() { Name = "更新" }).ClickAsync();
        var confirm = masterPage.GetByRole(AriaRole.Alertdialog, new() { Name = "アカウント情報の変更の確認" });
        await Assertions.Expect(confirm.GetByTestId("machine-warning")).ToContainTextAsync("資格確認が停止します");
        await browser.ShotAsync(masterPage, "disable-webapi-confirm", "無効 of a Web API用 account: a confirmation step, strongly worded; キャンセル focused");
        await confirm.GetByRole(AriaRole.Link, new() { Name = "キャンセル" }).ClickAsync();

        // The reset account's menu leads straight to the master's パスワード初期化.
        var reset = oqs.Account("reset");
        var resetPage = await browser.NewPageAsync(oqs, oqs.Demo.Terminal);
        await LoginAsync(resetPage, oqs, reset.UserId, reset.Password);
        await Assertions.Expect(resetPage.GetByTestId("reset-initialize-master")).ToBeVisibleAsync();
        await browser.ShotAsync(resetPage, "reset-menu", "the reset account's メニュー: マスタアカウントのパスワードを初期化する");
    }

    private static Task<DateTime> LastSeenAsync(OqsServer oqs, string userId) =>
        oqs.WithDbAsync(db => db.LoginSessions.Where(s => s.Account!.UserId == userId && s.EndedAt == null).Select(s => s.LastSeenAt).SingleAsync());

    private static async Task LoginAsync(IPage page, OqsServer oqs, string userId, string password)
    {
        await page.GotoAsync(new Uri(oqs.BaseAddress, "/Login").ToString());
        await page.GetByLabel("ユーザID").FillAsync(userId);
        await page.GetByLabel("パスワード", new() { Exact = true }).FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "ログイン", Exact = true }).ClickAsync();
    }
}
