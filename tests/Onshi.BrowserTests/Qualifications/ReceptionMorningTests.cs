using System.IO.Compression;
using System.Xml.Linq;
using Microsoft.Playwright;
using Onshi.BrowserTests.Oqs;
using Onshi.IntegrationTests.Oqs;
using Shouldly;

namespace Onshi.BrowserTests.Qualifications;

/// <summary>
/// A receptionist's morning in Chromium (issue 15): the 一般 account opens 資格情報照会 from the メニュー and confirms the
/// demo patients one after another with the keyboard — 有効, the 一部負担金割合 warning, 無効（新しい資格あり）, 無効, 複数該当
/// then the 枝番, 限度額 and 特定疾病 with consent and a name outside Shift_JIS — the focus back on 保険者番号 after each;
/// then the master lists the day's results and exports them as XML (OQSsiquc01res, zipped) and CSV. axe-core on every step;
/// the answer also at 1366×768, 1920×1080, 390 px and 200 %.
/// </summary>
public sealed class ReceptionMorningTests : IAsyncLifetime
{
    private OqsServer server = null!;

    public async ValueTask InitializeAsync() => server = await OqsServer.StartAsync("sqlite");

    public async ValueTask DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task Receptionist_ConfirmsTheMorningsPatients_AndTheMasterExportsTheResults()
    {
        var insured = server.Demo.Insured;
        insured.Select(i => i.Validity).Distinct().Count().ShouldBe(5);
        await using var browser = await BrowserSession.StartAsync(server, "qualification-morning");
        var page = await browser.NewPageAsync(server, server.Demo.Terminal);
        await LoginAsync(page, "general");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "資格確認" })).ToBeVisibleAsync();
        await browser.ShotAsync(page, "menu", "the 一般 account's メニュー opens with 《資格確認》");
        await page.GetByRole(AriaRole.Link, new() { Name = "資格情報照会" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("保険者番号")).ToBeFocusedAsync();
        await browser.ShotAsync(page, "form", "資格情報照会: one form, the focus on 保険者番号");

        async Task LookUpAsync(Onshi.Cli.Seeding.DemoInsuredEntry e, string expected, string shot, bool consent = false, bool typeBranch = true)
        {
            // Typed as a receptionist types: field to field with Tab, Enter to send.
            await page.Keyboard.TypeAsync(e.InsurerNumber);
            await page.Keyboard.PressAsync("Tab");
            await page.Keyboard.TypeAsync(e.Symbol);
            await page.Keyboard.PressAsync("Tab");
            await page.Keyboard.TypeAsync(e.Number);
            await page.Keyboard.PressAsync("Tab");
            if (typeBranch && e.Branch is { } b)
            {
                await page.Keyboard.TypeAsync(b);
            }

            await page.Keyboard.PressAsync("Tab");
            await page.Keyboard.TypeAsync(e.Birthdate);
            if (consent)
            {
                await page.GetByLabel("患者から限度額適用認定証・特定疾病療養受療証の情報提供に同意を得た").CheckAsync();
                await page.GetByLabel("生年月日").FocusAsync();
            }

            await page.Keyboard.PressAsync("Enter");
            await Assertions.Expect(page.GetByTestId("validity")).ToHaveTextAsync(expected);
            await browser.ShotAsync(page, shot, $"{e.Name}: {expected}");
        }

        var yamada = insured[0];
        await LookUpAsync(yamada, "有効", "valid");
        await Assertions.Expect(page.GetByLabel("保険者番号")).ToBeFocusedAsync();
        await Assertions.Expect(page.GetByLabel("保険者番号")).ToHaveValueAsync("");
        await Assertions.Expect(page.GetByTestId("answer")).ToContainTextAsync(yamada.Name);

        var takahashi = insured.Single(i => i.Name.StartsWith("髙橋", StringComparison.Ordinal));
        await LookUpAsync(takahashi, "有効", "ratio-warning");
        await Assertions.Expect(page.GetByTestId("ratio-warning")).ToContainTextAsync("一部負担金割合をご確認ください");

        var changed = insured.Single(i => i.Validity == 3);
        await LookUpAsync(changed, "無効（新しい資格あり）", "newer");
        await Assertions.Expect(page.GetByTestId("why")).ToContainTextAsync("新しい資格があります");

        var welfare = insured.Single(i => i.Validity == 2);
        await LookUpAsync(welfare, "無効", "invalid");
        await Assertions.Expect(page.GetByTestId("why")).ToContainTextAsync("生活保護受給開始");

        var twins = insured.Single(i => i.Validity == 5);
        await LookUpAsync(twins, "複数該当", "multiple", typeBranch: false);
        await Assertions.Expect(page.GetByLabel("枝番")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("02");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByTestId("validity")).ToHaveTextAsync("有効");
        await Assertions.Expect(page.GetByTestId("answer")).ToContainTextAsync("山田　蓮");
        await browser.ShotAsync(page, "twin-found", "複数該当, then the 枝番 02: 山田　蓮, 未就学 2割");

        var yoshida = insured.Single(i => i.Name.Contains("𠮷", StringComparison.Ordinal));
        await LookUpAsync(yoshida, "有効", "limit-and-disease", consent: true);
        await Assertions.Expect(page.GetByTestId("answer")).ToContainTextAsync("低所得Ⅱ");
        await Assertions.Expect(page.GetByTestId("answer")).ToContainTextAsync("透析");
        await Assertions.Expect(page.GetByTestId("answer")).ToContainTextAsync("Shift_JISで表せない文字");

        foreach (var (w, h, name) in new[] { (1366, 768, "1366"), (1920, 1080, "1920"), (390, 844, "390"), (683, 384, "zoom200") })
        {
            await page.SetViewportSizeAsync(w, h);
            var overflow = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > document.documentElement.clientWidth");
            overflow.ShouldBeFalse($"horizontal scroll at {name}");
            await browser.ShotAsync(page, "answer-" + name, $"the answer at {w}×{h}: no sideways scroll");
        }

        await page.SetViewportSizeAsync(1366, 768);
        var bad = insured[0] with { InsurerNumber = "01130013" };
        await page.Keyboard.PressAsync("Escape");
        await page.GetByLabel("保険者番号").FocusAsync();
        await LookUpBadAsync(page, bad);
        await browser.ShotAsync(page, "bad-check-digit", "a wrong 検証番号: the error summary names the last digit, nothing looked up");

        // The master lists the morning and exports it.
        var master = await browser.NewPageAsync(server, server.Demo.Terminal);
        await LoginAsync(master, "master");
        await master.GetByRole(AriaRole.Link, new() { Name = "資格確認結果一覧" }).ClickAsync();
        await master.GetByRole(AriaRole.Button, new() { Name = "検索", Exact = true }).ClickAsync();
        await Assertions.Expect(master.GetByTestId("count")).ToHaveTextAsync("1~7 件目 / 7 件");
        await browser.ShotAsync(master, "results", "資格確認結果一覧: the seven lookups, newest first");
        await master.GetByLabel("資格有効性").SelectOptionAsync(new SelectOptionValue { Label = "複数該当" });
        await master.GetByRole(AriaRole.Button, new() { Name = "検索", Exact = true }).ClickAsync();
        await Assertions.Expect(master.GetByTestId("count")).ToHaveTextAsync("1~1 件目 / 1 件");
        await master.GetByLabel("資格有効性").SelectOptionAsync(new SelectOptionValue { Label = "全て" });
        await master.GetByRole(AriaRole.Button, new() { Name = "検索", Exact = true }).ClickAsync();
        await Assertions.Expect(master.GetByTestId("count")).ToHaveTextAsync("1~7 件目 / 7 件");

        var zip = await master.RunAndWaitForDownloadAsync(() => master.GetByRole(AriaRole.Link, new() { Name = "XML出力" }).ClickAsync());
        var zipPath = Path.Combine(browser.ShotDirectory, "results.zip");
        await zip.SaveAsAsync(zipPath);
        using (var archive = ZipFile.OpenRead(zipPath))
        {
            archive.Entries.Count.ShouldBe(7);
            archive.Entries.ShouldAllBe(e => e.Name.StartsWith("OQSsiquc01res_", StringComparison.Ordinal) && e.Name.EndsWith(".xml", StringComparison.Ordinal));
            foreach (var entry in archive.Entries)
            {
                await using var s = entry.Open();
                var xml = XDocument.Load(s);
                xml.Root!.Name.LocalName.ShouldBe("XmlMsg");
                xml.Root.Element("MessageHeader")!.Element("MedicalInstitutionCode")!.Value.ShouldBe(server.Demo.Institution.Code);
                xml.Root.Element("MessageBody")!.Element("QualificationValidity")!.Value.ShouldBeOneOf("1", "2", "3", "5");
            }
        }

        var csv = await master.RunAndWaitForDownloadAsync(() => master.GetByRole(AriaRole.Link, new() { Name = "CSV出力" }).ClickAsync());
        var csvPath = Path.Combine(browser.ShotDirectory, "results.csv");
        await csv.SaveAsAsync(csvPath);
        var bytes = await File.ReadAllBytesAsync(csvPath);
        bytes[..3].ShouldBe(new byte[] { 0xEF, 0xBB, 0xBF });
        var text = System.Text.Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3);
        text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(8);
        text.ShouldContain("無効（新しい資格あり）");

        await master.Locator("[data-testid=results] a").First.ClickAsync();
        await Assertions.Expect(master.GetByTestId("validity")).ToBeVisibleAsync();
        await browser.ShotAsync(master, "result-detail", "a result from the list: what the desk saw");
    }

    private static async Task LookUpBadAsync(IPage page, Onshi.Cli.Seeding.DemoInsuredEntry e)
    {
        await page.GetByLabel("保険者番号").FillAsync(e.InsurerNumber);
        await page.GetByLabel("番号", new() { Exact = true }).FillAsync(e.Number);
        await page.GetByLabel("生年月日").FillAsync(e.Birthdate);
        await page.GetByLabel("生年月日").PressAsync("Enter");
        await Assertions.Expect(page.GetByTestId("error-summary")).ToContainTextAsync("検証番号");
    }

    private async Task LoginAsync(IPage page, string kind)
    {
        var account = server.Account(kind);
        await page.GotoAsync(server.BaseAddress + "Login");
        await page.GetByLabel("ユーザID").FillAsync(account.UserId);
        await page.GetByLabel("パスワード").FillAsync(account.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "ログイン" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "メニュー" })).ToBeVisibleAsync();
    }
}
