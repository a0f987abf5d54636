using Microsoft.Playwright;
using Onshi.BrowserTests.Oqs;
using Onshi.IntegrationTests.Oqs;
using Shouldly;

namespace Onshi.BrowserTests.Accessibility;

/// <summary>
/// The OQS with the keyboard only (no mouse, no <c>FillAsync</c> on the way to a control): the skip link, the login
/// form, the account search, the パスワード初期化 dialog and an error summary, plus a visible focus on every control
/// reached. Each key state is a screenshot, so axe-core and the form rules check it too.
/// </summary>
public sealed class KeyboardTests : IAsyncLifetime
{
    private OqsServer server = null!;

    public async ValueTask InitializeAsync() => server = await OqsServer.StartAsync("sqlite");

    public async ValueTask DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task Login_SkipLinkFirst_ThenUserIdPasswordLogin_EnterLogsIn()
    {
        await using var browser = await BrowserSession.StartAsync(server, "a11y-keyboard-login");
        var master = server.Account("master");
        var page = await browser.NewPageAsync(server, server.Demo.Terminal);
        await page.GotoAsync(server.BaseAddress + "Login");

        // The first Tab stop of the page is the skip link, and it is visible when focused.
        await page.Keyboard.PressAsync("Tab");
        var skip = page.GetByRole(AriaRole.Link, new() { Name = "本文へ移動" });
        await Assertions.Expect(skip).ToBeFocusedAsync();
        await Assertions.Expect(skip).ToBeInViewportAsync();
        await browser.ShotAsync(page, "skip-link", "the first Tab stop is 「本文へ移動」, shown on focus");

        // Enter follows it: focus lands on <main>, and the next Tab stops are ユーザID, パスワード, ログイン.
        await page.Keyboard.PressAsync("Enter");
        (await ActiveAsync(page, "e => e.id")).ShouldBe("main");
        await page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(page.GetByLabel("ユーザID")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(master.UserId);
        await page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(page.GetByLabel("パスワード")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(master.Password);
        await page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "ログイン" })).ToBeFocusedAsync();
        await browser.ShotAsync(page, "login-button-focused", "ユーザID → パスワード → ログイン by Tab; the button shows its focus ring");

