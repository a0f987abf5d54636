using System.Net;
using AngleSharp.Dom;
using Onshi.Core.Features.CallCenter;
using Shouldly;

namespace Onshi.IntegrationTests.Oqs;

/// <summary>
/// The seed's OQS screens item by item (docs/seed-conformance.md): the labels, headings, buttons and messages of P2,
/// P3 and P6–P10 that the flow tests of <see cref="OqsFlowTests"/> pass through without naming, each asserted here
/// against the real endpoint, without JavaScript, on each database.
/// </summary>
public abstract class OqsSeedConformanceTests(string provider) : IAsyncLifetime
{
    private OqsServer server = null!;

    public async ValueTask InitializeAsync() => server = await OqsServer.StartAsync(provider);

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    private OqsClient Terminal() => server.Client(server.Demo.Terminal);

    [Fact]
    public async Task P2_StartPage_LoginForm_AndWhatToDoWhenTheIdOrPasswordIsUnknown()
    {
        using var client = Terminal();

        var start = await client.GetAsync("/");
        var login = await client.GetAsync(start.Q("[data-testid=start]").ShouldNotBeNull().GetAttribute("href")!);

        // P2-3: the start page and its button.
        start.H1.ShouldBe("オンライン資格確認等システム");
        start.Q("[data-testid=start]")!.TextContent.Trim().ShouldBe("システムの利用を始める");
        // P2-4: ユーザID, パスワード, ログイン.
        login.Path.ShouldBe("/Login");
        login.H1.ShouldBe("ログイン");
        login.Q("label[for=UserId]")!.TextContent.Trim().ShouldBe("ユーザID");
        login.Q("#UserId")!.GetAttribute("type").ShouldBe("text");
        login.Q("label[for=Password]")!.TextContent.Trim().ShouldBe("パスワード");
        login.Q("#Password")!.GetAttribute("type").ShouldBe("password");
        login.Q("main form button[type=submit]")!.TextContent.Trim().ShouldBe("ログイン");
        // P2-4 「管理アカウントのユーザIDとパスワードが分からない場合、P3をご確認ください」: P3's ways, on the page.
        var help = login.Q("section[aria-labelledby=trouble]").ShouldNotBeNull();
        help.QuerySelector("h2")!.TextContent.ShouldBe("ログインできない場合");
        help.TextContent.ShouldContain("《アカウント管理（更新）》からパスワードを初期化してください");
        help.TextContent.ShouldContain("マスタアカウントリセット用アカウント");
        help.TextContent.ShouldContain("秘密の番号（数字4桁）");
        help.TextContent.ShouldContain("「マスタアカウント情報ダウンロード」");
        help.TextContent.ShouldContain($"{CallCenterInfo.Name}（電話番号：0800-080-4583）");
        help.TextContent.ShouldContain("秘密の番号を忘れたとご相談ください");

        // P2-4: ログイン completes the login: the menu.
        var admin = server.Account("admin");
        var menu = await client.SubmitAsync(login, "main form", new Dictionary<string, string>
        {
            ["Input.UserId"] = admin.UserId,
            ["Input.Password"] = admin.Password,
        });
        menu.Path.ShouldBe("/Menu");
        menu.H1.ShouldBe("メニュー");
    }

    [Theory]
    [InlineData("master")]
    [InlineData("admin")]
    [InlineData("reset")]
    public async Task P3_Menu_AccountInformationManagement_HoldsAccountManagementUpdate(string kind)
    {
        using var client = Terminal();
        var account = server.Account(kind);

        var menu = await client.LoginAsync(account.UserId, account.Password);

        // 「メニュー」の《アカウント情報管理》から《アカウント管理（更新）》.
        menu.H1.ShouldBe("メニュー");
        var group = menu.Document.QuerySelectorAll("main h2").Single(h => h.TextContent.Trim() == "アカウント情報管理");
        var list = group.NextElementSibling.ShouldNotBeNull();
        list.LocalName.ShouldBe("ul");
        var update = list.QuerySelector("a[href='/Accounts']").ShouldNotBeNull();
        LinkTitle(update).ShouldBe("アカウント管理（更新）");
        var register = list.QuerySelector("a[href='/Accounts/Register']");
        if (kind == "reset")
        {
            // The reset account can do nothing but initialize the master's password (SPEC §3).
            register.ShouldBeNull();
            list.QuerySelector("a[href='/ChangePassword']").ShouldBeNull();
        }
        else
        {
            LinkTitle(register.ShouldNotBeNull()).ShouldBe("アカウント管理（登録）");
            LinkTitle(list.QuerySelector("a[href='/ChangePassword']").ShouldNotBeNull()).ShouldBe("パスワード変更");
        }
    }

