using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using AngleSharp.Html.Parser;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Applications;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Operators;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Oqs;
using Shouldly;

namespace Onshi.IntegrationTests.Portal;

/// <summary>
/// The six オンライン資格確認 pages (SPEC §6, seed P4–P5) on the real portal endpoint, on each database. The operator's
/// decisions are taken through the services (the operator's pages are another site).
/// </summary>
public abstract class PortalOnlineEligibilityTests(string provider) : IAsyncLifetime
{
    private const string Code = "1310000018";
    private static readonly HtmlParser Parser = new();

    private PortalServer server = null!;

    private OperatorActor? reviewerActor;

    public async ValueTask InitializeAsync() => server = await PortalServer.StartAsync(provider);

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task NewApplication_Approved_MasterAccountListDetailPdfZip_ThenChange_AndSendBackShowsReason()
    {
        using var client = await SignedInAsync("hanako@clinic.example.jp");

        var empty = await client.GetAsync("/OnlineEligibility/Application");
        var form = await client.GetAsync("/OnlineEligibility/Application/New");
        var confirm = await client.SubmitAsync(form, "form[data-testid=new-form]", NewForm(Code));
        var done = await client.SubmitAsync(confirm, "form[data-testid=confirm-submit]");
        var submitted = await client.GetAsync("/OnlineEligibility/Application");

        empty.H1.ShouldBe("利用開始・変更申請");
        empty.Q("[data-testid=no-applications]").ShouldNotBeNull();
        var secret = form.Q("#SecretNumber")!;
        secret.GetAttribute("type").ShouldBe("password");
        secret.GetAttribute("inputmode").ShouldBe("numeric");
        secret.GetAttribute("autocomplete").ShouldBe("off");
        form.Q("#SecretNumberConfirm")!.GetAttribute("type").ShouldBe("password");
        form.Q("label[for=SecretNumber]")!.TextContent.ShouldStartWith("秘密の番号（数字4桁）");
        confirm.Html.ShouldNotContain("3870");
        done.Path.ShouldBe("/OnlineEligibility/Application/Done");
        done.Q("[data-testid=done]")!.TextContent.ShouldContain("新規申請を受け付けました");
        var receipt = done.Q("[data-testid=receipt-number]")!.TextContent.Trim();
        var row = Cells(submitted, "[data-testid=applications] tbody tr").Single();
        row[0].ShouldBe(receipt);
        row[1].ShouldBe("新規");
        row[2].ShouldBe(Code);
        row[3].ShouldBe("テスト医科診療所");
        row[4].ShouldBe("本番環境・接続確認環境");
        row[6].ShouldBe("申請中");
        submitted.Html.ShouldNotContain("3870");

        var applicationId = await server.WithDbAsync(db => db.UsageApplications.Select(a => a.Id).SingleAsync());
        (await Review<ApplicationReviewService, OpResult<UsageApprovalResult>>((s, reviewer) => s.ApproveUsageAsync(reviewer, applicationId))).Succeeded.ShouldBeTrue();

        var approved = await client.GetAsync("/OnlineEligibility/Application");
        var list = await client.GetAsync("/OnlineEligibility/MasterAccount");

        Cells(approved, "[data-testid=applications] tbody tr").Single()[6].ShouldBe("承認");
        list.H1.ShouldBe("オンライン資格確認マスタアカウント情報管理");
        list.Q("h2")!.TextContent.ShouldBe("マスタアカウント情報");
        list.Document.QuerySelectorAll("[data-testid=documents] thead th").Select(e => e.TextContent.Trim())
            .ShouldBe(["ファイル名", "本番環境/接続確認環境", "申請区分", "決定通知書取込日"]);
        var today = ApplicationLabels.Date(DateOnly.FromDateTime(server.Time.GetUtcNow().UtcDateTime.AddHours(9)));
        Cells(list, "[data-testid=documents] tbody tr").ShouldBe(
        [
            ["本_オンライン資格確認等システムユーザ設定情報.pdf", "本番環境", "新規", today],
            ["接続_オンライン資格確認等システムユーザ設定情報.pdf", "接続確認環境", "新規", today],
        ]);
        list.Q("[data-testid=count]")!.TextContent.Trim().ShouldBe("1~2 件目 / 2 件");

        var detailHref = list.Q("[data-testid=documents] tbody tr a")!.GetAttribute("href")!;
        var detail = await client.GetAsync(detailHref);
        detail.H1.ShouldBe("本_オンライン資格確認等システムユーザ設定情報");
        detail.Q("#attachment-title")!.TextContent.ShouldBe("添付ファイル");
        detail.Q("[data-testid=attachment]")!.TextContent.ShouldBe("本_オンライン資格確認等システムユーザ設定情報.pdf");
        Cells(detail, "[data-testid=document-info] tr").Take(4).ShouldBe(
        [
            ["ファイル名", "本_オンライン資格確認等システムユーザ設定情報.pdf"],
            ["本番環境/接続確認環境", "本番環境"],
            ["申請区分", "新規"],
            ["決定通知書取込日", today],
        ]);
        Cells(detail, "[data-testid=document-info] tr")[4][0].ShouldBe("初期パスワードの有効期限");

        using var pdf = await client.Http.GetAsync(detail.Q("[data-testid=attachment]")!.GetAttribute("href"));
        pdf.StatusCode.ShouldBe(HttpStatusCode.OK);
        pdf.Content.Headers.ContentType!.MediaType.ShouldBe("application/pdf");
        pdf.Content.Headers.ContentDisposition!.DispositionType.ShouldBe("attachment");
        pdf.Content.Headers.ContentDisposition.FileNameStar.ShouldBe("本_オンライン資格確認等システムユーザ設定情報.pdf");
        var text = await PdfText.ExtractAsync(await pdf.Content.ReadAsByteArrayAsync());
        text.ShouldContain("ユーザID");
        text.ShouldContain("リセット用ユーザID");
        text.ShouldContain(Code);

        using var zip = await client.Http.GetAsync(detail.Q("[data-testid=zip]")!.GetAttribute("href"));
        zip.Content.Headers.ContentType!.MediaType.ShouldBe("application/zip");
        zip.Content.Headers.ContentDisposition!.FileNameStar.ShouldBe(PortalDocumentService.BothEnvironmentsZipFileName);
        using (var archive = new ZipArchive(new MemoryStream(await zip.Content.ReadAsByteArrayAsync())))
        {
            archive.Entries.Select(e => e.FullName).Order().ShouldBe(
                ["接続_オンライン資格確認等システムユーザ設定情報.pdf", "本_オンライン資格確認等システムユーザ設定情報.pdf"], ignoreOrder: true);
        }

        (await client.GetAsync(detailHref + "/Nothing")).Status.ShouldBe(HttpStatusCode.NotFound);

        // 変更申請: a new name and a new 秘密の番号; the operator sends it back with a reason the applicant sees.
        var changedDone = await ApplyAsync(client, "/OnlineEligibility/Application/Change", "form[data-testid=change-form]", new Dictionary<string, string>
        {
            ["Input.NewInstitutionName"] = "テスト医科クリニック",
            ["Input.NewSecretNumber"] = "5829",
            ["Input.NewSecretNumberConfirm"] = "5829",
        });
        changedDone.Path.ShouldBe("/OnlineEligibility/Application/Done");
        var changed = await client.GetAsync("/OnlineEligibility/Application");
        var change = Cells(changed, "[data-testid=applications] tbody tr")[0];
        change[0].ShouldBe(changedDone.Q("[data-testid=receipt-number]")!.TextContent.Trim());
        change[1].ShouldBe("変更");
        change[4].ShouldContain("医療機関等名：テスト医科クリニック");
        change[4].ShouldContain("秘密の番号の変更");
        change[6].ShouldBe("申請中");

        var changeId = await server.WithDbAsync(db => db.UsageApplications.Where(a => a.Kind == ApplicationKind.Change).Select(a => a.Id).SingleAsync());
        (await Review<ApplicationReviewService, OpResult>((s, reviewer) => s.SendBackUsageAsync(reviewer, changeId, "医療機関等名の変更を確認できる書類が必要です。"))).Succeeded.ShouldBeTrue();
        var sentBack = Cells(await client.GetAsync("/OnlineEligibility/Application"), "[data-testid=applications] tbody tr")[0];
        sentBack[6].ShouldBe("差戻し");
        sentBack[7].ShouldBe("医療機関等名の変更を確認できる書類が必要です。");
    }

