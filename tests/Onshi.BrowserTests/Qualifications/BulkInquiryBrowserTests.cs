using System.Text;
using System.Xml.Linq;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Onshi.BrowserTests.Oqs;
using Onshi.IntegrationTests.Oqs;
using Shouldly;

namespace Onshi.BrowserTests.Qualifications;

/// <summary>
/// 一括照会 on the screens in Chromium (issue 16): the 一般 account opens 一括照会 from the メニュー, uploads
/// <c>docs/samples/bulk-inquiry-sample.csv</c>, and the detail page's status region updates itself to 完了 (正常 6人・エラー 1人);
/// the result downloads as <c>OQSmuquc02res</c> XML and as a CSV for Excel; the list shows it; an empty file is refused on
/// the form. axe-core on every step; the completed detail also at 1366×768, 1920×1080, 390 px and 200 %.
/// </summary>
public sealed class BulkInquiryBrowserTests : IAsyncLifetime
{
    private OqsServer server = null!;

    // Small batches, so that a larger file is seen 処理中 with its progress before it completes.
    public async ValueTask InitializeAsync() => server = await OqsServer.StartAsync("sqlite",
        s => s.Configure<Onshi.Core.Features.Qualifications.Bulk.BulkInquiryOptions>(o => o.BatchSize = 100));

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
    public async Task Receptionist_UploadsTheSample_SeesItComplete_AndDownloadsTheResults()
    {
        await using var browser = await BrowserSession.StartAsync(server, "qualification-bulk");
        var page = await browser.NewPageAsync(server, server.Demo.Terminal);
        await page.SetViewportSizeAsync(1366, 768);
        var account = server.Account("general");
        await page.GotoAsync(server.BaseAddress + "Login");
        await page.GetByLabel("ユーザID").FillAsync(account.UserId);
        await page.GetByLabel("パスワード").FillAsync(account.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "ログイン" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "一括照会" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "一括照会", Exact = true })).ToBeVisibleAsync();
        await page.GetByText("CSV の作り方（列の一覧）").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Table, new() { Name = "CSV の列" })).ToBeVisibleAsync();
        await browser.ShotAsync(page, "form", "一括照会: the file, 確認日, the CSV's columns opened; no history yet");

        await page.GetByLabel("照会するファイル").SetInputFilesAsync(Sample("bulk-inquiry-sample.csv"));
        await page.GetByRole(AriaRole.Button, new() { Name = "一括照会を開始" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"/Qualifications/Bulk/Detail/\d{16}$"));
        // The status region refreshes itself (site.js) until the worker has answered every patient.
        await Assertions.Expect(page.GetByTestId("bulk-status")).ToContainTextAsync("一括照会が完了しました");
        await Assertions.Expect(page.GetByTestId("bulk-status")).ToContainTextAsync("正常 6人・エラー 1人");
        await Assertions.Expect(page.GetByTestId("state")).ToHaveTextAsync("完了");
        var reception = (await page.GetByTestId("reception-number").TextContentAsync())!.Trim();

        foreach (var (w, h, name) in new[] { (1366, 768, "1366"), (1920, 1080, "1920"), (390, 844, "390"), (683, 384, "zoom200") })
        {
            await page.SetViewportSizeAsync(w, h);
            var overflow = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > document.documentElement.clientWidth");
            overflow.ShouldBeFalse($"horizontal scroll at {name}");
            await browser.ShotAsync(page, "completed-" + name, $"完了 at {w}×{h}: the counts and both downloads, no sideways scroll");
        }

        await page.SetViewportSizeAsync(1366, 768);
        var xml = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "結果をXMLでダウンロード" }).ClickAsync());
        xml.SuggestedFilename.ShouldBe($"OQSmuquc02res_{reception}.xml");
        var xmlPath = Path.Combine(browser.ShotDirectory, xml.SuggestedFilename);
        await xml.SaveAsAsync(xmlPath);
        var message = XDocument.Load(xmlPath).Root!;
        message.Element("MessageHeader")!.Element("NumberOfNormalProcessing")!.Value.ShouldBe("6");
        message.Element("MessageHeader")!.Element("NumberOfError")!.Value.ShouldBe("1");
        message.Element("MessageBody")!.Elements("BulkConfirmUnit").Select(u => u.Element("QualificationValidity")?.Value ?? "")
            .ShouldBe(["1", "1", "1", "2", "3", "4", ""]);

        var csv = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "結果をCSVでダウンロード" }).ClickAsync());
        csv.SuggestedFilename.ShouldBe($"一括照会結果_{reception}.csv");
        var csvPath = Path.Combine(browser.ShotDirectory, "result.csv");
        await csv.SaveAsAsync(csvPath);
        var bytes = await File.ReadAllBytesAsync(csvPath);
        bytes[..3].ShouldBe(new byte[] { 0xEF, 0xBB, 0xBF });
        var rows = CsvReader.Parse(Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3));
        rows.Count.ShouldBe(8);
        rows.Skip(1).Select(r => r[7]).ShouldBe(["有効", "有効", "有効", "無効", "無効（新しい資格あり）", "該当資格なし", ""]);
        rows[3][4].ShouldBe("00", "the 枝番 the answer found for the row sent without one");
        rows[7][6].ShouldBe("エラー");
        rows[7][11].ShouldContain("検証番号");

        await page.GetByRole(AriaRole.Link, new() { Name = "一括照会の一覧へ戻る" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("bulk-list")).ToContainTextAsync(reception);
        await Assertions.Expect(page.GetByTestId("bulk-list")).ToContainTextAsync("正常 6人・エラー 1人");
        await browser.ShotAsync(page, "list", "一括照会の履歴: 受付番号, ファイル名, 件数, 完了, 正常 6人・エラー 1人, 保存期限");
        await page.SetViewportSizeAsync(390, 844);
        (await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > document.documentElement.clientWidth")).ShouldBeFalse("list at 390");
        await browser.ShotAsync(page, "list-390", "the list at 390 px: the table scrolls inside its own box");
        await page.SetViewportSizeAsync(1366, 768);

        await page.GetByLabel("照会するファイル").SetInputFilesAsync(new FilePayload { Name = "empty.csv", MimeType = "text/csv", Buffer = [] });
        await page.GetByRole(AriaRole.Button, new() { Name = "一括照会を開始" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("error-summary")).ToContainTextAsync("ファイルが空です");
        await Assertions.Expect(page.GetByTestId("error-summary")).ToBeFocusedAsync();
        await browser.ShotAsync(page, "empty-file", "an empty file: the error summary (focused) and the field say 「ファイルが空です」; nothing accepted");

        // A morning's reservations (5,000 patients): the detail page shows 受付 / 処理中 with the progress, and updates itself to 完了.
        var e = server.Demo.Insured[0];
        var many = new StringBuilder("保険者番号,記号,番号,枝番,生年月日,限度額同意\r\n");
        for (var i = 0; i < 5000; i++)
        {
            many.Append(System.Globalization.CultureInfo.InvariantCulture, $"{e.InsurerNumber},{e.Symbol},{e.Number},{e.Branch},{e.Birthdate},0\r\n");
        }

        await page.GetByLabel("照会するファイル").SetInputFilesAsync(new FilePayload { Name = "予約_12月7日.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(many.ToString()) });
        await page.GetByRole(AriaRole.Button, new() { Name = "一括照会を開始" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"/Qualifications/Bulk/Detail/\d{16}$"));
        await browser.ShotAsync(page, "accepted", "5,000 patients accepted: 受付 (or already 処理中), 「最新の状態に更新」; the region updates itself");
        for (var waited = 0; waited < 300; waited++)
        {
            // The region updates itself every 2 s: caught while 処理中 (it may also have finished in between).
            var state = (await page.GetByTestId("state").TextContentAsync())!.Trim();
            if (state == "処理中" && (await page.GetByTestId("bulk-status").TextContentAsync())!.Contains("人 を照会しました", StringComparison.Ordinal))
            {
                await browser.ShotAsync(page, "processing", "処理中: 「n人 / 5,000人 を照会しました」 and the progress bar, updated in place");
                break;
            }

            if (state == "完了")
            {
                break;
            }

            await Task.Delay(100);
        }

        await Assertions.Expect(page.GetByTestId("bulk-status")).ToContainTextAsync("正常 5,000人・エラー 0人", new() { Timeout = 120_000 });
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "結果をCSVでダウンロード" })).ToBeVisibleAsync();
        await browser.ShotAsync(page, "processing-completed", "the same page, updated in place: 完了 and the downloads");
    }
}
