using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Applications;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Operators;
using Onshi.Core.Features.Passwords;
using Onshi.IntegrationTests.Applications;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Oqs;
using Shouldly;

#pragma warning disable CA1716 // "Operator" is a VB keyword; the folder mirrors src/Onshi.Operator.
namespace Onshi.IntegrationTests.Operator;

/// <summary>
/// The review queues (審査) of the real console on each database: applications are submitted through the portal's services
/// by a portal user inserted in the database, and decided by an operator through the pages.
/// </summary>
public abstract class ReviewQueueTests(string provider) : IAsyncLifetime
{
    private const string Code = "1340000026";
    private const string AlreadyDecided = "この申請は既に承認または差戻しされています。";

    private OperatorServer server = null!;

    public async ValueTask InitializeAsync() => server = await OperatorServer.StartAsync(provider);

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task NewApplication_ReviewerApproves_InstitutionAccountsAndPortalDocumentsExist()
    {
        var user = await PortalUserAsync("clinic@example.jp");
        var applicationId = await SubmitNewAsync(user);
        using var reviewer = await ReviewerAfterForcedChangeAsync();

        var home = await reviewer.GetAsync("/");
        var queue = await reviewer.GetAsync(home.Q("a[href='/Review']").ShouldNotBeNull().GetAttribute("href")!);
        queue.H1.ShouldBe("審査");
        var row = queue.Q("[data-testid=queue-usage] tbody tr").ShouldNotBeNull();
        row.TextContent.ShouldContain(Code);
        row.TextContent.ShouldContain("テスト医科診療所");
        row.TextContent.ShouldContain("新規");
        row.TextContent.ShouldContain("clinic@example.jp");
        queue.Q("[data-testid=queue-certificate-empty]").ShouldNotBeNull();

        var page = await reviewer.GetAsync(row.QuerySelector("a")!.GetAttribute("href")!);
        page.Path.ShouldBe($"/Review/Usage/{applicationId}");
        page.Q("[data-testid=secret]")!.TextContent.ShouldBe("秘密の番号：設定あり");
        page.Html.ShouldNotContain("3870");
        page.Html.ShouldNotContain("argon2", Case.Insensitive);
        var confirm = await reviewer.GetAsync(page.Q("[data-testid=approve]")!.GetAttribute("href")!);
        confirm.Q("[data-testid=confirm-approve]").ShouldNotBeNull().TextContent.ShouldContain("マスタアカウント");

        var done = await reviewer.SubmitAsync(confirm, "[data-testid=confirm-approve] form");

        done.Path.ShouldBe($"/Review/Usage/{applicationId}");
        done.Redirects.ShouldNotBeEmpty();
        done.Q("[data-testid=done]")!.TextContent.ShouldContain("承認しました");
        done.Q("[data-testid=decision]")!.TextContent.ShouldContain("rv-sato");
        done.Q("[data-testid=decide]").ShouldBeNull();
        var institution = await server.WithDbAsync(db => db.Institutions.AsNoTracking().SingleAsync(i => i.Code == Code));
        institution.ContactPortalUserId.ShouldBe(user);
        var accounts = await server.WithDbAsync(db => db.Accounts.AsNoTracking().Where(a => a.InstitutionId == institution.Id).ToListAsync());
        foreach (var environment in new[] { OqsEnvironment.Production, OqsEnvironment.Verification })
        {
            var master = accounts.Where(a => a.Environment == environment && a.Kind == AccountKind.Master).ShouldHaveSingleItem();
            accounts.Where(a => a.Environment == environment && a.Kind == AccountKind.MasterReset).ShouldHaveSingleItem();
            done.Q("[data-testid=accounts]")!.TextContent.ShouldContain(master.UserId);
        }

        var jstToday = server.Time.GetUtcNow().UtcDateTime.AddHours(9).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var result = done.Q("[data-testid=approval-result]")!.TextContent;
        result.ShouldContain("ユーザ設定情報");
        result.ShouldContain(jstToday);
        result.ShouldContain("本番環境");
        result.ShouldContain("接続確認環境");
        var documents = await server.WithServicesAsync(sp => sp.GetRequiredService<PortalDocumentService>().ListMasterAccountDocumentsAsync(user, 1, 20));
        documents.Rows.Select(r => r.FileName).ShouldBe(["本_オンライン資格確認等システムユーザ設定情報.pdf", "接続_オンライン資格確認等システムユーザ設定情報.pdf"]);
        documents.Rows.ShouldAllBe(r => r.ImportedOnText == jstToday);
        (await AuditAsync(ApplicationAuditActions.UsageApprove)).ShouldHaveSingleItem().Actor.ShouldBe("op:rv-sato");
        (await reviewer.GetAsync("/Review")).Q("[data-testid=queue-usage-empty]").ShouldNotBeNull();

        // Deciding again: the service's message, never a 500, and nothing more happens.
        var again = await reviewer.SubmitAsync(confirm, "[data-testid=confirm-approve] form");
        again.Status.ShouldBe(HttpStatusCode.OK);
        again.Errors.ShouldContain(AlreadyDecided);
        again.Q("[data-testid=confirm-approve]").ShouldBeNull();
        var sendBackAgain = await reviewer.PostAsync($"/Review/Usage/{applicationId}?handler=SendBack",
            [new("Input.Reason", "理由"), new("__af", again.Q("input[name=__af]")!.GetAttribute("value")!)]);
        sendBackAgain.Errors.ShouldContain(AlreadyDecided);
        (await reviewer.GetAsync($"/Review/Usage/{applicationId}?confirm=approve")).Q("[data-testid=confirm-approve]").ShouldBeNull();
        (await AuditAsync(ApplicationAuditActions.UsageApprove)).Count.ShouldBe(1);
        (await server.WithDbAsync(db => db.Accounts.CountAsync(a => a.InstitutionId == institution.Id))).ShouldBe(4);
    }