    [Fact]
    public async Task P3_P6_MasterSeesTheAdminsUserId_ButNoPassword()
    {
        using var client = Terminal();
        var master = server.Account("master");
        var admin = server.Account("admin");
        await client.LoginAsync(master.UserId, master.Password);

        // P6-2: the search screen, 権限区分「管理者」.
        var search = await client.GetAsync("/Accounts");
        search.Document.QuerySelectorAll("main form label").Select(l => l.TextContent.Trim()).ShouldBe(["ユーザID", "ユーザ名", "権限区分", "状態"]);
        search.Document.QuerySelectorAll("#Kind option").Select(o => o.TextContent.Trim()).Take(4).ShouldBe(["全て", "マスタ", "管理者", "一般"]);
        search.Q("main form button[type=submit]")!.TextContent.Trim().ShouldBe("検索");
        var results = await client.SearchAsync("管理者");
        // P6-3: the admin account and its user ID.
        var row = results.Q($"tbody tr[data-user-id='{admin.UserId}']").ShouldNotBeNull();
        row.QuerySelectorAll("td")[0].TextContent.ShouldBe(admin.UserId);
        row.QuerySelectorAll("td")[2].TextContent.ShouldBe("管理者");
        var detail = await client.OpenDetailAsync(results, admin.UserId);
        detail.Q("[data-testid=detail-user-id]")!.TextContent.ShouldBe(admin.UserId);

        // P3: 「マスタアカウントではIDは確認できますが、パスワードの確認ができない」.
        results.Html.ShouldNotContain(admin.Password);
        detail.Html.ShouldNotContain(admin.Password);
        detail.Document.QuerySelectorAll("input[type=password]").ShouldBeEmpty();
        detail.Document.QuerySelectorAll("a.button").Select(a => a.TextContent.Trim()).ShouldContain("パスワード初期化");
    }

    [Fact]
    public async Task P3_MasterCreatesTheAdminAccount_ItsIdIsFoundUnderAdmin_AndItLogsIn()
    {
        // P3 「管理アカウントは、オンライン資格確認等システム導入時に必ず作成しています」: the master creates it.
        using var client = Terminal();
        var master = server.Account("master");
        await client.LoginAsync(master.UserId, master.Password);
        var form = await client.GetAsync("/Accounts/Register");
        form.H1.ShouldBe("アカウント管理（登録）");
        var kind = form.Document.QuerySelectorAll("#Kind option").Single(o => o.TextContent.Trim() == "管理者");

        var result = await client.SubmitAsync(form, "main form", new Dictionary<string, string>
        {
            ["Input.Kind"] = kind.GetAttribute("value")!,
            ["Input.UserId"] = "SAMPLE02",
            ["Input.DisplayName"] = "導入 管理者",
        });

        result.H1.ShouldBe("パスワード");
        result.Q("#issued-text")!.TextContent.ShouldBe("アカウントを登録しました。利用者にパスワード情報を通知してください。");
        RowHeaders(result).Take(2).ShouldBe(["ユーザID", "初期パスワード"]);
        ButtonTexts(result).ShouldBe(["パスワード表示", "ダウンロード", "OK"]);
        (await client.SearchAsync("管理者")).ResultUserIds().ShouldContain("SAMPLE02");
        using var adminClient = Terminal();
        (await adminClient.LoginAsync("SAMPLE02", result.IssuedPassword())).Path.ShouldBe("/ChangePassword");
    }

