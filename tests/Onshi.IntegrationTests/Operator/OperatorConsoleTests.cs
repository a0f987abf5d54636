using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Certificates;
using Onshi.Core.Features.Operators;
using Onshi.Core.Features.Passwords;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Oqs;
using Shouldly;

#pragma warning disable CA1716 // "Operator" is a VB keyword; the folder mirrors src/Onshi.Operator.
namespace Onshi.IntegrationTests.Operator;

/// <summary>The operator console against its real endpoint, on each database.</summary>
public abstract partial class OperatorConsoleTests(string provider) : IAsyncLifetime
{
    private OperatorServer server = null!;

    public async ValueTask InitializeAsync() => server = await OperatorServer.StartAsync(provider);

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    private Task<List<AuditEntry>> AuditAsync(string action) =>
        server.WithDbAsync(db => db.AuditEntries.AsNoTracking().Where(a => a.Action == action).OrderBy(a => a.Id).ToListAsync());

    private Task<Account> ResetAccountAsync() => server.WithDbAsync(db => db.Accounts.AsNoTracking()
        .SingleAsync(a => a.Institution!.Code == server.Demo.Institution.Code && a.Kind == AccountKind.MasterReset));

    private async Task<OqsClient> SignedInAsync(OperatorRole role)
    {
        var (userId, password) = await server.ReadyOperatorAsync(role);
        var client = server.Client();
        var home = await client.OperatorLoginAsync(userId, password);
        home.Path.ShouldBe("/");
        return client;
    }

    private async Task<OqsPage> InstitutionPageAsync(OqsClient client)
    {
        var search = await client.GetAsync("/CallCenter?q=" + server.Demo.Institution.Code);
        var link = search.Q("[data-testid=institutions] a").ShouldNotBeNull();
        return await client.GetAsync(link.GetAttribute("href")!);
    }

    private static Dictionary<string, string> Verification(string environment = "Production", string method = "registered-phone-callback",
        string caller = "オンシ 花子", string note = "登録電話番号に折り返して確認") => new()
        {
            ["Input.Method"] = method,
            ["Input.CallerName"] = caller,
            ["Input.Note"] = note,
            ["Input.Environment"] = environment,
        };

    [Fact]
    public void Console_ListensOnLoopbackOnly_WhateverTheBindAddress()
    {
        server.App.Urls.ShouldNotBeEmpty();
        server.App.Urls.ShouldAllBe(u => new Uri(u).Host == "127.0.0.1" && new Uri(u).Scheme == "https");
    }

    [Fact]
    public async Task Login_TemporaryPassword_ForcesChange_ThenDashboardByRole()
    {
        var temporary = await server.CreateOperatorAsync("cc-tanaka", OperatorRole.CallCenter);
        using var client = server.Client();

        var forced = await client.OperatorLoginAsync("cc-tanaka", temporary);
        forced.Path.ShouldBe("/ChangePassword");
        forced.Text.ShouldContain("パスワードの変更が必要です");
        (await client.GetAsync("/CallCenter")).Path.ShouldBe("/ChangePassword");
        var changed = await client.SubmitAsync(forced, "main form", new Dictionary<string, string>
        {
            ["Input.CurrentPassword"] = temporary,
            ["Input.NewPassword"] = "Sakura-Tsubaki-2025!",
            ["Input.ConfirmPassword"] = "Sakura-Tsubaki-2025!",
        });
        changed.Text.ShouldContain("パスワードを変更しました");

        var home = await client.GetAsync("/");
        home.H1.ShouldBe("運用者コンソール");
        home.Q("a[href='/CallCenter']").ShouldNotBeNull();
        home.Q("a[href='/Audit']").ShouldBeNull();
        home.Q("a[href='/Certificates']").ShouldBeNull();
        home.Q("[data-testid=current-user]")!.TextContent.ShouldContain("cc-tanaka");
        var logins = await AuditAsync(OperatorAuditActions.Login);
        logins.ShouldContain(a => a.Actor == "op:cc-tanaka" && a.Outcome == AuditOutcomes.Success && a.Detail == "must-change-password");
        (await AuditAsync(OperatorAuditActions.PasswordChange)).ShouldContain(a => a.Actor == "op:cc-tanaka" && a.Outcome == AuditOutcomes.Success);

        var supervisorHome = await (await SignedInAsync(OperatorRole.Supervisor)).GetAsync("/");
        supervisorHome.Q("a[href='/Audit']").ShouldNotBeNull();
        supervisorHome.Q("a[href='/Review']")!.TextContent.ShouldContain("審査");
        home.Q("a[href='/Review']").ShouldBeNull();
    }