    [Fact]
    public async Task ChangeWithNewSecret_Approved_ResetAccountsVerifyWithTheNewSecret()
    {
        var user = await PortalUserAsync("clinic@example.jp");
        var institutionId = await ApprovedInstitutionAsync(user);
        var change = await server.WithServicesAsync(sp => sp.GetRequiredService<UsageApplicationService>().SubmitChangeAsync(user, institutionId,
            new ChangeApplicationInput { NewSecretNumber = "5291", NewSecretNumberConfirm = "5291" }));
        change.Succeeded.ShouldBeTrue(string.Join(" / ", change.Errors.Select(e => e.Message)));
        using var reviewer = await ReviewerAsync();

        var queue = await reviewer.GetAsync("/Review?kind=usage");
        queue.Q("[data-testid=queue-usage] tbody tr")!.TextContent.ShouldContain("変更");
        queue.Q("[data-testid=queue-certificate]").ShouldBeNull();
        var page = await reviewer.GetAsync(queue.Q("[data-testid=queue-usage] a")!.GetAttribute("href")!);
        page.Q("[data-testid=secret]")!.TextContent.ShouldBe("秘密の番号：設定あり（変更する）");
        page.Html.ShouldNotContain("5291");
        var confirm = await reviewer.GetAsync(page.Q("[data-testid=approve]")!.GetAttribute("href")!);
        var done = await reviewer.SubmitAsync(confirm, "[data-testid=confirm-approve] form");

        done.Q("[data-testid=done]")!.TextContent.ShouldContain("承認しました");
        done.Q("[data-testid=documents]")!.TextContent.ShouldContain("登録内容変更のお知らせ");
        var hasher = server.App.Services.GetRequiredService<Argon2idPasswordHasher>();
        var resets = await server.WithDbAsync(db => db.Accounts.AsNoTracking()
            .Where(a => a.InstitutionId == institutionId && a.Kind == AccountKind.MasterReset).ToListAsync());
        resets.Count.ShouldBe(2);
        resets.ShouldAllBe(r => hasher.Verify(r.PasswordHash, "5291") != PasswordVerificationResult.Failed);
        resets.ShouldAllBe(r => hasher.Verify(r.PasswordHash, "3870") == PasswordVerificationResult.Failed);
    }