    [Fact]
    public async Task P8_Confirmation_Cancel_ReturnsToTheDetail_AndChangesNothing()
    {
        using var client = Terminal();
        var master = server.Account("master");
        var admin = server.Account("admin");
        await client.LoginAsync(master.UserId, master.Password);
        var detail = await client.OpenDetailAsync(await client.SearchAsync("管理者"), admin.UserId);
        var before = await server.AccountRowAsync(admin.UserId);

        // P8-5 with JavaScript: the <dialog> on the detail page.
        var dialog = detail.Q("dialog#init-dialog").ShouldNotBeNull();
        dialog.QuerySelector("h2")!.TextContent.ShouldBe("パスワード初期化");
        dialog.QuerySelector("p")!.TextContent.ShouldBe("パスワードを初期化します。よろしいですか？");
        dialog.QuerySelectorAll("button").Select(b => b.TextContent.Trim()).ShouldBe(["OK", "キャンセル"]);
        // P8-5 without JavaScript: the same question as a page; キャンセル goes back.
        var href = detail.Document.QuerySelectorAll("a.button").Single(a => a.TextContent.Trim() == "パスワード初期化").GetAttribute("href")!;
        var confirm = await client.GetAsync(href);
        confirm.H1.ShouldBe("パスワード初期化");
        var cancel = confirm.Document.QuerySelectorAll("main a").Single(a => a.TextContent.Trim() == "キャンセル");
        var back = await client.GetAsync(cancel.GetAttribute("href")!);

        back.Path.ShouldBe($"/Accounts/Detail/{before.Id}");
        back.H1.ShouldBe("アカウント情報");
        var after = await server.AccountRowAsync(admin.UserId);
        after.PasswordHash.ShouldBe(before.PasswordHash);
        after.SecurityStamp.ShouldBe(before.SecurityStamp);
        using var adminClient = Terminal();
        (await adminClient.LoginAsync(admin.UserId, admin.Password)).Path.ShouldBe("/Menu");
    }

    [Fact]
    public async Task P8_PasswordShowAndHide_WorkWithoutJavaScript_DownloadAndOkFinish()
    {
        using var client = Terminal();
        var master = server.Account("master");
        var admin = server.Account("admin");
        await client.LoginAsync(master.UserId, master.Password);
        var adminId = (await server.AccountRowAsync(admin.UserId)).Id;
        var result = await client.InitializePasswordAsync(await client.OpenDetailAsync(await client.SearchAsync("管理者"), admin.UserId));
        var temporary = result.IssuedPassword();

        // P8-6: 「パスワード」, the message, ユーザID, 初期化後のパスワード masked, パスワード表示 / ダウンロード / OK.
        result.H1.ShouldBe("パスワード");
        result.Q("#issued-text")!.TextContent.ShouldBe("パスワードを初期化しました。利用者にパスワード情報を通知してください。");
        RowHeaders(result).Take(2).ShouldBe(["ユーザID", "初期化後のパスワード"]);
        result.Q("#issued-password")!.TextContent.ShouldBe("●●●●●●●●");
        ButtonTexts(result).ShouldBe(["パスワード表示", "ダウンロード", "OK"]);

        // 「パスワード表示」 shows it, and the button reads 「パスワード非表示」; that hides it again.
        var shown = await client.SubmitAsync(result, "form[action*='handler=Reveal']");
        shown.Status.ShouldBe(HttpStatusCode.OK);
        shown.H1.ShouldBe("パスワード");
        shown.Q("#issued-password")!.TextContent.ShouldBe(temporary);
        ButtonTexts(shown).ShouldBe(["パスワード非表示", "ダウンロード", "OK"]);
        var hidden = await client.SubmitAsync(shown, "form[action*='handler=Hide']");
        hidden.Q("#issued-password")!.TextContent.ShouldBe("●●●●●●●●");
        ButtonTexts(hidden).ShouldBe(["パスワード表示", "ダウンロード", "OK"]);

        // 「ダウンロード」: アカウント設定情報をPDFファイルに出力します.
        using var pdf = await client.SubmitRawAsync(hidden, "form[action*='handler=Download']");
        pdf.Content.Headers.ContentType!.MediaType.ShouldBe("application/pdf");
        var text = await PdfText.ExtractAsync(await pdf.Content.ReadAsByteArrayAsync());
        text.ShouldContain("アカウント設定情報");
        text.ShouldContain(admin.UserId);
        text.ShouldContain(temporary);

        // 「OK」: パスワード初期化を完了します (back to the account).
        var ok = hidden.Q("[data-testid=issued-ok]")!;
        ok.TextContent.Trim().ShouldBe("OK");
        var done = await client.GetAsync(ok.GetAttribute("href")!);
        done.Path.ShouldBe($"/Accounts/Detail/{adminId}");
        done.Text.ShouldContain("仮パスワード");

        // The token behind 「パスワード表示」 keeps its 10 minutes.
        server.Time.Advance(TimeSpan.FromMinutes(11));
        var late = await client.SubmitAsync(result, "form[action*='handler=Reveal']");
        late.Q("#issued-password").ShouldBeNull();
        late.Text.ShouldContain("表示期限が過ぎたため、パスワードは表示できません。");
        late.Html.ShouldNotContain(temporary);
    }