    [Fact]
    public async Task Login_WrongPasswordAndUnknownId_GenericMessage_LocksAfterFive()
    {
        var (userId, password) = await server.ReadyOperatorAsync(OperatorRole.Reviewer);
        using var client = server.Client();

        var unknown = await client.OperatorLoginAsync("nobody-here", password);
        var wrong = await client.OperatorLoginAsync(userId, "Wrong-Password-1");
        unknown.Errors.ShouldBe(wrong.Errors);
        wrong.Errors.Single().ShouldContain("ユーザIDまたはパスワードが正しくないか、アカウントがロックされているか無効になっています。");
        for (var i = 0; i < 4; i++)
        {
            await client.OperatorLoginAsync(userId, "Wrong-Password-1");
        }

        var locked = await client.OperatorLoginAsync(userId, password);
        locked.Path.ShouldBe("/Login");
        locked.Errors.ShouldBe(wrong.Errors);
        var row = await server.WithDbAsync(db => db.OperatorAccounts.AsNoTracking().SingleAsync(o => o.UserId == userId));
        row.LockoutEnd.ShouldNotBeNull();
        (await AuditAsync(OperatorAuditActions.Lockout)).ShouldContain(a => a.Target == "op:" + userId);
        var logins = await AuditAsync(OperatorAuditActions.Login);
        logins.ShouldContain(a => a.Actor == OperatorLoginService.UnknownUser && a.Detail == "unknown-user");
        logins.ShouldContain(a => a.Target == "op:" + userId && a.Detail == "locked");
        logins.ShouldNotContain(a => a.Actor.Contains("nobody", StringComparison.Ordinal));
        logins.ShouldAllBe(a => !a.Detail.Contains(password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Roles_AreEnforced_AndDenialsAudited()
    {
        using var callCenter = await SignedInAsync(OperatorRole.CallCenter);
        var audit = await callCenter.GetAsync("/Audit");
        audit.Status.ShouldBe(HttpStatusCode.Forbidden);
        audit.H1.ShouldBe("この画面は利用できません");
        var certificateId = await server.WithDbAsync(db => db.TerminalCertificates.Select(c => c.Id).FirstAsync());
        var revoke = await callCenter.PostAsync($"/Certificates/Revoke/{certificateId}", []);
        revoke.Status.ShouldBe(HttpStatusCode.Forbidden);
        (await server.WithDbAsync(db => db.TerminalCertificates.AsNoTracking().SingleAsync(c => c.Id == certificateId))).RevokedAt.ShouldBeNull();

        using var reviewer = await SignedInAsync(OperatorRole.Reviewer);
        (await reviewer.GetAsync("/CallCenter")).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await reviewer.GetAsync("/Certificates")).Status.ShouldBe(HttpStatusCode.OK);

        var denials = await AuditAsync(OperatorAuditActions.AccessDenied);
        denials.ShouldContain(a => a.Actor == "op:op-callcenter" && a.Target == "/Audit" && a.Outcome == AuditOutcomes.Denied);
        denials.ShouldContain(a => a.Actor == "op:op-callcenter" && a.Target.StartsWith("/Certificates/Revoke", StringComparison.Ordinal));
        denials.ShouldContain(a => a.Actor == "op:op-reviewer" && a.Target == "/CallCenter");

        using var anonymous = server.Client();
        (await anonymous.GetAsync("/CallCenter")).Path.ShouldBe("/Login");
    }

    [Fact]
    public async Task Reissue_ShowsResultPage_NoticePdfOnly_NewSecretWorks_OldDoesNot_ResetUnlocked()
    {
        var oldSecret = server.Demo.Accounts.Single(a => a.Kind == "reset").Password;
        await server.WithDbAsync(db => db.Accounts.Where(a => a.Institution!.Code == server.Demo.Institution.Code && a.Kind == AccountKind.MasterReset)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.LockoutEnd, DateTime.MaxValue)));
        var before = await ResetAccountAsync();
        using var client = await SignedInAsync(OperatorRole.CallCenter);

        var page = await InstitutionPageAsync(client);
        page.H1.ShouldBe(server.Demo.Institution.Name);
        page.Q("[data-testid=accounts]")!.TextContent.ShouldContain("ロック中（解除が必要）");
        page.Html.ShouldNotContain("argon2");
        page.Html.ShouldNotContain(before.SecurityStamp);
        var confirm = await client.SubmitAsync(page, "[data-testid=desk-form]", Verification());
        confirm.Q("[data-testid=confirm-reissue]").ShouldNotBeNull().TextContent.ShouldContain("郵送");
        confirm.Html.ShouldNotContain(before.SecurityStamp);

        // PRG: the re-issue answers with a redirect to the result page, not with the PDF and not with the live confirmation.
        var result = await client.SubmitAsync(confirm, "[data-testid=confirm-reissue] form");
        result.Path.ShouldBe(page.Path);
        result.Url.Query.ShouldStartWith("?reissue=");
        result.Q("[data-testid=confirm-reissue]").ShouldBeNull();
        result.Q("[data-testid=reissue-result]")!.TextContent.ShouldContain("本番環境");
        result.Text.ShouldContain("秘密の番号を再発行しました");
        result.Q("[data-testid=contacts]")!.TextContent.ShouldContain("秘密の番号再発行（本番環境）");

        using var response = await client.Http.GetAsync(result.Q("[data-testid=notice-download]")!.GetAttribute("href"));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/pdf");
        response.Content.Headers.ContentDisposition!.DispositionType.ShouldBe("attachment");
        var pdf = await response.Content.ReadAsByteArrayAsync();
        var text = PdfText(pdf);
        text.ShouldContain("秘密の番号再発行のお知らせ");
        text.ShouldContain(before.UserId);
        text.ShouldContain(server.Demo.Institution.Name);

        var after = await ResetAccountAsync();
        var hasher = server.App.Services.GetRequiredService<Argon2idPasswordHasher>();
        var secret = FourDigits().Matches(text).Select(m => m.Value).Distinct()
            .SingleOrDefault(v => hasher.Verify(after.PasswordHash, v) != PasswordVerificationResult.Failed);
        secret.ShouldNotBeNull();
        hasher.Verify(after.PasswordHash, oldSecret).ShouldBe(PasswordVerificationResult.Failed);
        after.LockoutEnd.ShouldBeNull();
        after.AccessFailedCount.ShouldBe(0);
        after.SecurityStamp.ShouldNotBe(before.SecurityStamp);

        // A 秘密の番号 is never a temporary password: the reset account has no 《パスワード変更》 to be sent to.
        after.MustChangePassword.ShouldBeFalse();
        after.PasswordExpiresAt.ShouldBeNull();

        // The same notice again: the same letter (the same number), audited; the number is kept only inside the encrypted PDF.
        using var again = await client.Http.GetAsync(result.Q("[data-testid=notice-download]")!.GetAttribute("href"));
        (await again.Content.ReadAsByteArrayAsync()).ShouldBe(pdf);
        (await AuditAsync(OperatorAuditActions.SecretNoticeDownload)).Count.ShouldBe(2);
        var kept = await server.WithDbAsync(db => db.SecretReissues.AsNoTracking().SingleAsync());
        ContainsNumber(System.Text.Encoding.Latin1.GetString(kept.ProtectedNotice!), secret).ShouldBeFalse();
        kept.ProtectedNotice!.AsSpan().IndexOf("%PDF"u8).ShouldBe(-1);

        var contact = await server.WithDbAsync(db => db.CallCenterContacts.AsNoTracking().SingleAsync());
        contact.VerificationMethod.ShouldBe("registered-phone-callback");
        contact.CallerName.ShouldBe("オンシ 花子");
        var reissues = await AuditAsync(OperatorAuditActions.SecretReissue);
        reissues.Single().Target.ShouldBe(before.UserId);
        var all = await server.WithDbAsync(db => db.AuditEntries.AsNoTracking().ToListAsync());
        all.ShouldAllBe(a => !ContainsNumber(a.Detail, secret) && !ContainsNumber(a.Target, secret) && !ContainsNumber(a.Actor, secret));
        var reloaded = await client.GetAsync(result.Url.PathAndQuery);
        ContainsNumber(reloaded.Text, secret).ShouldBeFalse();
        reloaded.Q("[data-testid=reissue-result]").ShouldNotBeNull();
        (await ResetAccountAsync()).PasswordHash.ShouldBe(after.PasswordHash);
    }

