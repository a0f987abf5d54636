using System.Text;
using Microsoft.Playwright;
using Onshi.BrowserTests.Oqs;
using Onshi.Core.Data;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Operator;

namespace Onshi.BrowserTests.OperatorConsole;

/// <summary>加入者データ取込 as the 管理者 uses it in Chromium at 1366 px: a good file completes, a bad one offers its error list.</summary>
public sealed class MemberImportBrowserTests : IAsyncLifetime
{
    private OperatorServer server = null!;

    public async ValueTask InitializeAsync() => server = await OperatorServer.StartAsync(TestDatabase.Sqlite);

    public async ValueTask DisposeAsync() => await server.DisposeAsync();

    private static string Sample(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "docs", "samples", name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new FileNotFoundException(name);
    }

    [Fact]
    public async Task Supervisor_ImportsTheSample_ThenAFileWithErrors()
    {
        await using var browser = await BrowserSession.StartAsync("console-member-import");
        var (userId, password) = await server.ReadyOperatorAsync(OperatorRole.Supervisor);
        var page = await browser.NewPageAsync(server.BaseAddress);
        await page.SetViewportSizeAsync(1366, 768);
        await page.GotoAsync(new Uri(server.BaseAddress, "/Login").ToString());
        await page.GetByLabel("ユーザID").FillAsync(userId);
        await page.GetByLabel("パスワード").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "ログイン" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "加入者データ取込" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "加入者データ取込", Exact = true })).ToBeVisibleAsync();

        await page.GetByLabel("CSVファイル").SetInputFilesAsync(Sample("members-sample.csv"));
        await page.GetByRole(AriaRole.Button, new() { Name = "取込を開始" }).ClickAsync();
        // The detail page refreshes its status region itself (site.js) until the worker has finished.
        await Assertions.Expect(page.GetByTestId("import-status")).ToContainTextAsync("取込が完了しました");
        await browser.ShotAsync(page, "import-completed", "取込 1: 完了 — 追加 6件、置換 0件, the status region updated in place");

        var bad = (await File.ReadAllTextAsync(Sample("members-sample.csv"))).Replace("1982/07/15", "1982/02/30", StringComparison.Ordinal)
            .Replace(",270900,", ",270901,", StringComparison.Ordinal);
        await page.GotoAsync(new Uri(server.BaseAddress, "/MemberImport").ToString());
        await page.GetByLabel("CSVファイル").SetInputFilesAsync(new FilePayload { Name = "members-errors.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(bad) });
        await page.GetByLabel("文字コード").SelectOptionAsync("utf-8");
        await page.GetByRole(AriaRole.Button, new() { Name = "取込を開始" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("import-status")).ToContainTextAsync("取り込んでいません");
        await Assertions.Expect(page.GetByTestId("report")).ToBeVisibleAsync();
        await browser.ShotAsync(page, "import-refused", "取込 2: エラー — 2行に2件の誤り, nothing applied, the error list (CSV) offered");

        await page.GotoAsync(new Uri(server.BaseAddress, "/MemberImport").ToString());
        await Assertions.Expect(page.GetByTestId("imports")).ToContainTextAsync("誤り 2件");
        await browser.ShotAsync(page, "import-list", "取込の履歴: 完了 (追加 6件) and エラー (誤り 2件, エラー一覧（CSV）)");

        await page.GetByLabel("CSVファイル").SetInputFilesAsync(new FilePayload { Name = "empty.csv", MimeType = "text/csv", Buffer = [] });
        await page.GetByRole(AriaRole.Button, new() { Name = "取込を開始" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("error-summary")).ToContainTextAsync("ファイルが空です");
        await browser.ShotAsync(page, "import-empty-file", "an empty file: the error summary and the field say 「ファイルが空です」; nothing stored");
    }
}
