using System.Net;
using Onshi.Core.Features.Login;
using Onshi.Core.Features.PortalAccounts;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Oqs;
using Shouldly;

namespace Onshi.IntegrationTests.Portal;

/// <summary>The portal's accounts (seed P4, SPEC §6) against the real endpoint, on each database.</summary>
public abstract class PortalFlowTests(string provider) : IAsyncLifetime
{
    private const string Generic = "ユーザーIDまたはパスワードが正しくないか、アカウントがロックされているか無効になっています。";

    private PortalServer server = null!;

    public async ValueTask InitializeAsync() => server = await PortalServer.StartAsync(provider);

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task LoginPage_ShowsTheSeedTexts_EmptyFormAsksForBoth()
    {
        using var client = server.Client();

        var login = await client.GetAsync("/Account/Login");
        var empty = await client.SubmitAsync(login, "main form");

        login.H1.ShouldBe("ログイン");
        login.Q("label[for=Email]")!.TextContent.ShouldBe("ユーザーID (原則メールアドレス)");
        login.Q("label[for=Password]")!.TextContent.ShouldBe("パスワード");
        login.Q("a[href='/Account/ForgotPassword']")!.TextContent.ShouldBe("パスワードの再設定");
        login.Q("[data-testid=register-link]")!.TextContent.Trim().ShouldBe("アカウントがありませんか? 新規登録はこちら");
        login.Q("main button[type=submit]")!.TextContent.ShouldBe("ログイン");
        empty.Status.ShouldBe(HttpStatusCode.OK);
        empty.Errors.ShouldBe(["ユーザーID・パスワードを入力してください。"]);
    }

    [Fact]
    public async Task Register_Verify_Login_HomeShowsCategoriesAndItems_Logout()
    {
        using var client = server.Client();
        const string email = "hanako@clinic.example.jp";

        var sent = await client.RegisterAsync(email);
        var mail = server.LastMailTo(email);
        var beforeVerify = await client.PortalLoginAsync(email, PortalStories.Password);
        var verified = await client.GetAsync(server.LinkOf(mail));
        var home = await client.PortalLoginAsync(email, PortalStories.Password);

        sent.H1.ShouldBe("確認メールを送信しました");
        mail.Subject.ShouldBe("【医療機関等向け総合ポータルサイト】メールアドレスの確認");
        mail.Body.ShouldContain("山田 花子 様");
        beforeVerify.Errors.Single().ShouldContain(Generic);
        verified.H1.ShouldBe("メールアドレスの確認が完了しました");
        verified.Q("a[href^='/Account/Login']").ShouldNotBeNull();
        home.Path.ShouldBe("/");
        home.Q("[data-testid=current-user]")!.TextContent.ShouldBe(email);
        home.Q("[data-testid=categories] h2")!.TextContent.ShouldBe("カテゴリ");
        home.Document.QuerySelectorAll("[data-testid=categories] li").Select(e => e.TextContent.Trim())
            .ShouldBe(["オンライン資格確認", "訪問診療等・オンライン診療等", "医療扶助", "電子処方箋管理サービス", "オンライン請求"]);
        var items = home.Document.QuerySelectorAll("[data-testid=online-eligibility] li a").ToList();
        items.Select(a => a.GetAttribute("href")).ShouldBe(["/OnlineEligibility/Application", "/OnlineEligibility/MasterAccount",
            "/OnlineEligibility/OperationStart", "/OnlineEligibility/Certificates", "/OnlineEligibility/Subsidy", "/OnlineEligibility/GrantNotices"]);
        items.Select(a => a.ChildNodes[0].TextContent).ShouldBe(["利用開始・変更申請", "マスタアカウント情報ダウンロード", "運用開始日登録",
            "電子証明書発行申請", "補助金申請", "交付決定通知書ダウンロード"]);
        items[0].QuerySelector("small")!.TextContent.ShouldBe("こちらからオンライン資格確認の利用申請を実施いただけます。");
        items[1].QuerySelector("small")!.TextContent.ShouldBe("こちらからオンライン資格確認のマスタアカウント情報がダウンロードいただけます。");
        items[3].QuerySelector("small")!.TextContent.ShouldBe("こちらから電子証明書発行の個別申請・申請照会を実施いただけます。");
        home.Text.ShouldContain("0800-080-4583");

        // The idle-timeout warning of the shared layout (issue 14, item 9): on the signed-in pages, and its 「ログインを延長する」 answers.
        home.Q("dialog#idle-warning[role=alertdialog]").ShouldNotBeNull();
        using (var extend = await client.SubmitRawAsync(home, "dialog#idle-warning form", Onshi.Web.Pages.Session.ExtendModel.ScriptHeader))
        {
            extend.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        }

        beforeVerify.Q("dialog#idle-warning").ShouldBeNull();

        // No broken link anywhere on the home page.
        foreach (var href in home.Document.QuerySelectorAll("main a").Select(a => a.GetAttribute("href")!).Distinct())
        {
            (await client.GetAsync(href)).Status.ShouldBe(HttpStatusCode.OK, href);
        }

        var loggedOut = await client.PortalLogoutAsync();
        loggedOut.H1.ShouldBe("ログアウトしました");
        (await client.GetAsync("/")).Path.ShouldBe("/Account/Login");
        var user = (await server.UsersAsync(email)).Single();
        user.EmailConfirmed.ShouldBeTrue();
        (await server.AuditAsync(PortalAuditActions.Register)).ShouldContain(a => a.Detail == "verification-sent");
        (await server.AuditAsync(PortalAuditActions.Verify)).Count.ShouldBe(1);
        (await server.AuditAsync(PortalAuditActions.Login)).Select(a => (a.Outcome, a.Detail))
            .ShouldBe([("failure", "unconfirmed"), ("success", "")]);
        (await server.AuditAsync(PortalAuditActions.Logout)).Single().Actor.ShouldBe(PortalAuditActions.Actor(user.Id));
    }