    [Fact]
    public async Task SendBack_NeedsAReason_ApplicantSeesIt_BadRequestsAreClean()
    {
        var user = await PortalUserAsync("clinic@example.jp");
        var applicationId = await SubmitNewAsync(user);
        using var reviewer = await ReviewerAsync();
        var page = await reviewer.GetAsync($"/Review/Usage/{applicationId}");
        var confirm = await reviewer.GetAsync(page.Q("[data-testid=send-back]")!.GetAttribute("href")!);
        confirm.Q("[data-testid=confirm-sendback]").ShouldNotBeNull();

        var empty = await reviewer.SubmitAsync(confirm, "[data-testid=confirm-sendback] form", new Dictionary<string, string> { ["Input.Reason"] = "   " });
        empty.Status.ShouldBe(HttpStatusCode.OK);
        empty.Errors.ShouldContain("差戻し理由を入力してください。");
        empty.Q("[data-testid=confirm-sendback]").ShouldNotBeNull();
        var tooLong = await reviewer.SubmitAsync(confirm, "[data-testid=confirm-sendback] form", new Dictionary<string, string> { ["Input.Reason"] = new string('あ', 501) });
        tooLong.Errors.ShouldContain("差戻し理由は500文字以内で入力してください。");
        (await server.WithDbAsync(db => db.UsageApplications.AsNoTracking().SingleAsync(a => a.Id == applicationId))).Status.ShouldBe(ReviewStatus.Pending);
        (await AuditAsync(ApplicationAuditActions.UsageSendBack)).ShouldBeEmpty();

        // Clean refusals: no antiforgery token, a non-numeric or unknown id.
        var noToken = await reviewer.PostAsync($"/Review/Usage/{applicationId}?handler=SendBack", [new("Input.Reason", "理由")]);
        noToken.Status.ShouldBe(HttpStatusCode.BadRequest);
        noToken.H1.ShouldBe("操作を受け付けられませんでした");
        (await reviewer.PostAsync($"/Review/Usage/{applicationId}?handler=Approve", [])).Status.ShouldBe(HttpStatusCode.BadRequest);
        (await reviewer.GetAsync("/Review/Usage/abc")).Status.ShouldBe(HttpStatusCode.NotFound);
        (await reviewer.GetAsync("/Review/Subsidy/1x")).Status.ShouldBe(HttpStatusCode.NotFound);
        (await reviewer.GetAsync("/Review/Certificate/999999")).Status.ShouldBe(HttpStatusCode.NotFound);
        var unknown = await reviewer.PostAsync("/Review/Usage/999999?handler=SendBack",
            [new("Input.Reason", "理由"), new("__af", confirm.Q("[data-testid=confirm-sendback] input[name=__af]")!.GetAttribute("value")!)]);
        unknown.Status.ShouldBe(HttpStatusCode.NotFound);
        (await server.WithDbAsync(db => db.UsageApplications.AsNoTracking().SingleAsync(a => a.Id == applicationId))).Status.ShouldBe(ReviewStatus.Pending);

        var done = await reviewer.SubmitAsync(confirm, "[data-testid=confirm-sendback] form",
            new Dictionary<string, string> { ["Input.Reason"] = "所在地の番地をご確認のうえ、再度申請してください。" });

        done.Path.ShouldBe($"/Review/Usage/{applicationId}");
        done.Q("[data-testid=done]")!.TextContent.ShouldContain("差し戻しました");
        done.Q("[data-testid=send-back-reason]")!.TextContent.ShouldContain("所在地の番地をご確認のうえ");
        done.Q("[data-testid=decide]").ShouldBeNull();
        var mine = await server.WithServicesAsync(sp => sp.GetRequiredService<UsageApplicationService>().ListMineAsync(user));
        var row = mine.ShouldHaveSingleItem();
        row.StatusLabel.ShouldBe("差戻し");
        row.SendBackReason.ShouldBe("所在地の番地をご確認のうえ、再度申請してください。");
        (await AuditAsync(ApplicationAuditActions.UsageSendBack)).ShouldHaveSingleItem().Actor.ShouldBe("op:op-reviewer");
        (await server.WithDbAsync(db => db.Institutions.AnyAsync(i => i.Code == Code))).ShouldBeFalse();
    }

