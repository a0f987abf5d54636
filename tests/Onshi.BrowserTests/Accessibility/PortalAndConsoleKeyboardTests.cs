using Microsoft.Playwright;
using Onshi.BrowserTests.Oqs;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Operator;
using Onshi.IntegrationTests.Portal;
using Shouldly;

namespace Onshi.BrowserTests.Accessibility;

/// <summary>
/// The same keyboard and error-summary behaviour on the portal and the operator console as on the OQS: one layout,
/// one error pattern. The header names each site and its environment.
/// </summary>
public sealed class PortalAndConsoleKeyboardTests
{
    [Fact]
    public async Task PortalRegister_SkipLinkThenFields_EmptySubmit_SummaryLinksToEmail()
    {
        await using var portal = await PortalServer.StartAsync(TestDatabase.Sqlite);
        await using var browser = await BrowserSession.StartAsync("a11y-keyboard-portal");
        var page = await browser.NewPageAsync(portal.BaseAddress);
        await page.GotoAsync(new Uri(portal.BaseAddress, "/Account/Register").ToString());
        await Assertions.Expect(page.GetByRole(AriaRole.Banner)).ToContainTextAsync("医療機関等向け総合ポータルサイト");
        await Assertions.Expect(page.GetByTestId("environment")).ToBeVisibleAsync();

        await page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "本文へ移動" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(page.Locator("#Email")).ToBeFocusedAsync();
        await browser.ShotAsync(page, "register-email-focused", "skip link, then the first field (メールアドレス) by Tab");

        await page.GetByRole(AriaRole.Button, new() { Name = "登録する" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        var summary = page.GetByTestId("error-summary");
        await Assertions.Expect(summary).ToBeFocusedAsync();
        await Assertions.Expect(summary).ToHaveAttributeAsync("role", "alert");
        await browser.ShotAsync(page, "register-errors", "empty 登録する: the summary has focus; every field shows its error below it");

        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Enter");
        var email = page.Locator("#Email");
        await Assertions.Expect(email).ToBeFocusedAsync();
        await Assertions.Expect(email).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(email).ToHaveAttributeAsync("aria-describedby", "Email-error Email-hint");
    }

    [Fact]
    public async Task ConsoleLogin_EmptySubmitByKeyboard_SummaryLinksToUserId()
    {
        await using var console = await OperatorServer.StartAsync(TestDatabase.Sqlite);
        await using var browser = await BrowserSession.StartAsync("a11y-keyboard-console");
        var page = await browser.NewPageAsync(console.BaseAddress);
        await page.GotoAsync(new Uri(console.BaseAddress, "/Login").ToString());
        await Assertions.Expect(page.GetByRole(AriaRole.Banner)).ToContainTextAsync("運用者コンソール");

        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Enter");
        await page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(page.GetByLabel("ユーザID")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(page.GetByLabel("パスワード")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");

        var summary = page.GetByTestId("error-summary");
        await Assertions.Expect(summary).ToBeFocusedAsync();
        await browser.ShotAsync(page, "login-errors", "empty login by Enter: the summary has focus, both fields are marked");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Enter");
        var userId = page.GetByLabel("ユーザID");
        await Assertions.Expect(userId).ToBeFocusedAsync();
        await Assertions.Expect(userId).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(userId).ToHaveAttributeAsync("aria-describedby", "UserId-error");
        (await page.Locator("#UserId-error").TextContentAsync()).ShouldBe("ユーザIDを入力してください。");
    }
}