    [Fact]
    public async Task Login_UnverifiedUnknownAndWrong_OneGenericMessage()
    {
        await server.RegisterVerifiedAsync("verified@example.jp");
        using var client = server.Client();
        (await client.RegisterAsync("pending@example.jp")).H1.ShouldBe("確認メールを送信しました");

        var unverified = await client.PortalLoginAsync("pending@example.jp", PortalStories.Password);
        var unknown = await client.PortalLoginAsync("nobody@example.jp", PortalStories.Password);
        var wrong = await client.PortalLoginAsync("verified@example.jp", PortalStories.Password + "x");

        unverified.Path.ShouldBe("/Account/Login");
        unverified.Errors.ShouldBe(unknown.Errors);
        wrong.Errors.ShouldBe(unknown.Errors);
        unknown.Errors.Single().ShouldBe(PortalAccountErrors.GenericLoginFailure(new LoginOptions()));
        var audit = await server.AuditAsync(PortalAuditActions.Login);
        audit.ShouldContain(a => a.Detail == "unknown-user" && a.Actor == "(unknown)");
        audit.ShouldAllBe(a => !a.Actor.Contains('@') && !a.Target.Contains('@') && !a.Detail.Contains('@'));
    }

    [Fact]
    public async Task Register_AlreadyRegistered_AnswersLikeNew_MailsNotice_NoSecondRow()
    {
        const string email = "taken@example.jp";
        await server.RegisterVerifiedAsync(email);
        using var client = server.Client();

        var again = await client.RegisterAsync(email.ToUpperInvariant(), "別人", "Other-Pass#2025");

        again.H1.ShouldBe("確認メールを送信しました");
        again.Text.ShouldBe((await client.GetAsync("/Account/Register?sent=1")).Text);
        (await server.UsersAsync(email)).Count.ShouldBe(1);
        var notice = server.LastMailTo(email);
        notice.Subject.ShouldBe("【医療機関等向け総合ポータルサイト】アカウント登録のお知らせ");
        server.LinkOf(notice).ShouldStartWith("/Account/ResetPassword?token=");
        (await client.PortalLoginAsync(email, "Other-Pass#2025")).Errors.Single().ShouldContain(Generic);
        (await client.PortalLoginAsync(email, PortalStories.Password)).Path.ShouldBe("/");
        (await server.AuditAsync(PortalAuditActions.Register)).ShouldContain(a => a.Detail == "already-registered");
    }