    [Fact]
    public async Task Certificate_Approved_IssuesTheCertificate_ConsoleNeverShowsItsSecrets()
    {
        var user = await PortalUserAsync("clinic@example.jp");
        var institutionId = await ApprovedInstitutionAsync(user);
        var submitted = await server.WithServicesAsync(sp => sp.GetRequiredService<CertificateApplicationService>().SubmitAsync(user, institutionId, "T0101"));
        submitted.Succeeded.ShouldBeTrue();
        using var reviewer = await ReviewerAsync();

        var queue = await reviewer.GetAsync("/Review?kind=certificate");
        var row = queue.Q("[data-testid=queue-certificate] tbody tr").ShouldNotBeNull();
        row.TextContent.ShouldContain("T0101");
        row.TextContent.ShouldContain("clinic@example.jp");
        var page = await reviewer.GetAsync(row.QuerySelector("a")!.GetAttribute("href")!);
        page.Path.ShouldBe($"/Review/Certificate/{submitted.Value}");
        var confirm = await reviewer.GetAsync(page.Q("[data-testid=approve]")!.GetAttribute("href")!);
        var done = await reviewer.SubmitAsync(confirm, "[data-testid=confirm-approve] form");

        done.Q("[data-testid=done]")!.TextContent.ShouldContain("電子証明書を発行しました");
        var certificate = await server.WithDbAsync(db => db.TerminalCertificates.AsNoTracking()
            .SingleAsync(c => c.InstitutionId == institutionId && c.TerminalName == "T0101"));
        done.Q("[data-testid=issued]")!.TextContent.ShouldContain(certificate.SerialNumber);
        done.Q("[data-testid=issued]")!.TextContent.ShouldContain("ダウンロード待ち");
        var listed = await server.WithServicesAsync(sp => sp.GetRequiredService<CertificateApplicationService>().ListAsync(user, institutionId));
        var applicantRow = listed.Value!.ShouldHaveSingleItem();
        applicantRow.StatusLabel.ShouldBe("承認");
        applicantRow.DownloadWaiting.ShouldBeTrue();
        (await AuditAsync(AuditActions.CertificateIssue)).ShouldContain(a => a.Actor == "op:op-reviewer" && a.CertificateSerial == certificate.SerialNumber);

        var again = await reviewer.SubmitAsync(confirm, "[data-testid=confirm-approve] form");
        again.Errors.ShouldContain(AlreadyDecided);
        (await server.WithDbAsync(db => db.TerminalCertificates.CountAsync(c => c.InstitutionId == institutionId))).ShouldBe(1);

        // The passphrase the applicant downloads once appeared on none of the console's pages.
        var download = await server.WithServicesAsync(sp => sp.GetRequiredService<CertificateApplicationService>().DownloadOnceAsync(user, submitted.Value));
        download.Succeeded.ShouldBeTrue();
        foreach (var p in new[] { page, confirm, done, again })
        {
            p.Html.ShouldNotContain(download.Value!.Passphrase);
        }

        (await reviewer.GetAsync(page.Path)).Q("[data-testid=issued]")!.TextContent.ShouldContain("発行画面を表示済み（証明書ファイル未保存）");
    }