    [Fact]
    public async Task P4_P5_SeedScreens_InTheGuidesWords_FromHomeToThePdfTable()
    {
        const string email = "seed@clinic.example.jp";
        using var client = await SignedInAsync(email);
        await ApprovedInstitutionAsync(email, EnvironmentSet.Production | EnvironmentSet.Verification);

        // P4-2: the home after login: カテゴリ, オンライン資格確認 and its six items with the seed's texts.
        var home = await client.GetAsync("/");
        home.Q("[data-testid=online-eligibility] h2")!.TextContent.ShouldBe("オンライン資格確認");
        home.Q("[data-testid=online-eligibility] p")!.TextContent.ShouldBe("オンライン資格確認に関する情報について確認いただけます");
        home.Document.QuerySelectorAll("[data-testid=online-eligibility] li a").Select(a => (a.ChildNodes[0].TextContent, a.QuerySelector("small")!.TextContent)).ShouldBe(
        [
            ("利用開始・変更申請", "こちらからオンライン資格確認の利用申請を実施いただけます。"),
            ("マスタアカウント情報ダウンロード", "こちらからオンライン資格確認のマスタアカウント情報がダウンロードいただけます。"),
            ("運用開始日登録", "こちらからオンライン資格確認の運用開始日を登録いただけます。"),
            ("電子証明書発行申請", "こちらから電子証明書発行の個別申請・申請照会を実施いただけます。"),
            ("補助金申請", "こちらからオンライン資格確認等の補助金を申請いただけます。"),
            ("交付決定通知書ダウンロード", "こちらからオンライン資格確認の交付決定通知書がダウンロードいただけます。"),
        ]);

        // P4-2 → P4-3: 「マスタアカウント情報ダウンロード」 → the list.
        var item = home.Document.QuerySelectorAll("[data-testid=online-eligibility] li a").Single(a => a.ChildNodes[0].TextContent == "マスタアカウント情報ダウンロード");
        var list = await client.GetAsync(item.GetAttribute("href")!);
        list.H1.ShouldBe("オンライン資格確認マスタアカウント情報管理");
        list.Q("#documents-title")!.TextContent.ShouldBe("マスタアカウント情報");
        list.Q("[data-testid=count]")!.TextContent.Trim().ShouldMatch(@"^1~2 件目 / 2 件$");

        // P4-3 → P4-4: 「本_オンライン資格確認等システムユーザ設定情報.pdf」 → the detail with 添付ファイル.
        var link = list.Document.QuerySelectorAll("[data-testid=documents] tbody a").Single(a => a.TextContent == "本_オンライン資格確認等システムユーザ設定情報.pdf");
        var detail = await client.GetAsync(link.GetAttribute("href")!);
        detail.Q(".breadcrumb a")!.TextContent.ShouldBe("オンライン資格確認マスタアカウント情報管理");
        detail.H1.ShouldBe("本_オンライン資格確認等システムユーザ設定情報");
        detail.Q("#attachment-title")!.TextContent.ShouldBe("添付ファイル");
        detail.Q("#info-title")!.TextContent.ShouldBe("マスタアカウント情報");
        detail.Text.ShouldContain("自動でダウンロードが開始されます。");
        // P5-5: the zip of those who applied on the old site, and which PDF in it to open.
        detail.Q("[data-testid=zip]").ShouldNotBeNull();
        detail.Text.ShouldContain("PDFは「本_オンライン資格確認等システムユーザ設定情報.pdf」を開いてください。");

        // P4-4: 添付ファイル downloads at once; P5-5: the PDF holds the seed's table and warnings.
        using var pdf = await client.Http.GetAsync(detail.Q("[data-testid=attachment]")!.GetAttribute("href"));
        pdf.Content.Headers.ContentDisposition!.DispositionType.ShouldBe("attachment");
        var text = await PdfText.ExtractAsync(await pdf.Content.ReadAsByteArrayAsync());
        text.ShouldContain("オンライン資格確認等システムユーザ設定情報");
        text.ShouldContain("☆オンライン資格確認等システム利用に関する情報");
        text.ShouldMatch(@"利用環境\s+本番環境");
        text.ShouldMatch($@"医療機関等コード\s+{Code}");
        text.ShouldMatch(@"医療機関等名\s+テスト医科診療所");
        text.ShouldMatch(@"(?m)^\s*ユーザID\s+[1-9][0-9]{6}\s*$");
        text.ShouldMatch(@"ユーザ名\s+テスト医科診療所");
        text.ShouldMatch(@"(?m)^\s*パスワード\s+\S{8,}\s*$");
        text.ShouldMatch(@"パスワード有効期限\s+[0-9]{4}年[0-9]{2}月[0-9]{2}日");
        text.ShouldMatch(@"リセット用ユーザID\s+R[0-9]{7}");
        text.ShouldContain("※ 重要な情報が記載されていますので、取扱いに注意し大切に保管願います。");
        text.ShouldContain("※ オンライン資格確認等システムに初回ログイン時、パスワードの変更を行ってください。");
    }

    [Fact]
    public async Task RequiredSelects_StartWithAnEmptyPlaceholder_AndTheAddressIsOneLine()
    {
        const string email = "select@clinic.example.jp";
        using var client = await SignedInAsync(email);
        await ApprovedInstitutionAsync(email, EnvironmentSet.Production);

        // Nu HTML Checker: a required select's first option must be an empty placeholder; the institution stays preselected.
        foreach (var path in new[] { "/OnlineEligibility/Certificates", "/OnlineEligibility/Subsidy", "/OnlineEligibility/Application/Change" })
        {
            var page = await client.GetAsync(path);
            var options = page.Document.QuerySelectorAll("select#InstitutionId[required] option");
            options[0].GetAttribute("value").ShouldBe("", path);
            options[0].TextContent.ShouldBe("選択してください", path);
            options[1].HasAttribute("selected").ShouldBeTrue(path);
        }

        var empty = await client.SubmitAsync(await client.GetAsync("/OnlineEligibility/Certificates"), "form[data-testid=certificate-form]",
            new Dictionary<string, string> { ["Input.InstitutionId"] = "", ["Input.TerminalName"] = "UKETSUKE-01" });
        empty.Errors.ShouldContain("医療機関等を選択してください。");
        (await server.WithDbAsync(db => db.CertificateApplications.CountAsync())).ShouldBe(0);

        var form = await client.GetAsync("/OnlineEligibility/Application/New");
        form.Q("#Address")!.GetAttribute("autocomplete").ShouldBe("address-line1");
    }