    [Fact]
    public async Task ResetPassword_ByMailedLink_OldRefused_LinkSingleUse_SessionsEnded()
    {
        const string email = "reset@example.jp";
        const string newPassword = "Brand-New#Pass2025";
        await server.RegisterVerifiedAsync(email);
        using var other = server.Client();
        (await other.PortalLoginAsync(email, PortalStories.Password)).Path.ShouldBe("/");
        using var client = server.Client();
        var mailsBefore = server.Mails().Count;

        var unknownAnswer = await client.ForgotPasswordAsync("nobody@example.jp");
        server.Mails().Count.ShouldBe(mailsBefore);
        var answer = await client.ForgotPasswordAsync(email);
        var mail = server.LastMailTo(email);
        var link = server.LinkOf(mail);
        var form = await client.GetAsync(link);
        var mismatch = await client.SubmitAsync(form, "main form", new Dictionary<string, string>
        {
            ["Input.Password"] = newPassword,
            ["Input.ConfirmPassword"] = newPassword + "x",
        });
        var done = await client.SubmitAsync(form, "main form", new Dictionary<string, string>
        {
            ["Input.Password"] = newPassword,
            ["Input.ConfirmPassword"] = newPassword,
        });
        // The same form posted again (a second tab, a replayed request): the link is used up.
        var replay = await client.SubmitAsync(form, "main form", new Dictionary<string, string>
        {
            ["Input.Password"] = "Another-One#2025",
            ["Input.ConfirmPassword"] = "Another-One#2025",
        });

        answer.Text.ShouldBe(unknownAnswer.Text);
        answer.Q("[data-testid=sent]").ShouldNotBeNull();
        mail.Subject.ShouldBe("【医療機関等向け総合ポータルサイト】パスワードの再設定");
        form.H1.ShouldBe("パスワードの再設定");
        mismatch.Errors.ShouldContain(PortalAccountErrors.ConfirmMismatch().Message);
        done.Path.ShouldBe("/Account/Login");
        done.Text.ShouldContain("パスワードを再設定しました");
        (await client.PortalLoginAsync(email, PortalStories.Password)).Errors.Single().ShouldContain(Generic);
        (await client.PortalLoginAsync(email, newPassword)).Path.ShouldBe("/");
        (await other.GetAsync("/")).Path.ShouldBe("/Account/Login");
        (await client.GetAsync(link)).Q("[data-testid=link-invalid]").ShouldNotBeNull();
        replay.Q("[data-testid=link-invalid]").ShouldNotBeNull();
        (await server.AuditAsync(PortalAuditActions.Reset)).Single().Detail.ShouldBe("sessions-ended:1");
        // The ended session has its own end row, with the reason, as every other session end.
        (await server.AuditAsync(PortalAuditActions.SessionEnd)).Select(a => a.Detail).ShouldBe(["password-changed"]);
        (await server.AuditAsync(PortalAuditActions.ResetRequest)).Select(a => a.Detail).ShouldBe(["unknown-user", "sent"]);
    }

    [Fact]
    public async Task ResetLink_AfterOneHour_IsRefused()
    {
        const string email = "late@example.jp";
        await server.RegisterVerifiedAsync(email);
        using var client = server.Client();
        await client.ForgotPasswordAsync(email);
        var link = server.LinkOf(server.LastMailTo(email));

        server.Time.Advance(TimeSpan.FromMinutes(61));
        var page = await client.GetAsync(link);

        page.Status.ShouldBe(HttpStatusCode.OK);
        page.Q("[data-testid=link-invalid]").ShouldNotBeNull();
    }

    [Fact]
    public async Task Verify_BadOrExpiredToken_ClearPage_NoConfirmation()
    {
        using var client = server.Client();
        await client.RegisterAsync("slow@example.jp");
        var link = server.LinkOf(server.LastMailTo("slow@example.jp"));

        var garbage = await client.GetAsync("/Account/Verify?token=not-a-token");
        var none = await client.GetAsync("/Account/Verify");
        var huge = await client.GetAsync("/Account/Verify?token=" + new string('A', 3000));
        server.Time.Advance(TimeSpan.FromHours(25));
        var expired = await client.GetAsync(link);

        foreach (var page in new[] { garbage, none, huge, expired })
        {
            page.Status.ShouldBe(HttpStatusCode.OK);
            page.H1.ShouldBe("メールアドレスを確認できませんでした");
        }

        // Unconfirmed, or already deleted by the sweep once its link expired (issue 14, 15).
        (await server.UsersAsync("slow@example.jp")).ShouldAllBe(u => !u.EmailConfirmed);
    }

    [Fact]
    public async Task Lockout_AfterFiveWrongPasswords_GenericMessage_Audited_EndsAfter30Minutes()
    {
        const string email = "locked@example.jp";
        await server.RegisterVerifiedAsync(email);
        using var client = server.Client();

        for (var i = 0; i < 5; i++)
        {
            (await client.PortalLoginAsync(email, "Wrong-Pass#" + i)).Errors.Single().ShouldBe(PortalAccountErrors.GenericLoginFailure(new LoginOptions()));
        }

        var whileLocked = await client.PortalLoginAsync(email, PortalStories.Password);

        whileLocked.Errors.Single().ShouldBe(PortalAccountErrors.GenericLoginFailure(new LoginOptions()));
        (await server.UsersAsync(email)).Single().LockoutEnd.ShouldNotBeNull();
        (await server.AuditAsync(PortalAuditActions.Lockout)).Count.ShouldBe(1);
        (await server.AuditAsync(PortalAuditActions.Login)).Select(a => a.Detail).ShouldContain("locked");
        server.Time.Advance(TimeSpan.FromMinutes(31));
        (await client.PortalLoginAsync(email, PortalStories.Password)).Path.ShouldBe("/");
    }

