using Microsoft.Playwright;
using Onshi.BrowserTests.Oqs;
using Onshi.Core.Data;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Operator;
using Shouldly;

namespace Onshi.BrowserTests.OperatorConsole;

/// <summary>The operator console's roles as a browser meets them.</summary>
public sealed class ConsoleRoleTests : IAsyncLifetime
{
    private OperatorServer server = null!;

    public async ValueTask InitializeAsync() => server = await OperatorServer.StartAsync(TestDatabase.Sqlite);

    public async ValueTask DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task CallCenterOperator_OpensReview_GetsJapaneseForbiddenPage()
    {
        await using var browser = await BrowserSession.StartAsync("console-callcenter-review-denied");
        var (userId, password) = await server.ReadyOperatorAsync(OperatorRole.CallCenter);
        var page = await browser.NewPageAsync(server.BaseAddress);

        await page.GotoAsync(new Uri(server.BaseAddress, "/Login").ToString());
        await page.GetByLabel("ユーザID").FillAsync(userId);
        await page.GetByLabel("パスワード").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "ログイン" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "運用者コンソール" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("current-user")).ToContainTextAsync("（コールセンター）");
        await Assertions.Expect(page.GetByTestId("review")).ToHaveCountAsync(0);
        await browser.ShotAsync(page, "callcenter-home", "CallCenter's console home: no 審査 in the menu");

        var response = await page.GotoAsync(new Uri(server.BaseAddress, "/Review").ToString());

        response.ShouldNotBeNull().Status.ShouldBe(403);
        new Uri(page.Url).AbsolutePath.ShouldBe("/Denied");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "この画面は利用できません" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("この画面を利用する権限がありません。")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "審査", Exact = true })).ToHaveCountAsync(0);
        await browser.ShotAsync(page, "review-denied", "/Review answers 403 「この画面は利用できません」, in Japanese, no queue");
    }
}