    [Fact]
    public async Task DecisionMails_Approval_SendBack_CertificateIssued_Grant_ReachTheApplicant_WithTheSignature_AndTheMasterExpiry()
    {
        const string email = "mail@clinic.example.jp";
        using var client = await SignedInAsync(email);
        var institutionId = await ApprovedInstitutionAsync(email, EnvironmentSet.Production);
        var master = await server.WithDbAsync(db => db.Accounts.AsNoTracking()
            .SingleAsync(a => a.InstitutionId == institutionId && a.Kind == AccountKind.Master));
        var expiresJst = master.PasswordExpiresAt!.Value.AddHours(9);

        var approval = server.LastMailTo(email);
        approval.Subject.ShouldBe("【医療機関等向け総合ポータルサイト】利用開始・変更申請の承認のお知らせ");
        approval.Body.ShouldContain(Code);
        approval.Body.ShouldContain("本番環境：" + expiresJst.ToString("yyyy'年'MM'月'dd'日' HH':'mm", System.Globalization.CultureInfo.InvariantCulture) + "まで");
        approval.Body.ShouldNotContain("3870");

        // The マスタアカウント情報 detail shows the same expiry.
        var list = await client.GetAsync("/OnlineEligibility/MasterAccount");
        var detail = await client.GetAsync(list.Q("[data-testid=documents] tbody tr a")!.GetAttribute("href")!);
        detail.Q("[data-testid=initial-password-expiry]")!.TextContent.Trim()
            .ShouldBe(expiresJst.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) + "まで");
        detail.Q("[data-testid=initial-password-note]").ShouldNotBeNull();

        // 電子証明書: one sent back with its reason, one issued.
        await ApplyAsync(client, "/OnlineEligibility/Certificates", "form[data-testid=certificate-form]",
            new Dictionary<string, string> { ["Input.TerminalName"] = "UKETSUKE-01" });
        var first = await server.WithDbAsync(db => db.CertificateApplications.Select(a => a.Id).SingleAsync());
        (await Review<CertificateApplicationService, OpResult>((s, r) => s.SendBackAsync(r, first, "端末名を受付PCの名前にしてください。"))).Succeeded.ShouldBeTrue();
        var sentBack = server.LastMailTo(email);
        sentBack.Subject.ShouldEndWith("電子証明書発行申請の差戻しのお知らせ");
        sentBack.Body.ShouldContain("端末名を受付PCの名前にしてください。");

        await ApplyAsync(client, "/OnlineEligibility/Certificates", "form[data-testid=certificate-form]",
            new Dictionary<string, string> { ["Input.TerminalName"] = "UKETSUKE-PC" });
        var second = await server.WithDbAsync(db => db.CertificateApplications.Where(a => a.Status == ReviewStatus.Pending).Select(a => a.Id).SingleAsync());
        (await Review<CertificateApplicationService, OpResult>((s, r) => s.ApproveAsync(r, second))).Succeeded.ShouldBeTrue();
        var issued = server.LastMailTo(email);
        issued.Subject.ShouldEndWith("電子証明書の発行のお知らせ");
        issued.Body.ShouldContain("UKETSUKE-PC");
        issued.Body.ShouldContain("証明書ファイルを保存");

        // 補助金: 交付決定 with the amount.
        (await PostSubsidyAsync(client, "600000", "541000", "receipt.png", "image/png", Png)).Path.ShouldBe("/OnlineEligibility/Subsidy/Done");
        var subsidyId = await server.WithDbAsync(db => db.SubsidyApplications.Select(a => a.Id).SingleAsync());
        (await Review<SubsidyService, OpResult<long>>((s, r) => s.ApproveAsync(r, subsidyId, 500000))).Succeeded.ShouldBeTrue();
        var grant = server.LastMailTo(email);
        grant.Subject.ShouldEndWith("補助金の交付決定のお知らせ");
        grant.Body.ShouldContain("交付決定額：500,000円");

        // Every decision mail ends with the operating body and the call center; none carries a secret.
        foreach (var mail in new[] { approval, sentBack, issued, grant })
        {
            mail.Body.ShouldContain("オンライン資格確認等システム 運用事務局");
            mail.Body.ShouldContain("お問い合わせ：オンライン資格確認等コールセンター");
            mail.Body.ShouldContain("電話番号：0800-080-4583");
            mail.Body.ShouldContain("受付時間：月曜日～金曜日 8:00-18:00");
        }