    [Fact]
    public async Task Register_BadInput_JapaneseMessages_NothingStored_Never500()
    {
        using var client = server.Client();
        var longEmail = new string('a', 250) + "@example.jp";

        var invalid = await client.RegisterAsync("not-an-address");
        var shortPassword = await client.RegisterAsync("short@example.jp", password: "Ab1!");
        var mismatch = await client.RegisterAsync("mismatch@example.jp", confirm: "Different#Pass2025");
        var tooLong = await client.RegisterAsync(longEmail);
        var longName = await client.RegisterAsync("name@example.jp", displayName: new string('名', 51));
        var empty = await client.RegisterAsync("", "", "", "");
        var japanese = await client.RegisterAsync("全角@example.jp");

        invalid.Errors.ShouldContain(PortalAccountErrors.EmailInvalid().Message);
        shortPassword.Errors.ShouldContain("パスワードは8文字以上で入力してください。");
        mismatch.Errors.ShouldContain(PortalAccountErrors.ConfirmMismatch().Message);
        tooLong.Errors.ShouldContain(PortalAccountErrors.EmailTooLong().Message);
        longName.Errors.ShouldContain(PortalAccountErrors.DisplayNameTooLong().Message);
        empty.Errors.ShouldContain(PortalAccountErrors.EmailRequired().Message);
        empty.Errors.ShouldContain(PortalAccountErrors.DisplayNameRequired().Message);
        empty.Errors.ShouldContain(PortalAccountErrors.PasswordRequired().Message);
        japanese.Errors.ShouldContain(PortalAccountErrors.EmailInvalid().Message);
        foreach (var page in new[] { invalid, shortPassword, mismatch, tooLong, longName, empty, japanese })
        {
            page.Status.ShouldBe(HttpStatusCode.OK);
            page.H1.ShouldBe("新規登録");
            page.Html.ShouldNotContain("Exception");
            page.Q("#Password")!.GetAttribute("value").ShouldBeNullOrEmpty();
        }

        (await server.WithDbAsync(db => Task.FromResult(db.PortalUsers.Count()))).ShouldBe(0);
        server.Mails().ShouldBeEmpty();
    }

    [Fact]
    public async Task Register_DisplayNameAsInvalidUtf8_RefusedInJapanese_NothingStored()
    {
        using var client = server.Client();
        var form = await client.GetAsync("/Account/Register");
        var token = form.Q("input[name=__af]")!.GetAttribute("value")!;

        // The name's bytes are not UTF-8 (as a broken client would send them): the decoder makes U+FFFD of them.
        var body = new MemoryStream();
        body.Write(System.Text.Encoding.ASCII.GetBytes("__af=" + Uri.EscapeDataString(token) + "&Input.Email=utf8%40example.jp&Input.DisplayName="));
        body.Write([0xE5, 0xB1, 0xB1, 0xC3, 0x28, 0xFF]);
        body.Write(System.Text.Encoding.ASCII.GetBytes("&Input.Password=" + Uri.EscapeDataString(PortalStories.Password)
            + "&Input.ConfirmPassword=" + Uri.EscapeDataString(PortalStories.Password)));
        var content = new ByteArrayContent(body.ToArray());
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-www-form-urlencoded");
        using var response = await client.Http.PostAsync("/Account/Register", content);
        var html = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        html.ShouldContain(PortalAccountErrors.DisplayNameInvalid().Message);
        (await server.UsersAsync("utf8@example.jp")).ShouldBeEmpty();
        server.Mails().ShouldBeEmpty();
    }

    [Fact]
    public async Task Register_PasswordWithTheAddressLocalPartOrAProductWord_RefusedInJapanese_NothingStored()
    {
        using var client = server.Client();

        var local = await client.RegisterAsync("yamada.hanako@clinic.example.jp", password: "Hanako#2025kx");
        var product = await client.RegisterAsync("context@clinic.example.jp", password: "Portal-Madoguchi#1");

        foreach (var (page, word) in new[] { (local, "hanako"), (product, "portal") })
        {
            page.H1.ShouldBe("新規登録");
            page.Errors.ShouldContain(Onshi.Core.Features.Passwords.PasswordErrors.ContainsContextWord(word).Message);
            page.Html.ShouldNotContain("onshi");
            page.Q("#Password")!.GetAttribute("value").ShouldBeNullOrEmpty();
        }

        (await server.WithDbAsync(db => Task.FromResult(db.PortalUsers.Count()))).ShouldBe(0);
        server.Mails().ShouldBeEmpty();
    }