    [Fact]
    public async Task Reissue_DoubleSubmitOrBackAndResubmit_IssuesOneNumber_AndAnswersWithTheSameResult()
    {
        using var client = await SignedInAsync(OperatorRole.CallCenter);
        var confirm = await client.SubmitAsync(await InstitutionPageAsync(client), "[data-testid=desk-form]", Verification());

        var first = await client.SubmitAsync(confirm, "[data-testid=confirm-reissue] form");
        var afterFirst = await ResetAccountAsync();
        // The back button shows the confirmation again (from the browser's history): its form is submitted once more.
        var second = await client.SubmitAsync(confirm, "[data-testid=confirm-reissue] form");

        second.Url.Query.ShouldBe(first.Url.Query);
        second.Text.ShouldContain("既に行われています");
        (await ResetAccountAsync()).PasswordHash.ShouldBe(afterFirst.PasswordHash);
        (await AuditAsync(OperatorAuditActions.SecretReissue)).Count.ShouldBe(1);
        (await server.WithDbAsync(db => db.CallCenterContacts.CountAsync())).ShouldBe(1);
        (await server.WithDbAsync(db => db.SecretReissues.CountAsync())).ShouldBe(1);
    }

    [Fact]
    public async Task Reissue_TwoTabsOrTwoOperators_OneNumber_TheLaterConfirmationRefused_AndAuditedThenOffersTheSameNotice()
    {
        using var client = await SignedInAsync(OperatorRole.CallCenter);
        using var supervisor = await SignedInAsync(OperatorRole.Supervisor);
        var confirmA = await client.SubmitAsync(await InstitutionPageAsync(client), "[data-testid=desk-form]", Verification());
        var confirmB = await supervisor.SubmitAsync(await InstitutionPageAsync(supervisor), "[data-testid=desk-form]", Verification(caller: "別の 窓口"));

        var a = await client.SubmitAsync(confirmA, "[data-testid=confirm-reissue] form");
        var afterA = await ResetAccountAsync();
        var b = await supervisor.SubmitAsync(confirmB, "[data-testid=confirm-reissue] form");

        a.Q("[data-testid=reissue-result]").ShouldNotBeNull();
        b.Errors.ShouldContain(e => e.Contains("別の操作で再発行", StringComparison.Ordinal));
        b.Q("[data-testid=confirm-reissue]").ShouldBeNull();
        (await ResetAccountAsync()).PasswordHash.ShouldBe(afterA.PasswordHash);
        (await AuditAsync(OperatorAuditActions.SecretReissue)).Select(x => x.Outcome).ShouldBe([AuditOutcomes.Success, AuditOutcomes.Failure]);
        (await AuditAsync(OperatorAuditActions.SecretReissue)).Last().Detail.ShouldBe("stale-confirmation");

        // The second operator finds the first one's notice on the institution page: the same letter, not a new number.
        var kept = b.Q("[data-testid=kept-notices] a")!.GetAttribute("href")!;
        using var fromB = await supervisor.Http.GetAsync(kept);
        using var fromA = await client.Http.GetAsync(a.Q("[data-testid=notice-download]")!.GetAttribute("href"));
        (await fromB.Content.ReadAsByteArrayAsync()).ShouldBe(await fromA.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Reissue_ConcurrentRequests_SameOrDifferentConfirmations_ExactlyOneNumber(bool sameConfirmation)
    {
        using var client = await SignedInAsync(OperatorRole.CallCenter);
        var page = await InstitutionPageAsync(client);
        var confirmations = new List<OqsPage>();
        for (var i = 0; i < 6; i++)
        {
            if (sameConfirmation && i > 0)
            {
                confirmations.Add(confirmations[0]);
                continue;
            }

            confirmations.Add(await client.SubmitAsync(page, "[data-testid=desk-form]", Verification()));
        }

        var responses = await Task.WhenAll(confirmations.Select(c => client.SubmitRawAsync(c, "[data-testid=confirm-reissue] form")));
        try
        {
            responses.ShouldAllBe(r => r.StatusCode == HttpStatusCode.Redirect || r.StatusCode == HttpStatusCode.OK);
            responses.Count(r => r.StatusCode == HttpStatusCode.Redirect).ShouldBe(sameConfirmation ? responses.Length : 1);
        }
        finally
        {
            foreach (var r in responses)
            {
                r.Dispose();
            }
        }

        (await server.WithDbAsync(db => db.SecretReissues.CountAsync())).ShouldBe(1);
        (await server.WithDbAsync(db => db.CallCenterContacts.CountAsync())).ShouldBe(1);
        (await AuditAsync(OperatorAuditActions.SecretReissue)).Count(x => x.Outcome == AuditOutcomes.Success).ShouldBe(1);
    }

    [Fact]
    public async Task Reissue_NoticeKeptForTheRetentionOnly_ThenErased_WithAJapaneseMessage()
    {
        var (userId, password) = await server.ReadyOperatorAsync(OperatorRole.CallCenter);
        using var client = server.Client();
        (await client.OperatorLoginAsync(userId, password)).Path.ShouldBe("/");
        var confirm = await client.SubmitAsync(await InstitutionPageAsync(client), "[data-testid=desk-form]", Verification());
        var result = await client.SubmitAsync(confirm, "[data-testid=confirm-reissue] form");
        var href = result.Q("[data-testid=notice-download]")!.GetAttribute("href")!;

        server.Time.Advance(TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1));
        (await client.OperatorLoginAsync(userId, password)).Path.ShouldBe("/");
        var expired = await client.GetAsync(href);
        var page = await client.GetAsync(result.Url.PathAndQuery);

        expired.Status.ShouldBe(HttpStatusCode.OK);
        expired.Errors.ShouldContain(e => e.Contains("保管期間が過ぎた", StringComparison.Ordinal));
        page.Q("[data-testid=notice-expired]").ShouldNotBeNull();
        page.Q("[data-testid=kept-notices]").ShouldBeNull();
        (await server.WithDbAsync(db => db.SecretReissues.AsNoTracking().SingleAsync())).ProtectedNotice.ShouldBeNull();
    }

    [Fact]
    public async Task Reissue_ForgedOrForeignRequestToken_Refused_NothingChanged()
    {
        var before = await ResetAccountAsync();
        using var client = await SignedInAsync(OperatorRole.CallCenter);
        var confirm = await client.SubmitAsync(await InstitutionPageAsync(client), "[data-testid=desk-form]", Verification());
        var af = confirm.Q("[data-testid=confirm-reissue] input[name=__af]")!.GetAttribute("value")!;
        var version = confirm.Q("input[name='Input.Version']")!.GetAttribute("value")!;

        var noToken = await client.PostAsync(confirm.Path + "?handler=Reissue", [.. Verification(), new("__af", af), new("Input.Version", version)]);
        var badToken = await client.PostAsync(confirm.Path + "?handler=Reissue", [.. Verification(), new("__af", af), new("Input.Version", version),
            new("Input.RequestId", "../../etc/passwd")]);
        var badVersion = await client.PostAsync(confirm.Path + "?handler=Reissue", [.. Verification(), new("__af", af), new("Input.Version", "0000"),
            new("Input.RequestId", new string('a', 32))]);

        noToken.Errors.ShouldContain(e => e.Contains("画面を開き直して", StringComparison.Ordinal));
        badToken.Errors.ShouldContain(e => e.Contains("画面を開き直して", StringComparison.Ordinal));
        badVersion.Errors.ShouldContain(e => e.Contains("別の操作で再発行", StringComparison.Ordinal));
        (await ResetAccountAsync()).PasswordHash.ShouldBe(before.PasswordHash);
        (await server.WithDbAsync(db => db.SecretReissues.CountAsync())).ShouldBe(0);
        (await client.GetAsync(confirm.Path + "?handler=Notice&reissue=" + new string('b', 32))).Errors.ShouldContain("指定された再発行の記録が見つかりません。");
    }

    [Fact]
    public async Task Unlock_Alone_UnlocksResetAccount_KeepsSecret()
    {
        var secret = server.Demo.Accounts.Single(a => a.Kind == "reset").Password;
        await server.WithDbAsync(db => db.Accounts.Where(a => a.Institution!.Code == server.Demo.Institution.Code && a.Kind == AccountKind.MasterReset)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.LockoutEnd, DateTime.MaxValue)));
        using var client = await SignedInAsync(OperatorRole.CallCenter);
        var page = await InstitutionPageAsync(client);
        var form = page.Q("[data-testid=unlock-Production]").ShouldNotBeNull();