        server.Mails().Count(m => m.To == email && m.Subject.EndsWith("のお知らせ", StringComparison.Ordinal)).ShouldBe(4);
    }

    [Fact]
    public async Task OperationStart_RegistersAndReplacesPerEnvironment()
    {
        using var client = await SignedInAsync("ops@clinic.example.jp");
        var institutionId = await ApprovedInstitutionAsync("ops@clinic.example.jp", EnvironmentSet.Production | EnvironmentSet.Verification);

        var page = await client.GetAsync("/OnlineEligibility/OperationStart");
        var start = DateOnly.FromDateTime(server.Time.GetUtcNow().UtcDateTime.AddHours(9)).AddDays(30);
        var registered = await client.SubmitAsync(page, "tr[data-environment='1'] form", new Dictionary<string, string> { ["startDate"] = ApplicationLabels.Date(start) });
        var replaced = await client.SubmitAsync(registered, "tr[data-environment='1'] form", new Dictionary<string, string> { ["startDate"] = ApplicationLabels.Date(start.AddDays(7)) });

        page.H1.ShouldBe("運用開始日登録");
        page.Document.QuerySelectorAll("[data-testid=current]").Select(e => e.TextContent).ShouldBe(["未登録", "未登録"]);
        registered.Q("[data-testid=notice]")!.TextContent.ShouldContain("本番環境の運用開始日を" + ApplicationLabels.Date(start));
        replaced.Document.QuerySelectorAll("[data-testid=current]").Select(e => e.TextContent).ShouldBe([ApplicationLabels.Date(start.AddDays(7)), "未登録"]);
        (await server.WithDbAsync(db => db.OperationStartRegistrations.CountAsync(r => r.InstitutionId == institutionId))).ShouldBe(1);
    }

    [Fact]
    public async Task Certificate_AppliedApprovedDownloadedOnce_PassphraseShownOnce_SecondAttemptRefused()
    {
        const string email = "cert@clinic.example.jp";
        using var client = await SignedInAsync(email);
        await ApprovedInstitutionAsync(email, EnvironmentSet.Production);

        var page = await client.GetAsync("/OnlineEligibility/Certificates");
        var confirm = await client.SubmitAsync(page, "form[data-testid=certificate-form]", new Dictionary<string, string> { ["Input.TerminalName"] = "UKETSUKE-01" });
        var done = await client.SubmitAsync(confirm, "form[data-testid=confirm-submit]");
        done.Path.ShouldBe("/OnlineEligibility/Certificates/Done");
        var applied = await client.GetAsync("/OnlineEligibility/Certificates");
        Cells(applied, "[data-testid=certificate-applications] tbody tr").Single()[0].ShouldBe(done.Q("[data-testid=receipt-number]")!.TextContent.Trim());
        Cells(applied, "[data-testid=certificate-applications] tbody tr").Single()[3].ShouldBe("申請中");
        applied.Q("[data-testid=download-form]").ShouldBeNull();

        var applicationId = await server.WithDbAsync(db => db.CertificateApplications.Select(a => a.Id).SingleAsync());
        (await Review<CertificateApplicationService, OpResult>((s, reviewer) => s.ApproveAsync(reviewer, applicationId))).Succeeded.ShouldBeTrue();

        var list = await client.GetAsync("/OnlineEligibility/Certificates");
        Cells(list, "[data-testid=certificate-applications] tbody tr").Single()[3].ShouldBe("承認");
        var issued = await client.SubmitAsync(list, "form[data-testid=download-form]");
        issued.Path.ShouldBe("/OnlineEligibility/Certificates/Issued");
        var passphrase = issued.Q("[data-testid=passphrase]")!.GetAttribute("data-secret")!;
        passphrase.Length.ShouldBeGreaterThanOrEqualTo(8);
        issued.Q("[data-testid=passphrase]")!.TextContent.ShouldNotContain(passphrase);
        issued.Text.ShouldContain("資格確認端末への取り込み方法");
        // Leaving before saving is warned about (beforeunload until the save form was used) and said in words.
        issued.Q("[data-warn-unload]").ShouldNotBeNull();
        issued.Q("form[data-testid=file-form][data-marks-saved]").ShouldNotBeNull();
        issued.Q("[data-testid=unsaved-warning]")!.TextContent.ShouldContain("まだ保存は完了していません");
        var shownOnly = await client.GetAsync("/OnlineEligibility/Certificates");
        Cells(shownOnly, "[data-testid=certificate-applications] tbody tr").Single()[6].ShouldStartWith("発行画面を表示済み（証明書ファイル未保存）");

        using var file = await client.SubmitRawAsync(issued, "form[data-testid=file-form]");
        file.StatusCode.ShouldBe(HttpStatusCode.OK);
        file.Content.Headers.ContentType!.MediaType.ShouldBe("application/x-pkcs12");
        file.Content.Headers.ContentDisposition!.DispositionType.ShouldBe("attachment");
        using (var certificate = X509CertificateLoader.LoadPkcs12(await file.Content.ReadAsByteArrayAsync(), passphrase))
        {
            certificate.HasPrivateKey.ShouldBeTrue();
            certificate.Subject.ShouldContain(Code);
        }

        // The result screen shows once; the list no longer offers the download; a forged second attempt is refused.
        var again = await client.GetAsync("/OnlineEligibility/Certificates/Issued");
        again.Q("[data-testid=expired]").ShouldNotBeNull();
        again.Html.ShouldNotContain(passphrase);
        var after = await client.GetAsync("/OnlineEligibility/Certificates");
        after.Q("[data-testid=download-form]").ShouldBeNull();
        Cells(after, "[data-testid=certificate-applications] tbody tr").Single()[6].ShouldStartWith("証明書ファイル保存済み");
        var second = await client.PostAsync("/OnlineEligibility/Certificates?handler=Download",
            [new("__af", Antiforgery(after)), new("applicationId", applicationId.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        second.Errors.ShouldContain(ApplicationErrors.CertificateAlreadyDownloaded.Message);
        second.Html.ShouldNotContain(passphrase);
    }

    [Fact]
    public async Task Certificate_LeftUnsaved_OperatorReissues_WithoutReview_OldRevoked_DownloadableOnceAgain()
    {
        const string email = "lost@clinic.example.jp";
        using var client = await SignedInAsync(email);
        await ApprovedInstitutionAsync(email, EnvironmentSet.Production);
        await ApplyAsync(client, "/OnlineEligibility/Certificates", "form[data-testid=certificate-form]",
            new Dictionary<string, string> { ["Input.TerminalName"] = "UKETSUKE-01" });
        var applicationId = await server.WithDbAsync(db => db.CertificateApplications.Select(a => a.Id).SingleAsync());

        // While the one download still waits there is nothing to re-issue.
        (await Review<CertificateApplicationService, OpResult>((s, r) => s.ReissueAsync(r, applicationId))).Errors
            .ShouldContain(ApplicationErrors.CertificateReissueNotIssued);
        (await Review<CertificateApplicationService, OpResult>((s, r) => s.ApproveAsync(r, applicationId))).Succeeded.ShouldBeTrue();
        (await Review<CertificateApplicationService, OpResult>((s, r) => s.ReissueAsync(r, applicationId))).Errors
            .ShouldContain(ApplicationErrors.CertificateReissueWaiting);

        // The screen is opened and left without saving the file.
        await client.SubmitAsync(await client.GetAsync("/OnlineEligibility/Certificates"), "form[data-testid=download-form]");
        var oldSerial = await server.WithDbAsync(db => db.TerminalCertificates.Select(c => c.SerialNumber).SingleAsync());

        // A call-center operator may not re-issue (denied and audited); the reviewer may, without a new review.
        var desk = await TestOperators.CreateAsync(server.App.Services, "cc-lost", OperatorRole.CallCenter);
        (await Service<CertificateApplicationService, OpResult>(s => s.ReissueAsync(desk, applicationId))).Errors.ShouldContain(OperatorErrors.NotPermitted);
        (await server.WithDbAsync(db => db.AuditEntries.AnyAsync(a => a.Actor == "op:cc-lost" && a.Outcome == AuditOutcomes.Denied))).ShouldBeTrue();
        (await Review<CertificateApplicationService, OpResult>((s, r) => s.ReissueAsync(r, applicationId))).Succeeded.ShouldBeTrue();

        var certificatesAfter = await server.WithDbAsync(db => db.TerminalCertificates.AsNoTracking().OrderBy(c => c.Id).ToListAsync());
        certificatesAfter.Count.ShouldBe(2);
        certificatesAfter[0].SerialNumber.ShouldBe(oldSerial);
        certificatesAfter[0].RevokedAt.ShouldNotBeNull();
        certificatesAfter[1].RevokedAt.ShouldBeNull();
        (await server.WithDbAsync(db => db.CertificateApplications.AsNoTracking().SingleAsync())).Status.ShouldBe(ReviewStatus.Approved);
        var reissueAudit = await server.WithDbAsync(db => db.AuditEntries.AsNoTracking()
            .SingleAsync(a => a.Action == ApplicationAuditActions.CertificateApplicationReissue));
        reissueAudit.Detail.ShouldBe("replaces:" + oldSerial);
        reissueAudit.CertificateSerial.ShouldBe(certificatesAfter[1].SerialNumber);
        server.LastMailTo(email).Subject.ShouldEndWith("電子証明書の再発行のお知らせ");

        // The applicant downloads the new one, once.
        var list = await client.GetAsync("/OnlineEligibility/Certificates");
        list.Q("[data-testid=reissued]")!.TextContent.ShouldContain("再発行 1回");
        var issued = await client.SubmitAsync(list, "form[data-testid=download-form]");
        var passphrase = issued.Q("[data-testid=passphrase]")!.GetAttribute("data-secret")!;
        using var file = await client.SubmitRawAsync(issued, "form[data-testid=file-form]");
        using (var certificate = X509CertificateLoader.LoadPkcs12(await file.Content.ReadAsByteArrayAsync(), passphrase))
        {
            certificate.SerialNumber.ShouldBe(certificatesAfter[1].SerialNumber, StringCompareShould.IgnoreCase);
        }

        (await client.GetAsync("/OnlineEligibility/Certificates")).Q("[data-testid=download-form]").ShouldBeNull();
    }

    [Fact]
    public async Task Subsidy_ValidReceiptAccepted_FakeAndTooLargeRefused_GrantNoticeAfterApproval()
    {
        const string email = "subsidy@clinic.example.jp";
        using var client = await SignedInAsync(email);
        await ApprovedInstitutionAsync(email, EnvironmentSet.Production);

        // 入力 has no file; the receipt is chosen on 確認, in the multipart form of 「申請する」.
        var page = await client.GetAsync("/OnlineEligibility/Subsidy");
        page.Q("#Receipt").ShouldBeNull();
        var confirm = await client.SubmitAsync(page, "form[data-testid=subsidy-form]", SubsidyFields("1200000", "500000", "資格確認端末の導入"));
        confirm.Q("form[data-testid=confirm-submit]")!.GetAttribute("enctype").ShouldBe("multipart/form-data");
        confirm.Q("#Receipt")!.GetAttribute("accept").ShouldBe(".pdf,.jpg,.jpeg,.png");
        var noReceipt = await SubmitReceiptAsync(client, confirm, null, null, null);
        noReceipt.Errors.ShouldContain(ApplicationErrors.ReceiptRequired.Message);
        noReceipt.Q("[data-testid=confirm]").ShouldNotBeNull("a receipt error stays on 確認 with the same entries");
        noReceipt.Q("[data-testid=confirm-summary]")!.TextContent.ShouldContain("1,200,000円");
        (await SubmitReceiptAsync(client, noReceipt, "receipt.png", "image/png", "not a png"u8.ToArray()))
            .Errors.ShouldContain(ApplicationErrors.ReceiptContentMismatch.Message);

        var fake = await PostSubsidyAsync(client, "1200000", "500000", "receipt.png", "image/png", "not a png at all"u8.ToArray());
        fake.Errors.ShouldContain(ApplicationErrors.ReceiptContentMismatch.Message);
        var tooLarge = await PostSubsidyAsync(client, "1200000", "500000", "receipt.pdf", "application/pdf", Pdf(6 * 1024 * 1024));
        tooLarge.Status.ShouldBe(HttpStatusCode.OK);
        tooLarge.Errors.ShouldContain(ApplicationErrors.ReceiptTooLarge.Message);
        // Over the page's 10 MB limit Kestrel answers before the body is read: the error page, or (as here, where the
        // client is still sending) a closed connection; never a stored application, and the site goes on.
        try
        {
            var huge = await PostSubsidyAsync(client, "1200000", "500000", "receipt.pdf", "application/pdf", Pdf(12 * 1024 * 1024));
            huge.Status.ShouldBeOneOf(HttpStatusCode.BadRequest, HttpStatusCode.RequestEntityTooLarge);
        }
        catch (HttpRequestException)
        {
        }

        (await client.GetAsync("/OnlineEligibility/Subsidy")).Status.ShouldBe(HttpStatusCode.OK);
        (await server.WithDbAsync(db => db.SubsidyApplications.CountAsync())).ShouldBe(0);

        var big = await PostSubsidyAsync(client, "1200000", "500000", "receipt.pdf", "application/pdf", Pdf(5 * 1024 * 1024));
        var accepted = await PostSubsidyAsync(client, "1,200,000", "500000", "receipt.png", "image/png", Png);

        big.Errors.ShouldBeEmpty();
        accepted.Path.ShouldBe("/OnlineEligibility/Subsidy/Done");
        accepted.Q("[data-testid=done]")!.TextContent.ShouldContain("補助金申請を受け付けました");
        var receipt = accepted.Q("[data-testid=receipt-number]")!.TextContent.Trim();
        receipt.ShouldMatch(@"^S-\d{8}-\d{6}$");
        var rows = Cells(await client.GetAsync("/OnlineEligibility/Subsidy"), "[data-testid=subsidies] tbody tr");
        rows.Count.ShouldBe(2);
        rows[0][0].ShouldBe(receipt);
        rows[0][3].ShouldBe("1,200,000円");
        rows[0][5].ShouldBe("receipt.png");
        rows[0][6].ShouldBe("申請中");

        (await client.GetAsync("/OnlineEligibility/GrantNotices")).Q("[data-testid=no-notices]").ShouldNotBeNull();
        var subsidyId = await server.WithDbAsync(db => db.SubsidyApplications.Where(a => a.ReceiptFileName == "receipt.png").Select(a => a.Id).SingleAsync());
        (await Review<SubsidyService, OpResult<long>>((s, reviewer) => s.ApproveAsync(reviewer, subsidyId, 400_000))).Succeeded.ShouldBeTrue();

        var notices = await client.GetAsync("/OnlineEligibility/GrantNotices");
        Cells(await client.GetAsync("/OnlineEligibility/Subsidy"), "[data-testid=subsidies] tbody tr")[0][6].ShouldBe("承認");
        var notice = Cells(notices, "[data-testid=notices] tbody tr").Single();
        notice[0].ShouldBe(SubsidyService.GrantNoticeFileName);
        notices.Q("[data-testid=count]")!.TextContent.Trim().ShouldBe("1~1 件目 / 1 件");
        using var pdf = await client.Http.GetAsync(notices.Q("[data-testid=notices] tbody a")!.GetAttribute("href"));
        pdf.Content.Headers.ContentType!.MediaType.ShouldBe("application/pdf");
        pdf.Content.Headers.ContentDisposition!.DispositionType.ShouldBe("attachment");
        (await PdfText.ExtractAsync(await pdf.Content.ReadAsByteArrayAsync())).ShouldContain("400,000円");
    }

    [Fact]
    public async Task AnotherPortalUser_SeesNothing_DirectIdsAre404_AndPostsAreRefused()
    {
        const string owner = "owner@clinic.example.jp";
        using (var ownerClient = await SignedInAsync(owner))
        {
            var institutionId = await ApprovedInstitutionAsync(owner, EnvironmentSet.Production | EnvironmentSet.Verification);
            var userId = (await server.UsersAsync(owner)).Single().Id;
            (await Service<CertificateApplicationService, OpResult<long>>(s => s.SubmitAsync(userId, institutionId, "UKETSUKE-01"))).Succeeded.ShouldBeTrue();
            await PostSubsidyAsync(ownerClient, "100000", "50000", "r.png", "image/png", Png);
        }

        var certificateId = await server.WithDbAsync(db => db.CertificateApplications.Select(a => a.Id).SingleAsync());
        (await Review<CertificateApplicationService, OpResult>((s, reviewer) => s.ApproveAsync(reviewer, certificateId))).Succeeded.ShouldBeTrue();
        var subsidyId = await server.WithDbAsync(db => db.SubsidyApplications.Select(a => a.Id).SingleAsync());
        var noticeId = (await Review<SubsidyService, OpResult<long>>((s, reviewer) => s.ApproveAsync(reviewer, subsidyId, 1000))).Value;
        var documentId = await server.WithDbAsync(db => db.PortalDocuments.Where(d => d.Kind == PortalDocumentKind.UserSettings).Select(d => d.Id).FirstAsync());
        var ownInstitution = await server.WithDbAsync(db => db.Institutions.Select(i => i.Id).SingleAsync());

        using var other = await SignedInAsync("other@clinic.example.jp");
        (await other.GetAsync("/OnlineEligibility/Application")).Q("[data-testid=no-applications]").ShouldNotBeNull();
        (await other.GetAsync("/OnlineEligibility/MasterAccount")).Q("[data-testid=no-documents]").ShouldNotBeNull();
        (await other.GetAsync("/OnlineEligibility/OperationStart")).Q("[data-testid=no-institutions]").ShouldNotBeNull();
        var certificates = await other.GetAsync("/OnlineEligibility/Certificates");
        certificates.Q("[data-testid=no-institutions]").ShouldNotBeNull();
        var subsidy = await other.GetAsync("/OnlineEligibility/Subsidy");
        subsidy.Q("[data-testid=no-subsidies]").ShouldNotBeNull();
        (await other.GetAsync("/OnlineEligibility/GrantNotices")).Q("[data-testid=no-notices]").ShouldNotBeNull();
        foreach (var path in new[]
        {
            $"/OnlineEligibility/MasterAccount/{documentId}", $"/OnlineEligibility/MasterAccount/{documentId}/File",
            $"/OnlineEligibility/MasterAccount/{documentId}/Zip", $"/OnlineEligibility/GrantNotices/{noticeId}",
            $"/OnlineEligibility/MasterAccount/{noticeId}", "/OnlineEligibility/MasterAccount/999999",
        })
        {
            (await other.GetAsync(path)).Status.ShouldBe(HttpStatusCode.NotFound, path);
        }

        var token = Antiforgery(certificates);
        static string Id(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var download = await other.PostAsync("/OnlineEligibility/Certificates?handler=Download", [new("__af", token), new("applicationId", Id(certificateId))]);
        var apply = await other.PostAsync("/OnlineEligibility/Certificates", [new("__af", token), new("Input.InstitutionId", Id(ownInstitution)), new("Input.TerminalName", "EVIL-01")]);
        var change = await other.PostAsync("/OnlineEligibility/Application/Change",
            [new("__af", token), new("Input.InstitutionId", Id(ownInstitution)), new("Input.NewInstitutionName", "乗っ取り")]);
        var start = await other.PostAsync("/OnlineEligibility/OperationStart",
            [new("__af", token), new("institutionId", Id(ownInstitution)), new("environment", "1"), new("startDate", ApplicationLabels.Date(DateOnly.FromDateTime(DateTime.UtcNow)))]);

        foreach (var refused in new[] { download, apply, change, start })
        {
            refused.Status.ShouldBe(HttpStatusCode.OK);
            refused.Errors.ShouldContain(ApplicationErrors.NotFound.Message);
        }

        (await server.WithDbAsync(db => db.CertificateApplications.CountAsync())).ShouldBe(1);
        (await server.WithDbAsync(db => db.CertificateApplications.Select(a => a.DownloadedAt).SingleAsync())).ShouldBeNull();
        (await server.WithDbAsync(db => db.UsageApplications.CountAsync())).ShouldBe(1);
        (await server.WithDbAsync(db => db.OperationStartRegistrations.CountAsync())).ShouldBe(0);
        (await server.AuditAsync("access.denied")).Count.ShouldBeGreaterThanOrEqualTo(5);
    }

    [Fact]
    public async Task BadInput_OnEveryForm_GivesJapaneseMessages_AndStoresNothing()
    {
        const string email = "bad@clinic.example.jp";
        using var client = await SignedInAsync(email);

        async Task<OqsPage> New(Dictionary<string, string> values) =>
            await client.SubmitAsync(await client.GetAsync("/OnlineEligibility/Application/New"), "form[data-testid=new-form]", values);

        var empty = await New([]);
        empty.Status.ShouldBe(HttpStatusCode.OK);
        empty.Q(".error-summary h2")!.TextContent.ShouldBe("入力内容を確認してください");
        empty.Errors.ShouldContain("医療機関等コードを入力してください。");
        empty.Errors.ShouldContain("医療機関等名を入力してください。");
        empty.Errors.ShouldContain(ApplicationErrors.EnvironmentsRequired.Message);
        empty.Errors.ShouldContain("担当者電話番号を入力してください。");
        (await New(NewForm("12345"))).Errors.ShouldContain("医療機関等コードは半角数字10桁で入力してください。");
        (await New(NewForm("１３１０００００１７"))).Errors.ShouldContain(e => e.StartsWith("医療機関等コードの検証番号", StringComparison.Ordinal));
        var shortSecret = await New(NewForm(Code, secret: "３８７"));
        shortSecret.Errors.ShouldContain("秘密の番号は数字4桁で入力してください。");
        shortSecret.Q("#SecretNumber")!.GetAttribute("value").ShouldBeNull();
        (await New(NewForm(Code, confirm: "3871"))).Errors.ShouldContain(ApplicationErrors.SecretConfirmMismatch("x").Message);
        var tooLong = NewForm(Code);
        tooLong["Input.InstitutionName"] = new string('医', 101);
        tooLong["Input.Phone"] = "０３-５５５５-０１０１";
        var longPage = await New(tooLong);
        longPage.Errors.ShouldContain("医療機関等名は100文字以内で入力してください。");
        longPage.Errors.ShouldNotContain(e => e.StartsWith("電話番号", StringComparison.Ordinal));
        longPage.Q("#InstitutionCode")!.GetAttribute("value").ShouldBe(Code);
        longPage.Q("#Phone")!.GetAttribute("value").ShouldBe("03-5555-0101");
        (await server.WithDbAsync(db => db.UsageApplications.CountAsync())).ShouldBe(0);

        // The institution-scoped forms, once an institution exists.
        var institutionId = await ApprovedInstitutionAsync(email, EnvironmentSet.Production);
        var change = await client.GetAsync("/OnlineEligibility/Application/Change");
        (await client.SubmitAsync(change, "form[data-testid=change-form]")).Errors.ShouldContain(ApplicationErrors.NothingToChange.Message);
        (await client.SubmitAsync(change, "form[data-testid=change-form]", new Dictionary<string, string>
        {
            ["Input.NewSecretNumber"] = "5829",
            ["Input.NewSecretNumberConfirm"] = "5820",
        })).Errors.ShouldContain(ApplicationErrors.SecretConfirmMismatch("x").Message);
        (await client.SubmitAsync(change, "form[data-testid=change-form]", new Dictionary<string, string> { ["Input.NewInstitutionName"] = new string('a', 101) }))
            .Errors.ShouldContain("新しい医療機関等名は100文字以内で入力してください。");
        (await server.WithDbAsync(db => db.UsageApplications.CountAsync(a => a.Kind == ApplicationKind.Change))).ShouldBe(0);

        var start = await client.GetAsync("/OnlineEligibility/OperationStart");
        (await client.SubmitAsync(start, "tr[data-environment='1'] form", new Dictionary<string, string> { ["startDate"] = "" }))
            .Errors.ShouldContain("運用開始日を入力してください。");
        (await client.SubmitAsync(start, "tr[data-environment='1'] form", new Dictionary<string, string> { ["startDate"] = "2026-13-40" }))
            .Errors.ShouldContain("運用開始日は「2026-04-01」の形式で、正しい日付を入力してください。");
        (await client.SubmitAsync(start, "tr[data-environment='1'] form", new Dictionary<string, string> { ["startDate"] = "2099-01-01" }))
            .Errors.ShouldContain(e => e.StartsWith("運用開始日は", StringComparison.Ordinal) && e.EndsWith("までの日付を入力してください。", StringComparison.Ordinal));
        (await client.PostAsync("/OnlineEligibility/OperationStart", [new("__af", Antiforgery(start)), new("institutionId", institutionId.ToString(System.Globalization.CultureInfo.InvariantCulture)), new("environment", "2"), new("startDate", "2026-07-01")]))
            .Errors.ShouldContain(ApplicationErrors.EnvironmentNotApproved.Message);
        (await server.WithDbAsync(db => db.OperationStartRegistrations.CountAsync())).ShouldBe(0);

        var certificates = await client.GetAsync("/OnlineEligibility/Certificates");
        (await client.SubmitAsync(certificates, "form[data-testid=certificate-form]")).Errors.ShouldContain("端末名を入力してください。");
        (await client.SubmitAsync(certificates, "form[data-testid=certificate-form]", new Dictionary<string, string> { ["Input.TerminalName"] = "受付１" }))
            .Errors.ShouldNotBeEmpty();
        (await client.SubmitAsync(certificates, "form[data-testid=certificate-form]", new Dictionary<string, string> { ["Input.TerminalName"] = new string('A', 33) }))
            .Errors.ShouldContain("端末名は32文字以内で入力してください。");
        (await server.WithDbAsync(db => db.CertificateApplications.CountAsync())).ShouldBe(0);

        var noFile = await PostSubsidyAsync(client, "", "", null, null, null, description: "");
        noFile.Errors.ShouldContain("事業費を入力してください。");
        noFile.Errors.ShouldContain("申請額を入力してください。");
        noFile.Errors.ShouldContain("事業内容を入力してください。");
        noFile.Q("[data-testid=confirm]").ShouldBeNull();
        (await PostSubsidyAsync(client, "1000", "1000", null, null, null)).Errors.ShouldContain(ApplicationErrors.ReceiptRequired.Message);
        var fullWidth = await PostSubsidyAsync(client, "１２００", "abc", "r.png", "image/png", Png);
        fullWidth.Errors.ShouldContain("申請額は1円以上の整数で入力してください。");
        fullWidth.Errors.ShouldNotContain(e => e.StartsWith("事業費", StringComparison.Ordinal));
        (await PostSubsidyAsync(client, "1000", "2000", "r.png", "image/png", Png)).Errors.ShouldContain(ApplicationErrors.ClaimOverTotal.Message);
        (await PostSubsidyAsync(client, "99999999999999", "1000", "r.png", "image/png", Png)).Errors.ShouldContain("事業費は1,000,000,000円以下で入力してください。");
        (await PostSubsidyAsync(client, "1000", "1000", "r.exe", "application/octet-stream", Png)).Errors.ShouldContain(ApplicationErrors.ReceiptType.Message);
        (await server.WithDbAsync(db => db.SubsidyApplications.CountAsync())).ShouldBe(0);
    }

    /// <summary>
    /// Issue 14 (7): what an IME types — full-width digits and letters, 「ー」「－」「‐」 for hyphens, full-width commas — is
    /// accepted in every code, phone, amount, terminal name and 秘密の番号 field of the portal and stored half-width.
    /// </summary>
    [Fact]
    public async Task FullWidthInput_InCodePhoneSecretTerminalAndAmountFields_IsAccepted_AndStoredHalfWidth()
    {
        const string email = "ime@clinic.example.jp";
        using var client = await SignedInAsync(email);
        var form = NewForm("１３１０００００１８", secret: "３８７０");
        form["Input.Phone"] = "０３ー５５５５ー０１０１";
        form["Input.ContactPhone"] = "０９０－５５５５‐０２０２";
        form["Input.InstitutionName"] = "テストクリニック・センター"; // 「ー」 in a name stays a letter

        var submitted = await ApplyAsync(client, "/OnlineEligibility/Application/New", "form[data-testid=new-form]", form);

        submitted.Errors.ShouldBeEmpty();
        submitted.Path.ShouldBe("/OnlineEligibility/Application/Done");
        var stored = await server.WithDbAsync(db => db.UsageApplications.AsNoTracking().SingleAsync());
        (stored.InstitutionCode, stored.Phone, stored.ContactPhone, stored.InstitutionName)
            .ShouldBe((Code, "03-5555-0101", "090-5555-0202", "テストクリニック・センター"));
        stored.SecretNumberHash.ShouldNotBeNullOrEmpty();
        var approved = await Review<ApplicationReviewService, OpResult<UsageApprovalResult>>((s, reviewer) => s.ApproveUsageAsync(reviewer, stored.Id));
        approved.Succeeded.ShouldBeTrue();

        var change = await ApplyAsync(client, "/OnlineEligibility/Application/Change", "form[data-testid=change-form]",
            new Dictionary<string, string> { ["Input.NewSecretNumber"] = "５８２９", ["Input.NewSecretNumberConfirm"] = "５８２９" });
        change.Errors.ShouldBeEmpty();
        (await server.WithDbAsync(db => db.UsageApplications.CountAsync(a => a.Kind == ApplicationKind.Change))).ShouldBe(1);

        var certificate = await ApplyAsync(client, "/OnlineEligibility/Certificates", "form[data-testid=certificate-form]",
            new Dictionary<string, string> { ["Input.TerminalName"] = "ＵＫＥＴＳＵＫＥ－０１" });
        certificate.Errors.ShouldBeEmpty();
        (await server.WithDbAsync(db => db.CertificateApplications.AsNoTracking().Select(a => a.TerminalName).SingleAsync())).ShouldBe("UKETSUKE-01");

        var subsidy = await PostSubsidyAsync(client, "１，２００，０００", "３００，０００円", "r.png", "image/png", Png);
        subsidy.Errors.ShouldBeEmpty();
        var amounts = await server.WithDbAsync(db => db.SubsidyApplications.AsNoTracking().Select(a => new { a.TotalCost, a.ClaimedAmount }).SingleAsync());
        (amounts.TotalCost, amounts.ClaimedAmount).ShouldBe((1_200_000L, 300_000L));
    }

    [Fact]
    public async Task NewApplication_WrongCheckDigit_NamesTheCheckDigit_AndStoresNothing()
    {
        const string mistyped = "1310000017"; // deliberately invalid: Code with its 検証番号 (last digit) changed
        using var client = await SignedInAsync("typo@clinic.example.jp");

        var form = await client.GetAsync("/OnlineEligibility/Application/New");
        var refused = await client.SubmitAsync(form, "form[data-testid=new-form]", NewForm(mistyped));

        refused.Status.ShouldBe(HttpStatusCode.OK);
        refused.Path.ShouldBe("/OnlineEligibility/Application/New");
        refused.Errors.Distinct().ShouldBe(["医療機関等コードの検証番号（末尾の1桁）が正しくありません。コードをもう一度ご確認ください。"]);
        refused.Q("#InstitutionCode-error")!.TextContent.ShouldContain("検証番号");
        refused.Q("#InstitutionCode")!.GetAttribute("value").ShouldBe(mistyped);
        (await server.WithDbAsync(db => db.UsageApplications.CountAsync())).ShouldBe(0);
        (await server.WithDbAsync(db => db.Institutions.CountAsync())).ShouldBe(0);

        // The same form with the right digit goes through.
        var accepted = await ApplyAsync(client, "/OnlineEligibility/Application/New", "form[data-testid=new-form]", NewForm(Code));
        accepted.Path.ShouldBe("/OnlineEligibility/Application/Done");
        (await server.WithDbAsync(db => db.UsageApplications.Select(a => a.InstitutionCode).ToListAsync())).ShouldBe([Code]);
    }

    private static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    private static byte[] Pdf(int length)
    {
        var bytes = new byte[length];
        "%PDF-1.4\n"u8.CopyTo(bytes);
        Array.Fill(bytes, (byte)' ', 9, length - 9);
        return bytes;
    }

    /// <summary>入力 → 確認 → 「申請する」; fails with the 入力 step's errors if the form did not reach 確認.</summary>
    private static async Task<OqsPage> ApplyAsync(OqsClient client, string path, string formSelector, IDictionary<string, string> values)
    {
        var confirm = await client.SubmitAsync(await client.GetAsync(path), formSelector, values);
        confirm.Q("[data-testid=confirm]").ShouldNotBeNull(string.Join(" / ", confirm.Errors));
        return await client.SubmitAsync(confirm, "form[data-testid=confirm-submit]");
    }

    private static Dictionary<string, string> NewForm(string code, string secret = "3870", string? confirm = null) => new()
    {
        ["Input.InstitutionCode"] = code,
        ["Input.InstitutionName"] = "テスト医科診療所",
        ["Input.Address"] = "東京都千代田区千代田1-1",
        ["Input.Phone"] = "03-5555-0101",
        ["Input.Production"] = "true",
        ["Input.Verification"] = "true",
        ["Input.ContactName"] = "山田 花子",
        ["Input.ContactPhone"] = "090-5555-0202",
        ["Input.SecretNumber"] = secret,
        ["Input.SecretNumberConfirm"] = confirm ?? secret,
    };

    private static List<List<string>> Cells(OqsPage page, string rowSelector) =>
        [.. page.Document.QuerySelectorAll(rowSelector).Select(tr => tr.Children.Select(c => c.TextContent.Trim()).ToList())];

    private static string Antiforgery(OqsPage page) =>
        page.Q("input[name=__af]")?.GetAttribute("value") ?? throw new InvalidOperationException("No antiforgery token on " + page.Url);

    private async Task<OqsClient> SignedInAsync(string email)
    {
        await server.RegisterVerifiedAsync(email);
        var client = server.Client();
        (await client.PortalLoginAsync(email, PortalStories.Password)).Path.ShouldBe("/");
        return client;
    }

    /// <summary>A 新規 for <paramref name="email"/>'s user, submitted and approved through the services; the institution's id.</summary>
    private async Task<long> ApprovedInstitutionAsync(string email, EnvironmentSet environments)
    {
        var userId = (await server.UsersAsync(email)).Single().Id;
        var submitted = await Service<UsageApplicationService, OpResult<long>>(s => s.SubmitNewAsync(userId, new NewApplicationInput
        {
            InstitutionCode = Code,
            InstitutionName = "テスト医科診療所",
            Address = "東京都千代田区千代田1-1",
            Phone = "03-5555-0101",
            Environments = environments,
            ContactName = "山田 花子",
            ContactPhone = "090-5555-0202",
            SecretNumber = "3870",
            SecretNumberConfirm = "3870",
        }));
        submitted.Succeeded.ShouldBeTrue();
        var approved = await Review<ApplicationReviewService, OpResult<UsageApprovalResult>>((s, reviewer) => s.ApproveUsageAsync(reviewer, submitted.Value));
        approved.Succeeded.ShouldBeTrue(string.Join(" / ", approved.Errors.Select(e => e.Message)));
        return approved.Value!.InstitutionId;
    }

    /// <summary>As <c>Service</c>, for the console's review services: the actor is the 審査担当 <c>reviewer01</c>.</summary>
    private async Task<TResult> Review<TService, TResult>(Func<TService, OperatorActor, Task<TResult>> action)
        where TService : notnull
    {
        var reviewer = reviewerActor ??= await TestOperators.CreateAsync(server.App.Services, "reviewer01", OperatorRole.Reviewer);
        return await Service<TService, TResult>(s => action(s, reviewer));
    }

    private async Task<TResult> Service<TService, TResult>(Func<TService, Task<TResult>> action)
        where TService : notnull
    {
        await using var scope = server.App.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    /// <summary>
    /// The 補助金申請 as a browser does it: 入力 (the page as it is errors on 入力), then 「申請する」 on 確認 with the
    /// receipt (multipart, the page's antiforgery token); follows the redirect to 完了.
    /// </summary>
    private static async Task<OqsPage> PostSubsidyAsync(OqsClient client, string total, string claimed, string? fileName, string? contentType, byte[]? bytes,
        string description = "資格確認端末の導入")
    {
        var confirm = await client.SubmitAsync(await client.GetAsync("/OnlineEligibility/Subsidy"), "form[data-testid=subsidy-form]",
            SubsidyFields(total, claimed, description));
        return confirm.Q("form[data-testid=confirm-submit]") is null ? confirm : await SubmitReceiptAsync(client, confirm, fileName, contentType, bytes);
    }

    private static Dictionary<string, string> SubsidyFields(string total, string claimed, string description) => new()
    {
        ["Input.TotalCost"] = total,
        ["Input.ClaimedAmount"] = claimed,
        ["Input.Description"] = description,
    };

    /// <summary>「申請する」 on a 補助金申請 確認 page with the receipt (none when <paramref name="bytes"/> is null).</summary>
    private static Task<OqsPage> SubmitReceiptAsync(OqsClient client, OqsPage confirm, string? fileName, string? contentType, byte[]? bytes) =>
        client.SubmitFileAsync(confirm, "form[data-testid=confirm-submit]", bytes is null ? null : new UploadFile(fileName!, contentType!, bytes));
}

public sealed class PortalOnlineEligibilityTestsSqlite() : PortalOnlineEligibilityTests(TestDatabase.Sqlite);

public sealed class PortalOnlineEligibilityTestsPostgres() : PortalOnlineEligibilityTests(TestDatabase.Postgres);