        // Enter in the password field submits the form.
        await page.Keyboard.PressAsync("Shift+Tab");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "メニュー" })).ToBeVisibleAsync();
        await browser.ShotAsync(page, "menu", "Enter logged in: the menu");
    }

    [Fact]
    public async Task AccountSearch_ThenInitializationDialog_ByKeyboard()
    {
        await using var browser = await BrowserSession.StartAsync(server, "a11y-keyboard-search-dialog");
        var admin = server.Account("admin");
        var page = await LoggedInAsync(browser, "master");
        await page.GotoAsync(server.BaseAddress + "Accounts");

        // 権限区分: focus the select, move to 管理者 with the arrow keys, Tab to 状態 then 検索, Space presses it.
        var kind = page.GetByLabel("権限区分");
        await kind.FocusAsync();
        await Assertions.Expect(kind).ToBeFocusedAsync();
        for (var i = 0; i < 8 && await SelectedLabelAsync(kind) != "管理者"; i++)
        {
            await page.Keyboard.PressAsync("ArrowDown");
        }

        (await SelectedLabelAsync(kind)).ShouldBe("管理者");
        await page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(page.GetByLabel("状態")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Tab");
        var search = page.GetByRole(AriaRole.Button, new() { Name = "検索" });
        await Assertions.Expect(search).ToBeFocusedAsync();
        await browser.ShotAsync(page, "search-focused", "権限区分「管理者」 chosen with the arrow keys; 検索 focused");
        await page.Keyboard.PressAsync(" ");
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = admin.UserId, Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Table, new() { Name = "検索結果" })).ToBeVisibleAsync();
        await browser.ShotAsync(page, "search-results", "Space on 検索: the results table (named 検索結果) lists the admin");

        // The result's link, by keyboard.
        var detailLink = page.GetByRole(AriaRole.Link, new() { Name = $"{admin.UserId} のアカウント情報" });
        await detailLink.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "アカウント情報", Exact = true })).ToBeVisibleAsync();

        // 「パスワード初期化」 opens the modal dialog with focus inside it; Escape closes it and focus returns.
        var opener = page.GetByRole(AriaRole.Link, new() { Name = "パスワード初期化" });
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "パスワード初期化" });
        // The page came by a keypress, which Playwright does not wait on: let its deferred site.js run first (without
        // it the link is an ordinary link to the confirmation page, by design).
        await page.WaitForLoadStateAsync(LoadState.Load);
        await opener.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        (await ActiveAsync(page, "e => e.closest('dialog') !== null")).ShouldBe("true");
        await Assertions.Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "OK" })).ToBeFocusedAsync();
        await browser.ShotAsync(page, "dialog-open", "Enter on 「パスワード初期化」 opens the dialog; focus on OK inside it");
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(dialog).ToBeHiddenAsync();
        await Assertions.Expect(opener).ToBeFocusedAsync();
        await browser.ShotAsync(page, "dialog-escaped", "Escape closes it; focus is back on 「パスワード初期化」");

        // キャンセル (Tab from OK, then Enter) closes it too, focus back on the opener.
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "キャンセル" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(dialog).ToBeHiddenAsync();
        await Assertions.Expect(opener).ToBeFocusedAsync();

        // OK by keyboard: the result dialog; 「パスワード表示」 works with Space.
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "OK" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        var result = page.GetByRole(AriaRole.Dialog, new() { Name = "パスワード" });
        await Assertions.Expect(result).ToBeVisibleAsync();
        await Assertions.Expect(result.GetByText("パスワードを初期化しました。利用者にパスワード情報を通知してください。")).ToBeVisibleAsync();
        var reveal = page.GetByRole(AriaRole.Button, new() { Name = "パスワード表示" });
        await reveal.FocusAsync();
        await page.Keyboard.PressAsync(" ");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "パスワード非表示" })).ToHaveAttributeAsync("aria-pressed", "true");
        await Assertions.Expect(page.Locator("#issued-password")).Not.ToHaveTextAsync("●●●●●●●●");
        await browser.ShotAsync(page, "result-dialog", "OK by Enter: the result dialog; Space on 「パスワード表示」 shows the password");
    }

    [Fact]
    public async Task FormWithErrors_SummaryTakesFocus_ItsLinkMovesFocusToTheInvalidField()
    {
        await using var browser = await BrowserSession.StartAsync(server, "a11y-keyboard-error-summary");
        var page = await LoggedInAsync(browser, "master");
        await page.GotoAsync(server.BaseAddress + "Accounts/Register");

        // 登録 with both text fields empty, by keyboard.
        var register = page.GetByRole(AriaRole.Button, new() { Name = "登録" });
        await register.FocusAsync();
        await page.Keyboard.PressAsync("Enter");

        var summary = page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "入力内容を確認してください" });
        await Assertions.Expect(summary).ToBeVisibleAsync();
        await Assertions.Expect(summary).ToBeFocusedAsync();
        await Assertions.Expect(summary).ToHaveAttributeAsync("role", "alert");
        await browser.ShotAsync(page, "summary-focused", "the error summary (role=alert) has focus after the failed submit");

        // Its first link moves focus to ユーザID, which is invalid and described by its error text (and its support text).
        await page.Keyboard.PressAsync("Tab");
        var firstLink = summary.GetByRole(AriaRole.Link).First;
        await Assertions.Expect(firstLink).ToBeFocusedAsync();
        (await firstLink.GetAttributeAsync("href")).ShouldBe("#UserId");
        var message = (await firstLink.TextContentAsync())!.Trim();
        await page.Keyboard.PressAsync("Enter");
        var userId = page.Locator("#UserId");
        await Assertions.Expect(userId).ToBeFocusedAsync();
        await Assertions.Expect(userId).ToHaveAttributeAsync("aria-invalid", "true");
        var describedBy = (await userId.GetAttributeAsync("aria-describedby"))!.Split(' ');
        describedBy.ShouldBe(["UserId-error", "UserId-hint"]);
        await Assertions.Expect(page.Locator("#UserId-error")).ToHaveTextAsync(message);
        await Assertions.Expect(userId).ToHaveAccessibleDescriptionAsync(new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(message)));
        await browser.ShotAsync(page, "field-focused", "the summary link moved focus to ユーザID: aria-invalid, described by its error text");

        // Every link of the summary points at a control that exists and is invalid.
        foreach (var href in await summary.GetByRole(AriaRole.Link).EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))"))
        {
            await Assertions.Expect(page.Locator(href)).ToHaveAttributeAsync("aria-invalid", "true");
        }
    }

    [Fact]
    public async Task FocusIsVisible_OnLinksFieldsAndButtons()
    {
        await using var browser = await BrowserSession.StartAsync(server, "a11y-focus-visible");
        var page = await browser.NewPageAsync(server, server.Demo.Terminal);
        await page.GotoAsync(server.BaseAddress.ToString());

        // Tab through the start page: skip link, the site name in the header, 「システムの利用を始める」.
        string[] expected = ["本文へ移動", "オンライン資格確認等システム", "システムの利用を始める"];
        foreach (var name in expected)
        {
            await page.Keyboard.PressAsync("Tab");
            (await ActiveAsync(page, "e => e.textContent.trim()")).ShouldBe(name);
            await ShouldShowFocusAsync(page, name);
        }

        await browser.ShotAsync(page, "start-button-focused", "「システムの利用を始める」 focused: black and yellow ring");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "ログイン", Exact = true })).ToBeVisibleAsync();

        // On the login page: the text field, the password field and the button.
        await page.GetByLabel("ユーザID").FocusAsync();
        await ShouldShowFocusAsync(page, "ユーザID");
        await browser.ShotAsync(page, "field-focused", "ユーザID focused: black and yellow ring");
        await page.Keyboard.PressAsync("Tab");
        await ShouldShowFocusAsync(page, "パスワード");
        await page.Keyboard.PressAsync("Tab");
        await ShouldShowFocusAsync(page, "ログイン");
        await browser.ShotAsync(page, "button-focused", "ログイン focused: black and yellow ring");
    }

    private async Task<IPage> LoggedInAsync(BrowserSession browser, string kind)
    {
        var account = server.Account(kind);
        var page = await browser.NewPageAsync(server, server.Demo.Terminal);
        await page.GotoAsync(server.BaseAddress + "Login");
        await page.GetByLabel("ユーザID").FillAsync(account.UserId);
        await page.GetByLabel("パスワード").FillAsync(account.Password);
        await page.GetByLabel("パスワード").PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "メニュー" })).ToBeVisibleAsync();
        return page;
    }

    private static async Task<string> ActiveAsync(IPage page, string projection) =>
        await page.EvaluateAsync<string>($"() => String(({projection})(document.activeElement))");

    private static Task<string> SelectedLabelAsync(ILocator select) =>
        select.EvaluateAsync<string>("s => s.options[s.selectedIndex].label");

    /// <summary>The focused element matches :focus-visible and draws an outline or a box shadow there.</summary>
    private static async Task ShouldShowFocusAsync(IPage page, string what)
    {
        var style = await page.EvaluateAsync<string[]>("""
            () => {
              const e = document.activeElement;
              const s = getComputedStyle(e);
              return [String(e.matches(':focus-visible')), s.outlineStyle, s.outlineWidth, s.boxShadow];
            }
            """);
        style[0].ShouldBe("true", $"{what} should match :focus-visible");
        var outline = style[1] != "none" && style[2] != "0px";
        var shadow = style[3] != "none";
        (outline || shadow).ShouldBeTrue($"{what} shows no focus indicator (outline {style[1]} {style[2]}, box-shadow {style[3]})");
    }
}