    [Fact]
    public async Task P10_ResetAccount_SearchesAll_InitializesTheMaster_SameDialogs()
    {
        using var client = Terminal();
        var reset = server.Account("reset");
        var master = server.Account("master");
        await client.LoginAsync(reset.UserId, reset.Password);

        var results = await client.SearchAsync("全て");
        results.Q($"tbody tr[data-user-id='{master.UserId}']")!.QuerySelectorAll("td")[2].TextContent.ShouldBe("マスタ");
        var detail = await client.OpenDetailAsync(results, master.UserId);
        var result = await client.InitializePasswordAsync(detail);

        result.Q("#issued-text")!.TextContent.ShouldBe("パスワードを初期化しました。利用者にパスワード情報を通知してください。");
        result.Q("[data-testid=issued-user-id]")!.TextContent.ShouldBe(master.UserId);
        result.Q("#issued-password")!.TextContent.ShouldBe("●●●●●●●●");
        ButtonTexts(result).ShouldBe(["パスワード表示", "ダウンロード", "OK"]);
        var shown = await client.SubmitAsync(result, "form[action*='handler=Reveal']");
        shown.Q("#issued-password")!.TextContent.ShouldBe(result.IssuedPassword());
        ButtonTexts(shown).ShouldContain("パスワード非表示");
        // P3 step 4: the reset account logs out.
        shown.Q("header form button")!.TextContent.Trim().ShouldBe("ログアウト");
    }

    [Fact]
    public async Task P3_CallCenter_NumberAndHours_OnEveryPage()
    {
        using var client = Terminal();
        using var stranger = server.Client((Onshi.Cli.Commands.DemoTerminal?)null);

        foreach (var page in new[] { await client.GetAsync("/"), await client.GetAsync("/Login"), await stranger.GetAsync("/") })
        {
            var footer = page.Q("footer").ShouldNotBeNull().TextContent;
            footer.ShouldContain("オンライン資格確認等コールセンター");
            footer.ShouldContain("0800-080-4583");
            footer.ShouldContain("月曜日～金曜日：8:00-18:00");
            footer.ShouldContain("土曜日：8:00-16:00");
            footer.ShouldContain("（いずれも祝日を除く）");
        }
    }

    private static string LinkTitle(IElement link) => link.ChildNodes[0].TextContent.Trim();

    private static IReadOnlyList<string> RowHeaders(OqsPage page) =>
        [.. page.Document.QuerySelectorAll("[role=dialog] th").Select(t => t.TextContent.Trim())];

    /// <summary>The dialog's buttons, in order.</summary>
    private static IReadOnlyList<string> ButtonTexts(OqsPage page) =>
        [.. page.Document.QuerySelectorAll("main .button-row button, main .button-row a").Select(b => b.TextContent.Trim())];
}

public sealed class OqsSeedConformanceTestsSqlite() : OqsSeedConformanceTests("sqlite");

public sealed class OqsSeedConformanceTestsPostgres() : OqsSeedConformanceTests("postgres");
