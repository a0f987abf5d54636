using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Cli.Commands;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Certificates;
using Shouldly;

namespace Onshi.IntegrationTests.Oqs;

/// <summary>The seed's P2, P3, P6–P10 and the rules around them, against the real endpoint, on each database.</summary>
public abstract class OqsFlowTests(string provider) : IAsyncLifetime
{
    private OqsServer server = null!;

    protected OqsServer Server => server;

    public async ValueTask InitializeAsync() => server = await OqsServer.StartAsync(provider);

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    private OqsClient Terminal() => server.Client(server.Demo.Terminal);

    private Task<List<AuditEntry>> AuditAsync(string action) =>
        server.WithDbAsync(db => db.AuditEntries.AsNoTracking().Where(a => a.Action == action).OrderBy(a => a.Id).ToListAsync());

    [Fact]
    public async Task Request_WithoutCertificate_GetsJapaneseCertificatePage()
    {
        using var client = server.Client((DemoTerminal?)null);

        var page = await client.GetAsync("/");

        page.Status.ShouldBe(HttpStatusCode.Forbidden);
        page.H1.ShouldBe(CertificateMessages.Describe(CertificateCheckStatus.Missing).Title);
        page.Text.ShouldContain("0800-080-4583");
        page.Html.ShouldNotContain("Exception");
        // Issue 14 (11): advice that works (close every window, choose again; a new certificate from the portal), and the
        // call center named once, under it.
        var main = page.Q("main")!.TextContent;
        main.ShouldContain("開いているブラウザのウィンドウをすべて閉じてから");
        main.ShouldContain("医療機関等向け総合ポータルサイトの「電子証明書発行申請」");
        System.Text.RegularExpressions.Regex.Count(main, "コールセンター").ShouldBe(1);
        page.Q("[data-testid=call-center]")!.TextContent.ShouldStartWith("上記で解決しない場合は、オンライン資格確認等コールセンター");
        (await client.GetAsync("/Login")).Status.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Request_WithCertificateOfAnotherCa_IsRefusedAndAudited()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=T0001, OU=1310000018, O=偽物, C=JP", key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var selfSigned = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        using var pfx = X509CertificateLoader.LoadPkcs12(selfSigned.Export(X509ContentType.Pfx, "x"), "x");
        using var client = server.Client(pfx);

        var page = await client.GetAsync("/Login");

        page.Status.ShouldBe(HttpStatusCode.Forbidden);
        page.H1.ShouldBe(CertificateMessages.Describe(CertificateCheckStatus.Untrusted).Title);
        System.Text.RegularExpressions.Regex.Count(page.Q("main")!.TextContent, "コールセンター").ShouldBe(1);
        (await AuditAsync(AuditActions.CertificateRejected)).ShouldContain(a => a.Outcome == AuditOutcomes.Denied);
    }

    [Fact]
    public async Task Master_LogsIn_SeesMenuWithAccountAdministration()
    {
        using var client = Terminal();
        var master = server.Account("master");

        var menu = await client.LoginAsync(master.UserId, master.Password);

        menu.Path.ShouldBe("/Menu");
        menu.H1.ShouldBe("メニュー");
        menu.Text.ShouldContain("アカウント情報管理");
        menu.Text.ShouldContain("アカウント管理（登録）");
        menu.Text.ShouldContain("アカウント管理（更新）");
        menu.Text.ShouldContain("パスワード変更");
        menu.Q("[data-testid=current-user]")!.TextContent.ShouldBe($"ユーザID：{master.UserId}（マスタ）");
        (await AuditAsync(AuditActions.Login)).ShouldContain(a => a.Target == master.UserId && a.Outcome == AuditOutcomes.Success
            && a.CertificateSerial == server.Demo.Terminal.Serial);
    }