    [Fact]
    public async Task Subsidy_ReceiptDownloads_GrantedAmountChecked_ApprovalPostsTheGrantNotice()
    {
        var user = await PortalUserAsync("clinic@example.jp");
        var institutionId = await ApprovedInstitutionAsync(user);
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 1, 2, 3, 4, 5, 6, 7];
        var submitted = await server.WithServicesAsync(sp => sp.GetRequiredService<SubsidyService>().SubmitAsync(user, institutionId, new SubsidyInput
        {
            ClaimedAmount = 300_000,
            TotalCost = 420_000,
            Description = "資格確認端末の導入とレセプトコンピュータの改修",
            ReceiptFileName = "領収書.png",
            ReceiptContentType = "image/png",
            ReceiptBytes = png,
        }));
        submitted.Succeeded.ShouldBeTrue(string.Join(" / ", submitted.Errors.Select(e => e.Message)));
        using var reviewer = await ReviewerAsync();

        var queue = await reviewer.GetAsync("/Review?kind=subsidy");
        queue.Q("[data-testid=queue-subsidy] tbody tr")!.TextContent.ShouldContain("300,000円");
        var page = await reviewer.GetAsync(queue.Q("[data-testid=queue-subsidy] a")!.GetAttribute("href")!);
        page.Q("[data-testid=claimed]")!.TextContent.ShouldBe("300,000円");
        page.Text.ShouldContain("資格確認端末の導入とレセプトコンピュータの改修");

