using System.Net;
using Microsoft.EntityFrameworkCore;
using Onshi.Core.Common;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Credentials;
using Shouldly;
using Xunit;

namespace Onshi.IntegrationTests.Oqs;

/// <summary>
/// Issue 16, item 4 (SPEC §12) at the terminal, through the real OQS on each database: the 連携アプリ用 and Web API用 accounts'
/// secrets as the master registers, rotates and initializes them, what the screens and the PDF say, and the clients (their
/// logins) that keep working through a rotation.
/// </summary>
public abstract class OqsMachineSecretTests(string provider) : IAsyncLifetime
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
    public async Task Register_AWebApiAccount_ShowsASecretToSetAsIssued_WithoutExpiry_ThatLogsInWithoutAChange_PastTheExpiryPeriod()
    {
        using var master = Terminal();
        var m = server.Account("master");
        await master.LoginAsync(m.UserId, m.Password);
        var form = await master.GetAsync("/Accounts/Register");
        var note = form.Q("[data-testid=machine-kind-note]").ShouldNotBeNull().TextContent;
        note.ShouldContain("13文字以上");
        note.ShouldContain("有効期限なし");
        form.Q("#Kind").ShouldNotBeNull().GetAttribute("aria-describedby").ShouldBe("Kind-hint");
        var webApi = form.Document.QuerySelectorAll("#Kind option").Single(o => o.TextContent.Trim() == "Web API用").GetAttribute("value")!;

        var result = await master.SubmitAsync(form, "main form", new Dictionary<string, string>
        {
            ["Input.Kind"] = webApi,
            ["Input.UserId"] = "KARTE01",
            ["Input.DisplayName"] = "電子カルテ連携",
        });

        result.H1.ShouldBe("シークレット");
        result.Text.ShouldContain("アカウントを登録しました。このシークレットをWeb APIを利用するシステム");
        result.Text.ShouldContain("表示のとおり設定してください。");
        result.Q("[data-testid=machine-secret-notes]").ShouldNotBeNull().TextContent.ShouldContain("初回ログイン時の変更は不要です。");
        result.Q("[data-testid=issued-expiry]").ShouldNotBeNull().TextContent.Trim()
            .ShouldBe("有効期限なし（連携アプリ用・Web API用のシークレットは期限切れになりません）");
        result.Q("#issued-password")!.TextContent.Trim().ShouldBe("●●●●●●●●");
        var secret = result.IssuedPassword();
        secret.Length.ShouldBeGreaterThanOrEqualTo(13);

        using (var pdf = await master.SubmitRawAsync(result, "form[action*='handler=Download']"))
        {
            pdf.StatusCode.ShouldBe(HttpStatusCode.OK);
            var text = await PdfText.ExtractAsync(await pdf.Content.ReadAsByteArrayAsync());
            text.ShouldContain(secret);
            text.ShouldContain("シークレット");
            text.ShouldContain("有効期限なし");
            text.ShouldNotContain("初回ログイン時、パスワードの変更を行ってください");
        }

        var row = await server.AccountRowAsync("KARTE01");
        row.MustChangePassword.ShouldBeFalse();
        row.PasswordExpiresAt.ShouldBeNull();

        // The client's account signs in with the secret as issued, no change asked, also past the 90-day expiry.
        using (var client = Terminal())
        {
            (await client.LoginAsync("KARTE01", secret)).Path.ShouldBe("/Menu");
        }

        server.Time.Advance(TimeSpan.FromDays(100));
        using (var later = Terminal())
        {
            (await later.LoginAsync("KARTE01", secret)).Path.ShouldBe("/Menu");
        }
    }

    [Fact]
    public async Task Rotate_FromTheDetailPage_SaysUntilWhen_ShowsTheNewSecretOnce_AndTheClientKeepsLoggingInThroughTheGrace()
    {
        using var master = Terminal();
        var m = server.Account("master");
        var api = server.Account("webapi");
        await master.LoginAsync(m.UserId, m.Password);
        var detail = await master.OpenDetailAsync(await master.SearchAsync("Web API用"), api.UserId);
        detail.Q("[data-testid=previous-secret-valid-until]").ShouldBeNull();
        var button = detail.Document.QuerySelectorAll("a.button").Single(a => a.TextContent.Trim() == "シークレットの更新（ローテーション）");
        detail.Q("dialog#rotate-dialog").ShouldNotBeNull().TextContent.ShouldContain("シークレットを更新します。よろしいですか？");

        var confirm = await master.GetAsync(button.GetAttribute("href")!);
        confirm.H1.ShouldBe("シークレットの更新（ローテーション）");
        var grace = confirm.Q("[data-testid=rotate-grace]").ShouldNotBeNull().TextContent;
        var expectedEnd = server.Time.GetUtcNow().UtcDateTime + TimeSpan.FromDays(7);
        grace.ShouldContain(Jst.Date(expectedEnd));
        grace.ShouldContain("資格確認は止まりません");
        confirm.Document.QuerySelectorAll("a").Select(a => a.TextContent.Trim()).ShouldContain("キャンセル");
        (await server.AccountRowAsync(api.UserId)).PreviousPasswordHash.ShouldBeNull();

        var result = await master.SubmitAsync(confirm, "main form");

        result.H1.ShouldBe("シークレット");
        result.Text.ShouldContain("シークレットを更新しました。");
        var previousUntil = result.Q("[data-testid=previous-valid-until]").ShouldNotBeNull().TextContent;
        previousUntil.ShouldContain(Jst.Date(expectedEnd));
        result.Text.ShouldContain("更新後のシークレット");
        var secret = result.IssuedPassword();
        secret.ShouldNotBe(api.Password);

        // Shown once: not again.
        (await master.GetAsync("/Accounts/Issued")).Q("#issued-password").ShouldBeNull();

        var again = await master.GetAsync($"/Accounts/Detail/{(await server.AccountRowAsync(api.UserId)).Id}");
        again.Q("[data-testid=previous-secret-valid-until]").ShouldNotBeNull().TextContent.ShouldContain(Jst.Date(expectedEnd));

        // Both log in inside the grace, the old one audited as such.
        using (var oldClient = Terminal())
        {
            (await oldClient.LoginAsync(api.UserId, api.Password)).Path.ShouldBe("/Menu");
        }

        using (var newClient = Terminal())
        {
            (await newClient.LoginAsync(api.UserId, secret)).Path.ShouldBe("/Menu");
        }

        var logins = await server.WithDbAsync(db => db.AuditEntries.AsNoTracking()
            .Where(a => a.Action == AuditActions.Login && a.Actor == api.UserId && a.Outcome == AuditOutcomes.Success).Select(a => a.Detail).ToListAsync());
        logins.ShouldBe([CredentialService.PreviousSecretDetail, ""]);
        (await server.WithDbAsync(db => db.AuditEntries.AsNoTracking().CountAsync(a => a.Action == AuditActions.SecretRotate
            && a.Outcome == AuditOutcomes.Success && a.Target == api.UserId))).ShouldBe(1);

        // Past the grace the old one fails like any wrong password; the new one goes on.
        server.Time.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(5));
        using (var oldClient = Terminal())
        {
            (await oldClient.LoginAsync(api.UserId, api.Password)).Path.ShouldBe("/Login");
        }

        using (var newClient = Terminal())
        {
            (await newClient.LoginAsync(api.UserId, secret)).Path.ShouldBe("/Menu");
        }
    }

    [Fact]
    public async Task Initialize_OfAMachineAccount_WarnsTheClientStops_EndsTheOldSecret_AndTheResetAccountsRotationIsRefusedAndAudited()
    {
        using var master = Terminal();
        var m = server.Account("master");
        var app = server.Account("app");
        await master.LoginAsync(m.UserId, m.Password);
        var detail = await master.OpenDetailAsync(await master.SearchAsync("連携アプリ用"), app.UserId);
        detail.Q("dialog#init-dialog [data-testid=machine-initialize-warning]").ShouldNotBeNull();
        var href = detail.Document.QuerySelectorAll("a.button").Single(a => a.TextContent.Trim() == "パスワード初期化").GetAttribute("href")!;
        var confirm = await master.GetAsync(href);
        confirm.Text.ShouldContain("パスワードを初期化します。よろしいですか？");
        var warning = confirm.Q("[data-testid=machine-initialize-warning]").ShouldNotBeNull().TextContent;
        warning.ShouldContain("直ちに");
        warning.ShouldContain("資格確認は停止します");

        var result = await master.SubmitAsync(confirm, "main form");

        result.H1.ShouldBe("シークレット");
        result.Text.ShouldContain("シークレットを初期化しました。それまでのシークレットは使えなくなりました。");
        result.Q("[data-testid=previous-valid-until]").ShouldBeNull();
        var secret = result.IssuedPassword();
        using (var oldClient = Terminal())
        {
            (await oldClient.LoginAsync(app.UserId, app.Password)).Path.ShouldBe("/Login");
        }

        using (var newClient = Terminal())
        {
            (await newClient.LoginAsync(app.UserId, secret)).Path.ShouldBe("/Menu");
        }

        // The reset account views the account but may not rotate its secret: no button, the page refused, a forged POST denied
        // and audited, nothing changed.
        var appId = (await server.AccountRowAsync(app.UserId)).Id;
        var hash = (await server.AccountRowAsync(app.UserId)).PasswordHash;
        using var reset = Terminal();
        var r = server.Account("reset");
        (await reset.LoginAsync(r.UserId, r.Password)).Path.ShouldBe("/Menu");
        var resetDetail = await reset.GetAsync($"/Accounts/Detail/{appId}");
        resetDetail.H1.ShouldBe("アカウント情報");
        resetDetail.Document.QuerySelectorAll("a.button").ShouldNotContain(a => a.TextContent.Contains("シークレットの更新"));
        (await reset.GetAsync($"/Accounts/RotateSecret/{appId}")).Path.ShouldBe("/Denied");
        var token = resetDetail.Q("input[name=__af]").ShouldNotBeNull().GetAttribute("value")!;
        var refused = await reset.PostAsync($"/Accounts/RotateSecret/{appId}", [new("__af", token)]);
        refused.Status.ShouldBe(HttpStatusCode.Forbidden);
        refused.Errors.ShouldContain("この操作を行う権限がありません。");
        (await server.AccountRowAsync(app.UserId)).PasswordHash.ShouldBe(hash);
        var denial = await server.WithDbAsync(db => db.AuditEntries.AsNoTracking().SingleAsync(a => a.Action == AuditActions.SecretRotate));
        denial.Actor.ShouldBe(r.UserId);
        denial.Outcome.ShouldBe(AuditOutcomes.Denied);
        denial.Target.ShouldBe(app.UserId);
        denial.Detail.ShouldBe(AuditDetails.NotPermitted);
    }
}

public sealed class OqsMachineSecretTestsSqlite() : OqsMachineSecretTests("sqlite");

public sealed class OqsMachineSecretTestsPostgres() : OqsMachineSecretTests("postgres");
