using Microsoft.Playwright;
using Onshi.BrowserTests.Oqs;
using Onshi.Core.Data;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Operator;
using Onshi.IntegrationTests.Portal;

namespace Onshi.BrowserTests.Accessibility;

/// <summary>
/// The error states the walk-throughs do not reach, each put in front of axe-core and our form rules
/// (<see cref="AccessibilityCheck"/>): a form-level error, a field error, a checkbox group (fieldset) error, a search
/// form with a bad value. Screenshots: artifacts/screenshots/a11y-errors-portal, a11y-errors-console.
/// </summary>
public sealed class ErrorStateTests
{
    private const string Email = "errors@example.jp";

    [Fact]
    public async Task PortalForms_WithErrors_PassAxeAndTheFormRules()
    {
        await using var portal = await PortalServer.StartAsync(TestDatabase.Sqlite);
        await portal.RegisterVerifiedAsync(Email);
        await using var browser = await BrowserSession.StartAsync("a11y-errors-portal");
        var page = await browser.NewPageAsync(portal.BaseAddress);

        await page.GotoAsync(new Uri(portal.BaseAddress, "/Account/ForgotPassword").ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "送信する" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("error-summary")).ToBeFocusedAsync();
        await browser.ShotAsync(page, "forgot-empty", "パスワードの再設定 with no address: summary and the field's error");

        await page.GotoAsync(new Uri(portal.BaseAddress, "/Account/Login").ToString());
        await page.GetByLabel("ユーザーID (原則メールアドレス)").FillAsync(Email);
        await page.GetByLabel("パスワード", new() { Exact = true }).FillAsync("Wrong-Pass#2025");
        await page.GetByRole(AriaRole.Button, new() { Name = "ログイン" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("error-summary")).ToBeFocusedAsync();
        await browser.ShotAsync(page, "login-refused", "a refused login: a form-level error, no field link");

        await page.GetByLabel("パスワード", new() { Exact = true }).FillAsync(PortalStories.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "ログイン" }).ClickAsync();
        await page.GotoAsync(new Uri(portal.BaseAddress, "/OnlineEligibility/Application/New").ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "確認画面へ進む" }).ClickAsync();
        var summary = page.GetByTestId("error-summary");
        await Assertions.Expect(summary).ToBeFocusedAsync();
        await Assertions.Expect(page.Locator("#Environments")).ToHaveAttributeAsync("aria-describedby", "Environments-error");
        await browser.ShotAsync(page, "new-application-empty", "新規申請 with nothing filled in: every field and the 利用環境 group marked");

        // The 利用環境 link focuses the group's first checkbox.
        await summary.GetByRole(AriaRole.Link).Filter(new() { HasText = "環境" }).ClickAsync();
        await Assertions.Expect(page.Locator("#Production")).ToBeFocusedAsync();
    }

    [Fact]
    public async Task ConsoleSearchForms_WithBadValues_PassAxeAndTheFormRules()
    {
        await using var console = await OperatorServer.StartAsync(TestDatabase.Sqlite);
        var (userId, password) = await console.ReadyOperatorAsync(OperatorRole.Supervisor);
        await using var browser = await BrowserSession.StartAsync("a11y-errors-console");
        var page = await browser.NewPageAsync(console.BaseAddress);
        await page.GotoAsync(new Uri(console.BaseAddress, "/Login").ToString());
        await page.GetByLabel("ユーザID").FillAsync(userId);
        await page.GetByLabel("パスワード").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "ログイン" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "運用者コンソール" })).ToBeVisibleAsync();

        await page.GotoAsync(new Uri(console.BaseAddress, "/Audit?from=2025-13-45&code=abc").ToString());
        await Assertions.Expect(page.GetByTestId("error-summary")).ToBeFocusedAsync();
        await Assertions.Expect(page.Locator("#From")).ToHaveAttributeAsync("aria-invalid", "true");
        await browser.ShotAsync(page, "audit-bad-date", "操作ログ with an impossible date: the field is marked and linked");

        await page.GotoAsync(new Uri(console.BaseAddress, "/Certificates?code=abc").ToString());
        await browser.ShotAsync(page, "certificates-bad-code", "端末証明書 filtered by a non-numeric code");

        await page.GotoAsync(new Uri(console.BaseAddress, "/CallCenter").ToString());
        await browser.ShotAsync(page, "callcenter-search", "コールセンター search form");
    }
}