        using (var receipt = await reviewer.Http.GetAsync(page.Q("[data-testid=receipt]")!.GetAttribute("href")!, TestContext.Current.CancellationToken))
        {
            receipt.StatusCode.ShouldBe(HttpStatusCode.OK);
            receipt.Content.Headers.ContentType!.MediaType.ShouldBe("image/png");
            receipt.Content.Headers.ContentDisposition!.DispositionType.ShouldBe("attachment");
            receipt.Headers.GetValues("X-Content-Type-Options").ShouldContain("nosniff");
            (await receipt.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken)).ShouldBe(png);
        }

        (await AuditAsync(ApplicationAuditActions.SubsidyReceiptView)).ShouldHaveSingleItem().Actor.ShouldBe("op:op-reviewer");
        var confirm = await reviewer.GetAsync(page.Q("[data-testid=approve]")!.GetAttribute("href")!);
        foreach (var (typed, message) in new[]
        {
            ("", "交付決定額を入力してください。"),
            ("abc", "交付決定額は1円以上の整数で入力してください。"),
            ("0", "交付決定額は1円以上の整数で入力してください。"),
            ("300001", "交付決定額は申請額以下で入力してください。"),
        })
        {
            var refused = await reviewer.SubmitAsync(confirm, "[data-testid=confirm-approve] form", new Dictionary<string, string> { ["Input.GrantedAmount"] = typed });
            refused.Status.ShouldBe(HttpStatusCode.OK);
            refused.Errors.ShouldContain(message);
            refused.Q("[data-testid=confirm-approve]").ShouldNotBeNull();
        }

        (await server.WithDbAsync(db => db.SubsidyApplications.AsNoTracking().SingleAsync(a => a.Id == submitted.Value))).Status.ShouldBe(ReviewStatus.Pending);

        var done = await reviewer.SubmitAsync(confirm, "[data-testid=confirm-approve] form", new Dictionary<string, string> { ["Input.GrantedAmount"] = "２５０，０００円" }); // typed with the IME on (issue 14, 7)

        done.Path.ShouldBe($"/Review/Subsidy/{submitted.Value}");
        done.Q("[data-testid=done]")!.TextContent.ShouldContain("250,000円");
        done.Q("[data-testid=grant]")!.TextContent.ShouldContain("掲載済み");
        var stored = await server.WithDbAsync(db => db.SubsidyApplications.AsNoTracking().SingleAsync(a => a.Id == submitted.Value));
        stored.Status.ShouldBe(ReviewStatus.Approved);
        stored.GrantedAmount.ShouldBe(250_000);
        stored.DecisionDocumentId.ShouldNotBeNull();
        var notices = await server.WithServicesAsync(sp => sp.GetRequiredService<SubsidyService>().ListGrantNoticesAsync(user));
        notices.Rows.ShouldHaveSingleItem().FileName.ShouldBe(SubsidyService.GrantNoticeFileName);

        var again = await reviewer.SubmitAsync(confirm, "[data-testid=confirm-approve] form", new Dictionary<string, string> { ["Input.GrantedAmount"] = "100000" });
        again.Errors.ShouldContain(AlreadyDecided);
        (await server.WithDbAsync(db => db.SubsidyApplications.AsNoTracking().SingleAsync(a => a.Id == submitted.Value))).GrantedAmount.ShouldBe(250_000);
    }

    [Fact]
    public async Task ReceiptNumber_InEveryQueueAndDetail_SearchOpensTheApplication_FullWidthAccepted_BadOnesExplained()
    {
        var user = await PortalUserAsync("clinic@example.jp");
        var institutionId = await ApprovedInstitutionAsync(user);
        var usageId = await server.WithDbAsync(db => db.UsageApplications.Select(a => a.Id).SingleAsync());
        var certificate = await server.WithServicesAsync(sp => sp.GetRequiredService<CertificateApplicationService>().SubmitAsync(user, institutionId, "T0202"));
        var subsidy = await server.WithServicesAsync(sp => sp.GetRequiredService<SubsidyService>().SubmitAsync(user, institutionId, new SubsidyInput
        {
            ClaimedAmount = 100_000,
            TotalCost = 200_000,
            Description = "資格確認端末の導入",
            ReceiptFileName = "r.pdf",
            ReceiptContentType = "application/pdf",
            ReceiptBytes = "%PDF-1.4\n"u8.ToArray(),
        }));
        certificate.Succeeded.ShouldBeTrue();
        subsidy.Succeeded.ShouldBeTrue();
        var usageAt = await server.WithDbAsync(db => db.UsageApplications.Where(a => a.Id == usageId).Select(a => a.SubmittedAt).SingleAsync());
        var certificateAt = await server.WithDbAsync(db => db.CertificateApplications.Where(a => a.Id == certificate.Value).Select(a => a.SubmittedAt).SingleAsync());
        var subsidyAt = await server.WithDbAsync(db => db.SubsidyApplications.Where(a => a.Id == subsidy.Value).Select(a => a.SubmittedAt).SingleAsync());
        var usageNumber = ReceiptNumbers.Usage(usageId, usageAt);
        var certificateNumber = ReceiptNumbers.Certificate(certificate.Value, certificateAt);
        var subsidyNumber = ReceiptNumbers.Subsidy(subsidy.Value, subsidyAt);
        using var reviewer = await ReviewerAsync();
        var auditBefore = await server.WithDbAsync(db => db.AuditEntries.CountAsync());

        // The queues list the 受付番号 first; the detail pages show it.
        var queue = await reviewer.GetAsync("/Review");
        queue.Q("[data-testid=queue-certificate] tbody tr [data-testid=receipt-number]")!.TextContent.ShouldBe(certificateNumber);
        queue.Q("[data-testid=queue-subsidy] tbody tr [data-testid=receipt-number]")!.TextContent.ShouldBe(subsidyNumber);
        queue.Q("[data-testid=queue-certificate] thead th")!.TextContent.ShouldBe("受付番号");

        // The search opens the application in any state (the 新規 is approved already), typed as the phone gives it.
        foreach (var (typed, path, number) in new[]
        {
            (usageNumber, $"/Review/Usage/{usageId}", usageNumber),
            (FullWidth(certificateNumber), $"/Review/Certificate/{certificate.Value}", certificateNumber),
            ("  " + subsidyNumber.ToLowerInvariant().Replace("-", "ー", StringComparison.Ordinal) + " ", $"/Review/Subsidy/{subsidy.Value}", subsidyNumber),
            (subsidyNumber.Replace("-", "", StringComparison.Ordinal), $"/Review/Subsidy/{subsidy.Value}", subsidyNumber),
        })
        {
            var found = await reviewer.SubmitAsync(queue, "form[data-testid=receipt-search]", new Dictionary<string, string> { ["receipt"] = typed });
            found.Path.ShouldBe(path, typed);
            found.Q("[data-testid=receipt-number]")!.TextContent.ShouldBe(number);
        }

        // Bad ones: a Japanese message on the queue page, the typed text kept, nothing changed, never a 500.
        var otherDay = "S-19990101-" + subsidy.Value.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (typed, message) in new[]
        {
            ("", ApplicationErrors.ReceiptNumberRequired.Message),
            ("   ", ApplicationErrors.ReceiptNumberRequired.Message),
            ("X-20261206-000001", ApplicationErrors.ReceiptNumberInvalid.Message),
            ("R-20261399-000001", ApplicationErrors.ReceiptNumberInvalid.Message),
            ("R-20261206-", ApplicationErrors.ReceiptNumberInvalid.Message),
            ("R-20261206-99999999999999999999", ApplicationErrors.ReceiptNumberInvalid.Message),
            ("'; DROP TABLE x; --", ApplicationErrors.ReceiptNumberInvalid.Message),
            (otherDay, ApplicationErrors.ReceiptNumberNotFound.Message),
            ("C-20261206-999999", ApplicationErrors.ReceiptNumberNotFound.Message),
        })
        {
            var refused = await reviewer.SubmitAsync(queue, "form[data-testid=receipt-search]", new Dictionary<string, string> { ["receipt"] = typed });
            refused.Status.ShouldBe(HttpStatusCode.OK, typed);
            refused.Path.ShouldBe("/Review");
            refused.Errors.ShouldContain(message, typed);
            refused.Q("#ReceiptNumber")!.GetAttribute("aria-invalid").ShouldBe("true");
            (refused.Q("#ReceiptNumber")!.GetAttribute("value") ?? "").ShouldBe(typed.Trim().Length == 0 ? "" : typed);
            refused.Q("[data-testid=queue-subsidy]").ShouldNotBeNull("the queues are still shown");
        }

        (await server.WithDbAsync(db => db.AuditEntries.CountAsync())).ShouldBe(auditBefore);
    }

    /// <summary>What an IME in full-width mode types for <paramref name="text"/> (ASCII → U+FF01…U+FF5E).</summary>
    private static string FullWidth(string text) => new([.. text.Select(c => c is > ' ' and <= '~' ? (char)(c + 0xFEE0) : c)]);

    [Fact]
    public async Task CallCenter_IsRefused_AndTheRefusalAudited()
    {
        var user = await PortalUserAsync("clinic@example.jp");
        var applicationId = await SubmitNewAsync(user);
        var (userId, password) = await server.ReadyOperatorAsync(OperatorRole.CallCenter);
        using var callCenter = server.Client();
        (await callCenter.OperatorLoginAsync(userId, password)).Q("a[href='/Review']").ShouldBeNull();

        var queue = await callCenter.GetAsync("/Review");
        queue.Status.ShouldBe(HttpStatusCode.Forbidden);
        (await callCenter.GetAsync("/Review?receipt=R-20261206-000001")).Status.ShouldBe(HttpStatusCode.Forbidden);
        queue.H1.ShouldBe("この画面は利用できません");
        (await callCenter.GetAsync($"/Review/Usage/{applicationId}")).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await callCenter.PostAsync($"/Review/Usage/{applicationId}?handler=Approve", [])).Status.ShouldBe(HttpStatusCode.Forbidden);

        (await server.WithDbAsync(db => db.UsageApplications.AsNoTracking().SingleAsync(a => a.Id == applicationId))).Status.ShouldBe(ReviewStatus.Pending);
        var denials = await AuditAsync(OperatorAuditActions.AccessDenied);
        denials.ShouldContain(a => a.Actor == "op:op-callcenter" && a.Target == "/Review" && a.Outcome == AuditOutcomes.Denied);
        denials.ShouldContain(a => a.Actor == "op:op-callcenter" && a.Target == $"/Review/Usage/{applicationId}");
        using var anonymous = server.Client();
        (await anonymous.GetAsync("/Review")).Path.ShouldBe("/Login");
    }

    private Task<List<AuditEntry>> AuditAsync(string action) =>
        server.WithDbAsync(db => db.AuditEntries.AsNoTracking().Where(a => a.Action == action).OrderBy(a => a.Id).ToListAsync());

    private Task<long> PortalUserAsync(string email) => server.WithDbAsync(async db =>
    {
        var user = new PortalUser
        {
            Email = email,
            NormalizedEmail = email.ToUpperInvariant(),
            DisplayName = "山田 太郎",
            EmailConfirmed = true,
            CreatedAt = server.Time.GetUtcNow().UtcDateTime,
        };
        db.PortalUsers.Add(user);
        await db.SaveChangesAsync();
        return user.Id;
    });

    /// <summary>A 新規 for <see cref="Code"/> (both environments, 秘密の番号 3870), submitted through the portal's service.</summary>
    private async Task<long> SubmitNewAsync(long user)
    {
        var submitted = await server.WithServicesAsync(sp => sp.GetRequiredService<UsageApplicationService>().SubmitNewAsync(user, ApplicationsHarness.NewInput(Code)));
        submitted.Succeeded.ShouldBeTrue(string.Join(" / ", submitted.Errors.Select(e => e.Message)));
        return submitted.Value;
    }

    /// <summary>An institution approved through the service (not a page under test); its id.</summary>
    private async Task<long> ApprovedInstitutionAsync(long user)
    {
        var applicationId = await SubmitNewAsync(user);
        // As the demo's supervisor op-demo: the reviewer under test has nothing to do with it.
        var setup = await TestOperators.ExistingAsync(server.App.Services, server.Demo.Operator!.UserId);
        var approved = await server.WithServicesAsync(sp => sp.GetRequiredService<ApplicationReviewService>().ApproveUsageAsync(setup, applicationId));
        approved.Succeeded.ShouldBeTrue(string.Join(" / ", approved.Errors.Select(e => e.Message)));
        return approved.Value!.InstitutionId;
    }

    /// <summary>A reviewer who has set its own password already.</summary>
    private async Task<OqsClient> ReviewerAsync()
    {
        var (userId, password) = await server.ReadyOperatorAsync(OperatorRole.Reviewer);
        var client = server.Client();
        (await client.OperatorLoginAsync(userId, password)).Path.ShouldBe("/");
        return client;
    }

    /// <summary>A new reviewer's first login: the temporary password, then the forced change.</summary>
    private async Task<OqsClient> ReviewerAfterForcedChangeAsync()
    {
        var temporary = await server.CreateOperatorAsync("rv-sato", OperatorRole.Reviewer);
        var client = server.Client();
        var forced = await client.OperatorLoginAsync("rv-sato", temporary);
        forced.Path.ShouldBe("/ChangePassword");
        (await client.GetAsync("/Review")).Path.ShouldBe("/ChangePassword");
        var changed = await client.SubmitAsync(forced, "main form", new Dictionary<string, string>
        {
            ["Input.CurrentPassword"] = temporary,
            ["Input.NewPassword"] = "Shinsa-Tantou-2026!",
            ["Input.ConfirmPassword"] = "Shinsa-Tantou-2026!",
        });
        changed.Text.ShouldContain("パスワードを変更しました");
        return client;
    }
}

public sealed class ReviewQueueTestsSqlite() : ReviewQueueTests(TestDatabase.Sqlite);

public sealed class ReviewQueueTestsPostgres() : ReviewQueueTests(TestDatabase.Postgres);