    [Fact]
    public async Task Login_WrongPasswordAndUnknownId_SameGenericMessage_BothAudited()
    {
        using var client = Terminal();
        var admin = server.Account("admin");

        var wrong = await client.LoginAsync(admin.UserId, admin.Password + "x");
        var unknown = await client.LoginAsync("NOSUCHUSER", admin.Password);

        wrong.Path.ShouldBe("/Login");
        unknown.Path.ShouldBe("/Login");
        wrong.Errors.ShouldBe(unknown.Errors);
        wrong.Errors.Single().ShouldContain("ユーザIDまたはパスワードが正しくないか、アカウントがロックされているか無効になっています。");
        var audit = await AuditAsync(AuditActions.Login);
        audit.ShouldContain(a => a.Target == admin.UserId && a.Detail == "wrong-password");
        audit.ShouldContain(a => a.Actor == "(unknown)" && a.Detail == "unknown-user");
        audit.ShouldNotContain(a => a.Actor == "NOSUCHUSER" || a.Target == "NOSUCHUSER");
        audit.ShouldAllBe(a => !a.Detail.Contains(admin.Password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Login_AccountOfAnotherInstitution_FailsLikeWrongPassword()
    {
        using var client = Terminal();
        var foreign = server.Account("master", other: true);

        var page = await client.LoginAsync(foreign.UserId, foreign.Password);

        page.Path.ShouldBe("/Login");
        page.Errors.Single().ShouldContain("ユーザIDまたはパスワードが正しくないか、アカウントがロックされているか無効になっています。");
        var audit = await AuditAsync(AuditActions.Login);
        audit.ShouldContain(a => a.InstitutionCode == server.Demo.Institution.Code && a.Detail == "unknown-user" && a.Target == "");
        audit.ShouldNotContain(a => a.InstitutionCode == server.Demo.Institution.Code && a.Target == foreign.UserId);
        audit.ShouldContain(a => a.InstitutionCode == server.Demo.OtherInstitution.Code && a.Target == foreign.UserId
            && a.Detail == "other-institution" && a.CertificateSerial == server.Demo.Terminal.Serial);
        (await server.AccountRowAsync(foreign.UserId)).LastLoginAt.ShouldBeNull();
    }

    [Fact]
    public async Task Lockout_AfterFiveFailures_CorrectPasswordRefused_UntilMasterUnlocks()
    {
        using var client = Terminal();
        var general = server.Account("general");
        for (var i = 0; i < 5; i++)
        {
            (await client.LoginAsync(general.UserId, "Wrong-pass-" + i)).Path.ShouldBe("/Login");
        }

        var locked = await client.LoginAsync(general.UserId, general.Password);
        locked.Path.ShouldBe("/Login");
        (await server.AccountRowAsync(general.UserId)).LockoutEnd.ShouldNotBeNull();
        (await AuditAsync(AuditActions.Lockout)).ShouldContain(a => a.Target == general.UserId);

        using var masterClient = Terminal();
        var master = server.Account("master");
        await masterClient.LoginAsync(master.UserId, master.Password);
        var results = await masterClient.SearchAsync("一般");
        results.Text.ShouldContain("ロック中");
        var detail = await masterClient.OpenDetailAsync(results, general.UserId);
        var unlocked = await masterClient.SubmitAsync(detail, "form[action*='handler=Unlock']");
        unlocked.Text.ShouldContain("ロックを解除しました。");

        (await client.LoginAsync(general.UserId, general.Password)).Path.ShouldBe("/Menu");
        (await AuditAsync(AuditActions.Unlock)).ShouldContain(a => a.Actor == master.UserId && a.Target == general.UserId);
    }

    [Fact]
    public async Task P6_MasterSearchesAdmin_FindsAdminUserId()
    {
        using var client = Terminal();
        var master = server.Account("master");
        await client.LoginAsync(master.UserId, master.Password);

        var results = await client.SearchAsync("管理者");

        results.ResultUserIds().ShouldBe([server.Account("admin").UserId]);
        results.Q("[data-testid=count]")!.TextContent.Trim().ShouldBe("1~1 件目 / 1 件");
        results.Document.QuerySelectorAll("thead th").Select(t => t.TextContent.Trim()).Take(6)
            .ShouldBe(["ユーザID", "ユーザ名", "権限区分", "状態", "最終ログイン", "パスワード有効期限"]);
    }

    [Fact]
    public async Task P7P8_MasterInitializesAdminPassword_AdminMustChangeIt_AndPdfHoldsIt()
    {
        using var masterClient = Terminal();
        var master = server.Account("master");
        var admin = server.Account("admin");
        await masterClient.LoginAsync(master.UserId, master.Password);
        var results = await masterClient.SearchAsync("管理者");
        var detail = await masterClient.OpenDetailAsync(results, admin.UserId);

        var result = await masterClient.InitializePasswordAsync(detail);

        result.Text.ShouldContain("パスワードを初期化しました。利用者にパスワード情報を通知してください。");
        result.Q("[data-testid=issued-user-id]")!.TextContent.ShouldBe(admin.UserId);
        result.Q("#issued-password")!.TextContent.Trim().ShouldBe("●●●●●●●●");
        result.Document.QuerySelectorAll("button, a").Select(b => b.TextContent.Trim()).ShouldContain("パスワード表示");
        result.Document.QuerySelectorAll("button, a").Select(b => b.TextContent.Trim()).ShouldContain("ダウンロード");
        result.Document.QuerySelectorAll("button, a").Select(b => b.TextContent.Trim()).ShouldContain("OK");
        var temporary = result.IssuedPassword();
        temporary.Length.ShouldBe(8);

        using var pdf = await masterClient.SubmitRawAsync(result, "form[action*='handler=Download']");
        pdf.StatusCode.ShouldBe(HttpStatusCode.OK);
        pdf.Content.Headers.ContentType!.MediaType.ShouldBe("application/pdf");
        var text = await PdfText.ExtractAsync(await pdf.Content.ReadAsByteArrayAsync());
        text.ShouldContain(admin.UserId);
        text.ShouldContain(temporary);
        text.ShouldContain(server.Demo.Institution.Name);

        // The plain password is stored nowhere.
        var row = await server.AccountRowAsync(admin.UserId);
        row.PasswordHash.ShouldNotContain(temporary);
        row.MustChangePassword.ShouldBeTrue();

        // The page cannot be shown again.
        var again = await masterClient.GetAsync("/Accounts/Issued");
        again.Q("#issued-password").ShouldBeNull();

        using var adminClient = Terminal();
        (await adminClient.LoginAsync(admin.UserId, admin.Password)).Path.ShouldBe("/Login");
        var forced = await adminClient.LoginAsync(admin.UserId, temporary);
        forced.Path.ShouldBe("/ChangePassword");
        forced.Text.ShouldContain("パスワードの変更が必要です。");
        (await adminClient.GetAsync("/Accounts")).Path.ShouldBe("/ChangePassword");
        var changed = await adminClient.ChangePasswordAsync(temporary, "Kanri-Shinryo-2026!");
        changed.Text.ShouldContain("パスワードを変更しました。");
        (await adminClient.GetAsync("/Accounts")).Path.ShouldBe("/Accounts");
        (await AuditAsync(AuditActions.PasswordInitialize)).ShouldContain(a => a.Actor == master.UserId && a.Target == admin.UserId);
    }

    [Fact]
    public async Task Initialization_EndsEverySessionOfTheTarget()
    {
        using var adminClient = Terminal();
        var admin = server.Account("admin");
        (await adminClient.LoginAsync(admin.UserId, admin.Password)).Path.ShouldBe("/Menu");

        using var masterClient = Terminal();
        var master = server.Account("master");
        await masterClient.LoginAsync(master.UserId, master.Password);
        var detail = await masterClient.OpenDetailAsync(await masterClient.SearchAsync("管理者"), admin.UserId);
        await masterClient.InitializePasswordAsync(detail);

        var next = await adminClient.GetAsync("/Menu");
        next.Path.ShouldBe("/Login");
        (await server.WithDbAsync(db => db.LoginSessions.CountAsync(s => s.Account!.UserId == admin.UserId && s.EndedAt == null))).ShouldBe(0);
    }

    [Fact]
    public async Task P9P10_ResetAccountInitializesMasterPassword_MasterLogsInWithIt()
    {
        using var resetClient = Terminal();
        var reset = server.Account("reset");
        var master = server.Account("master");
        (await resetClient.LoginAsync(reset.UserId, reset.Password)).Path.ShouldBe("/Menu");

        var results = await resetClient.SearchAsync("全て");
        results.ResultUserIds().ShouldContain(master.UserId);
        results.ResultUserIds().ShouldNotContain(reset.UserId);
        var detail = await resetClient.OpenDetailAsync(results, master.UserId);
        var result = await resetClient.InitializePasswordAsync(detail);
        var temporary = result.IssuedPassword();
        var loggedOut = await resetClient.SubmitAsync(result, "header form");
        loggedOut.H1.ShouldBe("ログアウトしました");

        using var masterClient = Terminal();
        (await masterClient.LoginAsync(master.UserId, master.Password)).Path.ShouldBe("/Login");
        (await masterClient.LoginAsync(master.UserId, temporary)).Path.ShouldBe("/ChangePassword");
        (await AuditAsync(AuditActions.Logout)).ShouldContain(a => a.Actor == reset.UserId);
    }

    [Fact]
    public async Task ResetAccount_CannotInitializeAdmin_DeniedAndAudited()
    {
        using var client = Terminal();
        var reset = server.Account("reset");
        await client.LoginAsync(reset.UserId, reset.Password);
        var admin = await server.AccountRowAsync(server.Account("admin").UserId);

        var confirm = await client.GetAsync($"/Accounts/InitializePassword/{admin.Id}");
        confirm.Status.ShouldBe(HttpStatusCode.Forbidden);
        var detail = await client.GetAsync($"/Accounts/Detail/{admin.Id}");
        detail.Text.ShouldNotContain("パスワード初期化");

        var token = detail.Q("input[name=__af]")!.GetAttribute("value")!;
        var post = await client.PostAsync($"/Accounts/InitializePassword/{admin.Id}", [new("__af", token)]);
        post.Status.ShouldBe(HttpStatusCode.Forbidden);
        post.Errors.ShouldContain("この操作を行う権限がありません。");
        (await server.AccountRowAsync(admin.UserId)).PasswordHash.ShouldBe(admin.PasswordHash);
        (await AuditAsync(AuditActions.PasswordInitialize)).ShouldContain(a => a.Actor == reset.UserId && a.Outcome == AuditOutcomes.Denied);
    }

    [Fact]
    public async Task Master_CannotTouchAnotherInstitutionsAccount()
    {
        using var client = Terminal();
        var master = server.Account("master");
        await client.LoginAsync(master.UserId, master.Password);
        var foreign = await server.AccountRowAsync(server.Account("admin", other: true).UserId);

        (await client.GetAsync($"/Accounts/Detail/{foreign.Id}")).Status.ShouldBe(HttpStatusCode.NotFound);
        var menu = await client.GetAsync("/Menu");
        var token = menu.Q("input[name=__af]")!.GetAttribute("value")!;
        (await client.PostAsync($"/Accounts/InitializePassword/{foreign.Id}", [new("__af", token)])).Status.ShouldBe(HttpStatusCode.NotFound);
        (await client.PostAsync($"/Accounts/Detail/{foreign.Id}?handler=Unlock", [new("__af", token)])).Status.ShouldBe(HttpStatusCode.NotFound);
        (await client.SearchAsync("全て")).ResultUserIds().ShouldNotContain(foreign.UserId);

        var after = await server.AccountRowAsync(foreign.UserId);
        after.PasswordHash.ShouldBe(foreign.PasswordHash);
        after.SecurityStamp.ShouldBe(foreign.SecurityStamp);
        (await AuditAsync(AuditActions.PasswordInitialize)).ShouldContain(a => a.Actor == master.UserId && a.Outcome == AuditOutcomes.Denied
            && a.Detail == "other-institution" && a.InstitutionCode == server.Demo.Institution.Code);
    }

    [Fact]
    public async Task GeneralAccount_CannotOpenAccountAdministration()
    {
        using var client = Terminal();
        var general = server.Account("general");
        var menu = await client.LoginAsync(general.UserId, general.Password);
        menu.Text.ShouldNotContain("アカウント管理（更新）");

        var page = await client.GetAsync("/Accounts");

        page.Status.ShouldBe(HttpStatusCode.Forbidden);
        (await AuditAsync(AuditActions.AccessDenied)).ShouldContain(a => a.Actor == general.UserId);
    }

    [Fact]
    public async Task Session_EndsAfterIdleTimeout()
    {
        using var client = Terminal();
        var admin = server.Account("admin");
        await client.LoginAsync(admin.UserId, admin.Password);
        (await client.GetAsync("/Menu")).Path.ShouldBe("/Menu");

        server.Time.Advance(TimeSpan.FromMinutes(16));

        (await client.GetAsync("/Menu")).Path.ShouldBe("/Login");
        (await AuditAsync(AuditActions.SessionEnd)).ShouldContain(a => a.Actor == admin.UserId && a.Detail == "idle");
    }

    [Fact]
    public async Task Session_EndsAtAbsoluteLimitEvenWhenActive()
    {
        using var client = Terminal();
        var admin = server.Account("admin");
        await client.LoginAsync(admin.UserId, admin.Password);
        for (var i = 0; i < 72; i++)
        {
            server.Time.Advance(TimeSpan.FromMinutes(10));
            var page = await client.GetAsync("/Menu");
            if (page.Path == "/Login")
            {
                i.ShouldBeGreaterThanOrEqualTo(71);
                return;
            }
        }

        server.Time.Advance(TimeSpan.FromMinutes(10));
        (await client.GetAsync("/Menu")).Path.ShouldBe("/Login");
    }

    [Fact]
    public async Task Register_AdminCreatesGeneralAccount_WhichMustChangePassword()
    {
        using var client = Terminal();
        var admin = server.Account("admin");
        await client.LoginAsync(admin.UserId, admin.Password);
        var form = await client.GetAsync("/Accounts/Register");
        form.Document.QuerySelectorAll("#Kind option").Select(o => o.TextContent.Trim()).ShouldNotContain("管理者");
        form.Q("select#Kind[required] option")!.GetAttribute("value").ShouldBe("");
        var noKind = await client.SubmitAsync(form, "main form", new Dictionary<string, string>
        {
            ["Input.Kind"] = "",
            ["Input.UserId"] = "UKETSUKE03",
            ["Input.DisplayName"] = "受付 三郎",
        });
        noKind.Errors.ShouldContain("権限区分を選択してください。");
        (await server.WithDbAsync(db => db.Accounts.AnyAsync(a => a.NormalizedUserId == "UKETSUKE03"))).ShouldBeFalse();

        var bad = await client.SubmitAsync(form, "main form", new Dictionary<string, string> { ["Input.UserId"] = "x<", ["Input.DisplayName"] = "" });
        bad.Errors.ShouldContain(e => e.Contains("ユーザIDは半角英数字", StringComparison.Ordinal));
        bad.Errors.ShouldContain("ユーザ名を入力してください。");

        var result = await client.SubmitAsync(form, "main form", new Dictionary<string, string>
        {
            ["Input.UserId"] = "UKETSUKE02",
            ["Input.DisplayName"] = "受付 次郎",
            ["Input.Kind"] = "4",
        });
        result.Text.ShouldContain("アカウントを登録しました。");
        var temporary = result.IssuedPassword();

        using var newClient = Terminal();
        (await newClient.LoginAsync("uketsuke02", temporary)).Path.ShouldBe("/ChangePassword");
        var duplicate = await client.SubmitAsync(await client.GetAsync("/Accounts/Register"), "main form", new Dictionary<string, string>
        {
            ["Input.UserId"] = "Uketsuke02",
            ["Input.DisplayName"] = "重複",
        });
        duplicate.Errors.ShouldContain(e => e.Contains("既に使われています", StringComparison.Ordinal));
    }

    /// <summary>
    /// Issue 14 (7): a ユーザID typed with the IME on (full-width letters and digits, 「ー」 for "-") is accepted at login,
    /// in アカウント登録 and in the account search; the ユーザ名's 「ー」 stays a letter.
    /// </summary>
    [Fact]
    public async Task FullWidthUserId_AcceptedAtLoginRegisterAndSearch()
    {
        using var client = Terminal();
        var admin = server.Account("admin");
        var fullWidthAdmin = string.Concat(admin.UserId.Select(c => c is >= '!' and <= '~' ? (char)(c - '!' + '！') : c));
        fullWidthAdmin.ShouldNotBe(admin.UserId);
        (await client.LoginAsync(fullWidthAdmin, admin.Password)).Path.ShouldBe("/Menu");

        var result = await client.SubmitAsync(await client.GetAsync("/Accounts/Register"), "main form", new Dictionary<string, string>
        {
            ["Input.UserId"] = "ＵＫＥＴＳＵＫＥーＦＷ",
            ["Input.DisplayName"] = "受付 ローラ",
            ["Input.Kind"] = "4",
        });
        result.Errors.ShouldBeEmpty();
        result.Text.ShouldContain("アカウントを登録しました。");
        var row = await server.AccountRowAsync("UKETSUKE-FW");
        row.DisplayName.ShouldBe("受付 ローラ");

        (await client.SearchAsync(userId: "ｕｋｅｔｓｕｋｅ－ｆｗ")).ResultUserIds().ShouldBe(["UKETSUKE-FW"]);
    }

    [Fact]
    public async Task ChangePassword_PolicyViolations_ShownInJapanese_NothingChanged()
    {
        using var client = Terminal();
        var general = server.Account("general");
        await client.LoginAsync(general.UserId, general.Password);
        var before = await server.AccountRowAsync(general.UserId);

        var shortPw = await client.ChangePasswordAsync(general.Password, "a1!");
        var mismatch = await client.ChangePasswordAsync(general.Password, "Long-enough-pass-1", "Other-pass-2!");
        var wrongCurrent = await client.ChangePasswordAsync("Not-the-current-1!", "Long-enough-pass-1");

        shortPw.Errors.ShouldContain(e => e.Contains("8文字以上", StringComparison.Ordinal));
        mismatch.Errors.ShouldContain("新しいパスワードと確認用のパスワードが一致しません。");
        wrongCurrent.Errors.ShouldContain("現在のパスワードが正しくありません。");
        (await server.AccountRowAsync(general.UserId)).PasswordHash.ShouldBe(before.PasswordHash);
    }

    [Fact]
    public async Task ChangePassword_InstitutionCodeOrProductWord_RefusedInJapanese_NothingChanged()
    {
        using var client = Terminal();
        var general = server.Account("general");
        await client.LoginAsync(general.UserId, general.Password);
        var before = await server.AccountRowAsync(general.UserId);

        var code = await client.ChangePasswordAsync(general.Password, "Uketsuke#" + server.Demo.Institution.Code);
        var product = await client.ChangePasswordAsync(general.Password, "0nsh1-Uketsuke#25");

        // The message names the refused word (as the word list spells it), never an internal example list.
        code.Errors.ShouldContain(Onshi.Core.Features.Passwords.PasswordErrors.ContainsContextWord(server.Demo.Institution.Code).Message);
        code.Errors.ShouldContain(e => e.Contains("「" + server.Demo.Institution.Code + "」", StringComparison.Ordinal));
        product.Errors.ShouldContain(e => e.StartsWith("パスワードに推測されやすい語句「onshi」が含まれているため使用できません。", StringComparison.Ordinal));
        code.Html.ShouldNotContain("shikaku");
        code.Q("#NewPassword")?.GetAttribute("value").ShouldBeNullOrEmpty();
        (await server.AccountRowAsync(general.UserId)).PasswordHash.ShouldBe(before.PasswordHash);
        (await client.ChangePasswordAsync(general.Password, "Uketsuke-Madoguchi#25")).Errors.ShouldBeEmpty();
        (await server.AccountRowAsync(general.UserId)).PasswordHash.ShouldNotBe(before.PasswordHash);
    }

    [Fact]
    public async Task RevokedCertificate_RefusedOnTheNextRequest()
    {
        using var client = Terminal();
        var admin = server.Account("admin");
        (await client.LoginAsync(admin.UserId, admin.Password)).Path.ShouldBe("/Menu");

        await using (var scope = server.App.Services.CreateAsyncScope())
        {
            var result = await scope.ServiceProvider.GetRequiredService<TerminalCertificateService>()
                .RevokeAsync(server.Demo.Terminal.Serial, "test", TestContext.Current.CancellationToken);
            result.Succeeded.ShouldBeTrue();
        }

        var page = await client.GetAsync("/Menu");
        page.Status.ShouldBe(HttpStatusCode.Forbidden);
        page.H1.ShouldBe(CertificateMessages.Describe(CertificateCheckStatus.Revoked).Title);
        var main = page.Q("main")!.TextContent;
        main.ShouldContain("医療機関等向け総合ポータルサイトの「電子証明書発行申請」から新しい証明書を申請し");
        main.ShouldContain("ウィンドウをすべて閉じて");
        System.Text.RegularExpressions.Regex.Count(main, "コールセンター").ShouldBe(1);
    }

    [Fact]
    public async Task Certificate_NearExpiry_WarnedAtLogin_AndRefusedOnceExpired()
    {
        var notAfter = (await server.WithDbAsync(db => db.TerminalCertificates.AsNoTracking().SingleAsync(c => c.SerialNumber == server.Demo.Terminal.Serial))).NotAfter;
        server.Time.SetUtcNow(new DateTimeOffset(notAfter.AddDays(-30)));
        using var client = Terminal();
        var admin = server.Account("admin");

        var menu = await client.LoginAsync(admin.UserId, admin.Password);

        menu.Path.ShouldBe("/Menu");
        menu.Q("[data-testid=certificate-expiry]").ShouldNotBeNull().TextContent.ShouldContain("有効期限");

        server.Time.SetUtcNow(new DateTimeOffset(notAfter.AddMinutes(1)));
        var expired = await client.GetAsync("/Menu");
        expired.Status.ShouldBe(HttpStatusCode.Forbidden);
        expired.H1.ShouldBe(CertificateMessages.Describe(CertificateCheckStatus.Expired).Title);
    }

    [Fact]
    public async Task Throttle_ManyWrongIdsFromOneTerminal_RefusesEvenTheRightPassword()
    {
        using var client = Terminal();
        var page = await client.GetAsync("/Login");
        for (var i = 0; i < 20; i++)
        {
            page = await client.SubmitAsync(page, "main form", new Dictionary<string, string>
            {
                ["Input.UserId"] = $"GUESS{i:00}",
                ["Input.Password"] = "Guess-pass-1!",
            });
        }

        var admin = server.Account("admin");
        var refused = await client.LoginAsync(admin.UserId, admin.Password);

        refused.Path.ShouldBe("/Login");
        refused.Errors.Single().ShouldContain("一時的に制限しています");
        (await AuditAsync(AuditActions.Login)).ShouldContain(a => a.Detail == "throttled" && a.Outcome == AuditOutcomes.Denied);
        (await server.AccountRowAsync(admin.UserId)).LastLoginAt.ShouldBeNull();
    }

    [Fact]
    public async Task Lockout_ParallelBurstOfWrongSecretNumbers_AtMostFiveAreTried_ThenLockedForGood()
    {
        using var client = Terminal();
        var reset = server.Account("reset");
        var page = await client.GetAsync("/Login");
        var token = page.Q("input[name=__af]")!.GetAttribute("value")!;
        var guesses = Enumerable.Range(0, 30).Select(i => ((reset.Password[0] - '0' + 1 + i) % 10).ToString(System.Globalization.CultureInfo.InvariantCulture) + "999")
            .Where(g => g != reset.Password).ToList();

        var results = await Task.WhenAll(guesses.Select(g => client.PostAsync("/Login",
            [new("__af", token), new("Input.UserId", reset.UserId), new("Input.Password", g)])));

        results.ShouldAllBe(r => r.Status == HttpStatusCode.OK && r.Path == "/Login");
        var tried = (await AuditAsync(AuditActions.Login)).Count(a => a.Target == reset.UserId && a.Detail.StartsWith("wrong-password", StringComparison.Ordinal));
        tried.ShouldBeLessThanOrEqualTo(5);
        (await server.AccountRowAsync(reset.UserId)).LockoutEnd.ShouldBe(DateTime.MaxValue);
        using var later = Terminal();
        (await later.LoginAsync(reset.UserId, reset.Password)).Path.ShouldBe("/Login");
    }

    [Fact]
    public async Task Throttle_ParallelBurstOfWrongIds_NeverMoreThanTheLimitChecked()
    {
        using var client = Terminal();
        var page = await client.GetAsync("/Login");
        var token = page.Q("input[name=__af]")!.GetAttribute("value")!;

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => client.PostAsync("/Login",
            [new("__af", token), new("Input.UserId", $"BURST{i:00}"), new("Input.Password", "Guess-pass-1!")])));

        var audit = await AuditAsync(AuditActions.Login);
        audit.Count(a => a.Detail == "unknown-user").ShouldBeLessThanOrEqualTo(20);
        // The refused ones are summarised (issue 14, 13): one row now, the count of the rest in the next one.
        audit.Count(a => a.Detail == "throttled").ShouldBe(1);
        audit.ShouldAllBe(a => !a.Actor.StartsWith("BURST", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BadInput_ClearJapaneseAnswers_NoServerErrors_NothingStored()
    {
        using var client = Terminal();
        var master = server.Account("master");

        // A form posted without its antiforgery token.
        var forged = await client.PostAsync("/Login", [new("Input.UserId", master.UserId), new("Input.Password", master.Password)]);
        forged.Status.ShouldBe(HttpStatusCode.BadRequest);
        forged.H1.ShouldBe("操作を受け付けられませんでした");

        // Over-long and control-character input at login.
        var login = await client.GetAsync("/Login");
        var huge = await client.SubmitAsync(login, "main form", new Dictionary<string, string>
        {
            ["Input.UserId"] = new string('A', 5000),
            ["Input.Password"] = "x\ty",
        });
        huge.Status.ShouldBe(HttpStatusCode.OK);
        huge.Errors.Single().ShouldContain("ユーザIDまたはパスワードが正しくないか、アカウントがロックされているか無効になっています。");
        var nul = await client.SubmitAsync(login, "main form", new Dictionary<string, string>
        {
            ["Input.UserId"] = "AB",
            ["Input.Password"] = "x\u0000y",
        });
        nul.Status.ShouldBe(HttpStatusCode.BadRequest);
        nul.H1.ShouldBe("操作を受け付けられませんでした");

        await client.LoginAsync(master.UserId, master.Password);
        var accountsBefore = await server.WithDbAsync(db => db.Accounts.CountAsync());
        var form = await client.GetAsync("/Accounts/Register");
        var badKind = await client.SubmitAsync(form, "main form", new Dictionary<string, string>
        {
            ["Input.Kind"] = "999",
            ["Input.UserId"] = "GOODID01",
            ["Input.DisplayName"] = "名前",
        });
        badKind.Status.ShouldBe(HttpStatusCode.OK);
        badKind.Errors.ShouldContain("選択できない権限区分です。");
        var masterKind = await client.SubmitAsync(form, "main form", new Dictionary<string, string>
        {
            ["Input.Kind"] = "1",
            ["Input.UserId"] = "GOODID02",
            ["Input.DisplayName"] = "名前",
        });
        masterKind.Errors.ShouldContain("選択できない権限区分です。");
        var control = await client.SubmitAsync(form, "main form", new Dictionary<string, string>
        {
            ["Input.Kind"] = "4",
            ["Input.UserId"] = "GOODID03",
            ["Input.DisplayName"] = "改行\n入り<script>alert(1)</script>",
        });
        control.Errors.ShouldContain(e => e.Contains("ユーザ名は50文字以内", StringComparison.Ordinal));
        control.Html.ShouldNotContain("<script>alert(1)</script>");
        var reserved = await client.SubmitAsync(form, "main form", new Dictionary<string, string>
        {
            ["Input.Kind"] = "4",
            ["Input.UserId"] = "1234567",
            ["Input.DisplayName"] = "予約",
        });
        reserved.Errors.ShouldContain(e => e.Contains("システムが使用する", StringComparison.Ordinal));
        (await server.WithDbAsync(db => db.Accounts.CountAsync())).ShouldBe(accountsBefore);

        (await client.GetAsync("/Accounts/Detail/abc")).Status.ShouldBe(HttpStatusCode.NotFound);
        (await client.GetAsync("/Accounts/Detail/99999999")).Status.ShouldBe(HttpStatusCode.NotFound);
        (await client.GetAsync("/Accounts?search=1&Kind=999&Status=-5&page=-3&UserId=" + new string('x', 500))).Status.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync("/no/such/page")).H1.ShouldBe("ページが見つかりません");

        // Disabling the master is refused whatever the form says.
        var masterRow = await server.AccountRowAsync(master.UserId);
        var detail = await client.GetAsync($"/Accounts/Detail/{masterRow.Id}");
        var token = detail.Q("input[name=__af]")!.GetAttribute("value")!;
        var disable = await client.PostAsync($"/Accounts/Detail/{masterRow.Id}?handler=Update",
            [new("__af", token), new("Input.DisplayName", "x"), new("Input.Kind", "1"), new("Input.Status", "2")]);
        disable.Status.ShouldNotBe(HttpStatusCode.InternalServerError);
        (await server.AccountRowAsync(master.UserId)).Status.ShouldBe(AccountStatus.Active);
        (await AuditAsync(AuditActions.AccountUpdate)).ShouldContain(a => a.Outcome == AuditOutcomes.Denied);
    }

    [Fact]
    public async Task Disabling_EndsTheAccountsSessions_AndItCannotLogIn()
    {
        using var generalClient = Terminal();
        var general = server.Account("general");
        (await generalClient.LoginAsync(general.UserId, general.Password)).Path.ShouldBe("/Menu");

        using var adminClient = Terminal();
        var admin = server.Account("admin");
        await adminClient.LoginAsync(admin.UserId, admin.Password);
        var detail = await adminClient.OpenDetailAsync(await adminClient.SearchAsync("一般"), general.UserId);
        var confirm = await adminClient.SubmitAsync(detail, "form[action*='handler=Update']", new Dictionary<string, string> { ["Input.Status"] = "2" });
        confirm.Q("[data-testid=update-confirm]").ShouldNotBeNull().TextContent.ShouldContain("状態を「無効」にします。");
        (await server.AccountRowAsync(general.UserId)).Status.ShouldBe(AccountStatus.Active);
        var updated = await adminClient.SubmitAsync(confirm, "[data-testid=update-confirm] form");
        updated.Text.ShouldContain("アカウント情報を更新しました。");

        (await generalClient.GetAsync("/Menu")).Path.ShouldBe("/Login");
        using var again = Terminal();
        (await again.LoginAsync(general.UserId, general.Password)).Path.ShouldBe("/Login");
    }

    [Fact]
    public async Task Footer_SaysWhetherTheCallCenterIsOpenNow()
    {
        using var client = Terminal();

        server.Time.SetUtcNow(new DateTimeOffset(2027, 1, 11, 1, 0, 0, TimeSpan.Zero)); // 成人の日, 10:00 JST
        var holiday = await client.GetAsync("/");
        server.Time.SetUtcNow(new DateTimeOffset(2027, 1, 12, 1, 0, 0, TimeSpan.Zero)); // Tuesday 10:00 JST
        var weekday = await client.GetAsync("/");

        holiday.Q("[data-testid=call-center-status]")!.TextContent.ShouldContain("成人の日");
        weekday.Q("[data-testid=call-center-status]")!.TextContent.ShouldContain("受付中");
        weekday.Text.ShouldContain("0800-080-4583");
    }

    [Fact]
    public async Task AuditChain_IsIntactAfterAFlow()
    {
        using var client = Terminal();
        var master = server.Account("master");
        await client.LoginAsync(master.UserId, master.Password);
        await client.SearchAsync("全て");
        using var other = Terminal();
        await other.LoginAsync("nobody", "x");

        var broken = await server.WithDbAsync(db => AuditLog.VerifyAsync(db));

        broken.ShouldBeNull();
    }

    [Fact]
    public async Task AuditChain_EditedOrDeletedRow_IsDetected()
    {
        using var client = Terminal();
        var master = server.Account("master");
        await client.LoginAsync(master.UserId, master.Password);
        await client.GetAsync("/Menu");
        var rows = await server.WithDbAsync(db => db.AuditEntries.OrderBy(a => a.Id).Select(a => new { a.Id, a.Chain }).ToListAsync());

        // A row in the middle that has a successor in its own chain (on PostgreSQL the log is written in several chains).
        var middle = rows.Skip(rows.Count / 2).First(r => rows.Any(n => n.Id > r.Id && n.Chain == r.Chain));
        var victim = middle.Id;
        var successor = rows.First(n => n.Id > victim && n.Chain == middle.Chain).Id;

        await server.WithDbAsync(db => db.AuditEntries.Where(a => a.Id == victim).ExecuteUpdateAsync(s => s.SetProperty(a => a.Actor, "someone-else")));
        (await server.WithDbAsync(db => AuditLog.VerifyAsync(db))).ShouldBe(victim);

        await server.WithDbAsync(db => db.AuditEntries.Where(a => a.Id == victim).ExecuteDeleteAsync());
        (await server.WithDbAsync(db => AuditLog.VerifyAsync(db))).ShouldBe(successor);
    }

    [Fact]
    public async Task AuditChain_EachInstitutionWritesItsOwnChain_AndARowMovedToAnotherChainIsDetected()
    {
        using var client = Terminal();
        var master = server.Account("master");
        await client.LoginAsync(master.UserId, master.Password);
        await client.SearchAsync("全て");

        var rows = await server.WithDbAsync(db => db.AuditEntries.AsNoTracking().OrderBy(a => a.Id).ToListAsync());
        var chains = await server.WithDbAsync(db => Task.FromResult(
            db.Database.ProviderName!.Contains("Npgsql", StringComparison.Ordinal) ? AuditOptions.DefaultPostgresChains : 1));
        rows.ShouldNotBeEmpty();
        foreach (var row in rows.Where(r => r.InstitutionId is not null && r.Action == AuditActions.Login))
        {
            row.Chain.ShouldBe(AuditLog.ChainOf(row.InstitutionId, chains));
        }

        // Within a chain every row links to the one before it; the first of each chain to the genesis hash.
        foreach (var chain in rows.GroupBy(r => r.Chain))
        {
            chain.First().PreviousHash.ShouldBe(AuditLog.GenesisHash);
            chain.Zip(chain.Skip(1)).ShouldAllBe(p => p.Second.PreviousHash == p.First.Hash);
        }

        var login = rows.Last(r => r.Action == AuditActions.Login);
        await server.WithDbAsync(db => db.AuditEntries.Where(a => a.Id == login.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.Chain, login.Chain + 1)));
        (await server.WithDbAsync(db => AuditLog.VerifyAsync(db))).ShouldNotBeNull();
    }
}

public sealed class OqsFlowTestsSqlite() : OqsFlowTests("sqlite");

public sealed class OqsFlowTestsPostgres() : OqsFlowTests("postgres");

/// <summary>Text of a PDF as <c>pdftotext</c> reads it.</summary>
public static class PdfText
{
    public static async Task<string> ExtractAsync(byte[] pdf)
    {
        var path = Path.GetTempFileName();
        await File.WriteAllBytesAsync(path, pdf);
        try
        {
            var psi = new ProcessStartInfo("pdftotext", ["-layout", path, "-"]) { RedirectStandardOutput = true, UseShellExecute = false };
            using var p = Process.Start(psi) ?? throw new InvalidOperationException("pdftotext (poppler-utils) is required: run scripts/deps.sh");
            var text = await p.StandardOutput.ReadToEndAsync();
            await p.WaitForExitAsync();
            return text;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