    [Fact]
    public async Task Post_WithoutAntiforgeryToken_Is400JapanesePage_NothingStored()
    {
        using var client = server.Client();
        await client.GetAsync("/Account/Register");

        var page = await client.PostAsync("/Account/Register", new Dictionary<string, string>
        {
            ["Input.Email"] = "csrf@example.jp",
            ["Input.DisplayName"] = "攻撃",
            ["Input.Password"] = PortalStories.Password,
            ["Input.ConfirmPassword"] = PortalStories.Password,
        });

        page.Status.ShouldBe(HttpStatusCode.BadRequest);
        page.H1.ShouldBe("操作を受け付けられませんでした");
        (await server.UsersAsync("csrf@example.jp")).ShouldBeEmpty();
    }

    [Fact]
    public async Task DevOutbox_NotEnabled_Is404()
    {
        using var client = server.Client();
        await client.RegisterAsync("outbox@example.jp");

        var list = await client.GetAsync("/Dev/Outbox");
        var one = await client.GetAsync("/Dev/Outbox?name=" + Uri.EscapeDataString(server.LastMailTo("outbox@example.jp").FileName));

        list.Status.ShouldBe(HttpStatusCode.NotFound);
        one.Status.ShouldBe(HttpStatusCode.NotFound);
        list.H1.ShouldBe("ページが見つかりません");
    }

    [Fact]
    public async Task DevOutbox_InDemoMode_ListsMailsAndShowsTheLink()
    {
        await using var demo = await PortalServer.StartAsync(provider, showOutbox: true);
        using var client = demo.Client();
        await client.RegisterAsync("demo@example.jp");

        var list = await client.GetAsync("/Dev/Outbox");
        var open = await client.GetAsync(list.Q("main table a")!.GetAttribute("href")!);
        var verified = await client.GetAsync(new Uri(open.Q("[data-testid=mail-link]")!.GetAttribute("href")!).PathAndQuery);
        var traversal = await client.GetAsync("/Dev/Outbox?name=" + Uri.EscapeDataString("../keys/x.eml"));

        list.Status.ShouldBe(HttpStatusCode.OK);
        list.Text.ShouldContain("demo@example.jp");
        list.Text.ShouldContain("【医療機関等向け総合ポータルサイト】メールアドレスの確認");
        open.Q("pre")!.TextContent.ShouldContain("/Account/Verify?token=");
        verified.H1.ShouldBe("メールアドレスの確認が完了しました");
        traversal.Status.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Cookies_AreHostPrefixed_Secure_HttpOnly_SameSiteStrict()
    {
        await server.RegisterVerifiedAsync("cookie@example.jp");
        using var http = new HttpClient(server.Handler(new CookieContainer())) { BaseAddress = server.BaseAddress };
        using var client = new OqsClient(http);
        var login = await client.GetAsync("/Account/Login");
        var fields = login.Document.QuerySelectorAll("main form input[type=hidden]")
            .Select(i => new KeyValuePair<string, string>(i.GetAttribute("name")!, i.GetAttribute("value")!)).ToList();
        fields.Add(new("Input.Email", "cookie@example.jp"));
        fields.Add(new("Input.Password", PortalStories.Password));

        using var response = await http.PostAsync("/Account/Login", new FormUrlEncodedContent(fields));

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var cookies = response.Headers.GetValues("Set-Cookie").ToList();
        var session = cookies.Single(c => c.StartsWith("__Host-onshi-portal=", StringComparison.Ordinal));
        foreach (var c in cookies)
        {
            c.ShouldStartWith("__Host-onshi-portal");
            c.ShouldContain("secure", Case.Insensitive);
            c.ShouldContain("samesite=strict", Case.Insensitive);
            c.ShouldContain("path=/", Case.Insensitive);
            c.ShouldNotContain("domain=", Case.Insensitive);
        }

        session.ShouldContain("httponly", Case.Insensitive);
        session.ShouldNotContain("expires=", Case.Insensitive);
    }
}

public sealed class PortalFlowTestsSqlite() : PortalFlowTests(TestDatabase.Sqlite);

public sealed class PortalFlowTestsPostgres() : PortalFlowTests(TestDatabase.Postgres);