        var done = await client.PostAsync(form.GetAttribute("formaction")!, [.. Verification(method: "institution-details-match"),
            new("__af", page.Q("[data-testid=desk-form] input[name=__af]")!.GetAttribute("value")!)]);

        done.Text.ShouldContain("ロックを解除しました");
        var reset = await ResetAccountAsync();
        reset.LockoutEnd.ShouldBeNull();
        server.App.Services.GetRequiredService<Argon2idPasswordHasher>().Verify(reset.PasswordHash, secret).ShouldNotBe(PasswordVerificationResult.Failed);
        (await AuditAsync(AuditActions.Unlock)).ShouldContain(a => a.Actor == "op:op-callcenter" && a.Target == reset.UserId
            && a.Detail == "institution-details-match");
        (await server.WithDbAsync(db => db.CallCenterContacts.CountAsync())).ShouldBe(1);
    }

    [Fact]
    public async Task Desk_BadInput_JapaneseMessages_NothingStored_No500()
    {
        var before = await ResetAccountAsync();
        using var client = await SignedInAsync(OperatorRole.CallCenter);
        var page = await InstitutionPageAsync(client);

        var unknownMethod = await client.SubmitAsync(page, "[data-testid=desk-form]", Verification(method: "guess"));
        unknownMethod.Errors.ShouldContain("本人確認の方法を一覧から選択してください。");
        var noCaller = await client.SubmitAsync(page, "[data-testid=desk-form]", Verification(caller: "  "));
        noCaller.Errors.ShouldContain("発信者名を入力してください。");
        var longNote = await client.SubmitAsync(page, "[data-testid=desk-form]", Verification(note: new string('あ', 501)));
        longNote.Errors.ShouldContain("メモは500文字以内で入力してください。");
        var otherWithoutNote = await client.SubmitAsync(page, "[data-testid=desk-form]", Verification(method: "other", note: ""));
        otherWithoutNote.Errors.ShouldContain(e => e.Contains("その他", StringComparison.Ordinal));
        var badEnvironment = await client.SubmitAsync(page, "[data-testid=desk-form]", Verification(environment: "Moon"));
        badEnvironment.Errors.ShouldContain("利用環境を選択してください。");
        foreach (var p in new[] { unknownMethod, noCaller, longNote, otherWithoutNote, badEnvironment })
        {
            p.Status.ShouldBe(HttpStatusCode.OK);
            p.Q("[data-testid=confirm-reissue]").ShouldBeNull();
        }

        // Straight to the re-issue handler with bad input: refused too.
        var direct = await client.PostAsync(page.Path + "?handler=Reissue", [.. Verification(method: "guess"),
            new("__af", page.Q("[data-testid=desk-form] input[name=__af]")!.GetAttribute("value")!)]);
        direct.Errors.ShouldContain("本人確認の方法を一覧から選択してください。");

        var noToken = await client.PostAsync(page.Path + "?handler=Reissue", Verification());
        noToken.Status.ShouldBe(HttpStatusCode.BadRequest);
        noToken.H1.ShouldBe("操作を受け付けられませんでした");
        var notNumeric = await client.GetAsync("/CallCenter/Institution/abc");
        notNumeric.Status.ShouldBe(HttpStatusCode.NotFound);
        notNumeric.H1.ShouldBe("ページが見つかりません");
        (await client.GetAsync("/CallCenter/Institution/999999")).Status.ShouldBe(HttpStatusCode.NotFound);
        (await client.GetAsync("/Certificates/Revoke/x1")).Status.ShouldBe(HttpStatusCode.NotFound);
        var emptySearch = await client.GetAsync("/CallCenter?q=");
        emptySearch.Errors.ShouldNotBeEmpty();

        (await ResetAccountAsync()).PasswordHash.ShouldBe(before.PasswordHash);
        (await server.WithDbAsync(db => db.CallCenterContacts.CountAsync())).ShouldBe(0);
        (await AuditAsync(OperatorAuditActions.SecretReissue)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Search_ByCodePrefixAndName()
    {
        using var client = await SignedInAsync(OperatorRole.CallCenter);

        var byCode = await client.GetAsync("/CallCenter?q=" + server.Demo.Institution.Code);
        var byPrefix = await client.GetAsync("/CallCenter?q=27");
        var byName = await client.GetAsync("/CallCenter?q=" + Uri.EscapeDataString("調剤"));

        byCode.Document.QuerySelectorAll("[data-testid=institutions] tbody tr").Length.ShouldBe(1);
        byCode.Q("[data-testid=institutions]")!.TextContent.ShouldContain(server.Demo.Institution.Name);
        byPrefix.Q("[data-testid=institutions]")!.TextContent.ShouldContain(server.Demo.OtherInstitution.Name);
        byName.Q("[data-testid=institutions]")!.TextContent.ShouldContain(server.Demo.OtherInstitution.Code);
        byName.Q("[data-testid=institutions]")!.TextContent.ShouldNotContain(server.Demo.Institution.Name);

        // Issue 14 (7): a code typed full-width is still a code; the console's code filters read it the same way.
        var fullWidth = string.Concat(server.Demo.Institution.Code.Select(c => (char)(c - '0' + '０')));
        var byFullWidthCode = await client.GetAsync("/CallCenter?q=" + Uri.EscapeDataString(fullWidth));
        byFullWidthCode.Document.QuerySelectorAll("[data-testid=institutions] tbody tr").Length.ShouldBe(1);
        byFullWidthCode.Q("[data-testid=institutions]")!.TextContent.ShouldContain(server.Demo.Institution.Name);
    }

    [Fact]
    public async Task Revoke_Certificate_IsAudited_AndTheOqsRefusesIt()
    {
        using var client = await SignedInAsync(OperatorRole.Reviewer);
        var list = await client.GetAsync("/Certificates?code=" + server.Demo.Institution.Code);
        list.Q("[data-testid=certificates]")!.TextContent.ShouldContain(server.Demo.Terminal.Serial);
        var confirm = await client.GetAsync(list.Q("[data-testid=certificates] a")!.GetAttribute("href")!);
        confirm.Q("[data-testid=confirm-revoke]").ShouldNotBeNull();

        var done = await client.SubmitAsync(confirm, "[data-testid=confirm-revoke] form");

        done.Path.ShouldBe("/Certificates");
        done.Text.ShouldContain("失効しました");
        (await AuditAsync(AuditActions.CertificateRevoke)).ShouldContain(a => a.Actor == "op:op-reviewer"
            && a.CertificateSerial == server.Demo.Terminal.Serial && a.InstitutionCode == server.Demo.Institution.Code);
        using var cert = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(server.Demo.Terminal.Pfx, server.Demo.Terminal.Passphrase);
        var check = await server.WithServicesAsync(sp => sp.GetRequiredService<TerminalCertificateService>().CheckAsync(cert, CancellationToken.None));
        check.Status.ShouldBe(CertificateCheckStatus.Revoked);
    }

    [Fact]
    public async Task Audit_Supervisor_FiltersByInstitutionActorActionOutcomeAndPeriod()
    {
        using var client = await SignedInAsync(OperatorRole.Supervisor);
        var code = server.Demo.Institution.Code;

        var byCode = await client.GetAsync($"/Audit?code={code}");
        var byActor = await client.GetAsync("/Audit?actor=op-supervisor&action=operator.login&outcome=success");
        var jstToday = DateTime.UtcNow.AddHours(9).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var jstTomorrow = DateTime.UtcNow.AddHours(33).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var today = await client.GetAsync($"/Audit?from={jstToday}&to={jstToday}&action=account.create");
        var future = await client.GetAsync($"/Audit?from={jstTomorrow}");
        var bad = await client.GetAsync("/Audit?from=yesterday&code=abc");

        var codeRows = byCode.Document.QuerySelectorAll("[data-testid=audit] tbody tr");
        codeRows.Length.ShouldBeGreaterThan(0);
        codeRows.ShouldAllBe(r => r.Children[1].TextContent == code);
        var actorRows = byActor.Document.QuerySelectorAll("[data-testid=audit] tbody tr");
        actorRows.Length.ShouldBe(1);
        actorRows[0].Children[2].TextContent.ShouldBe("op:op-supervisor");
        today.Document.QuerySelectorAll("[data-testid=audit] tbody tr").Length.ShouldBeGreaterThan(0);
        future.Text.ShouldContain("該当する操作ログはありません");
        bad.Status.ShouldBe(HttpStatusCode.OK);
        bad.Errors.ShouldContain("日付は「2025-01-31」の形式で入力してください。");
    }

    private static bool ContainsNumber(string text, string? number) =>
        number is not null && Regex.IsMatch(text, $"(?<![0-9]){number}(?![0-9])");

    private static string PdfText(byte[] pdf)
    {
        var path = Path.Combine(Path.GetTempPath(), $"onshi-notice-{Guid.NewGuid():N}.pdf");
        File.WriteAllBytes(path, pdf);
        try
        {
            using var process = Process.Start(new ProcessStartInfo("pdftotext", ["-enc", "UTF-8", path, "-"])
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            })!;
            var text = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return text;
        }
        finally
        {
            File.Delete(path);
        }
    }

    [GeneratedRegex("(?<![0-9])[0-9]{4}(?![0-9])")]
    private static partial Regex FourDigits();
}

public sealed class OperatorConsoleTestsSqlite() : OperatorConsoleTests(TestDatabase.Sqlite);

public sealed class OperatorConsoleTestsPostgres() : OperatorConsoleTests(TestDatabase.Postgres);
