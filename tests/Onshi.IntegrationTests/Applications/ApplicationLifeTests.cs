using System.IO.Compression;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Applications;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Passwords;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Oqs;
using Shouldly;

namespace Onshi.IntegrationTests.Applications;

/// <summary>The life of a 利用開始・変更申請 from the portal user's form to the credentials in the posted PDF, on every provider.</summary>
public sealed class ApplicationLifeTests
{
    private const string Code = "1310000018";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task NewApplication_ApprovedForBothEnvironments_PostsDocumentsWhoseCredentialsLogIn(string provider)
    {
        await using var h = await ApplicationsHarness.CreateAsync(provider, Ct);
        var reviewer = await h.ReviewerAsync();
        var user = await h.PortalUserAsync("clinic@example.jp");

        var submitted = await h.With<UsageApplicationService, OpResult<long>>(s => s.SubmitNewAsync(user, ApplicationsHarness.NewInput(Code), Ct));
        submitted.Succeeded.ShouldBeTrue();
        var mine = await h.With<UsageApplicationService, IReadOnlyList<UsageApplicationRow>>(s => s.ListMineAsync(user, Ct));
        mine.ShouldHaveSingleItem().StatusLabel.ShouldBe("申請中");
        (await h.With<ApplicationReviewService, OpResult<IReadOnlyList<ReviewQueueItem>>>(s => s.ListPendingAsync(reviewer, ReviewQueueKind.Usage, Ct))).Value!
            .ShouldHaveSingleItem().Id.ShouldBe(submitted.Value);

        var approved = await h.With<ApplicationReviewService, OpResult<UsageApprovalResult>>(s => s.ApproveUsageAsync(reviewer, submitted.Value, Ct));
        approved.Succeeded.ShouldBeTrue();
        (await h.With<UsageApplicationService, IReadOnlyList<UsageApplicationRow>>(s => s.ListMineAsync(user, Ct))).Single().StatusLabel.ShouldBe("承認");
        (await h.With<ApplicationReviewService, OpResult<IReadOnlyList<ReviewQueueItem>>>(s => s.ListPendingAsync(reviewer, ReviewQueueKind.All, Ct))).Value!.ShouldBeEmpty();

        // マスタアカウント情報: the seed's list.
        var page = await h.With<PortalDocumentService, PortalDocumentPage>(s => s.ListMasterAccountDocumentsAsync(user, 1, 20, Ct));
        page.RangeText.ShouldBe("1~2 件目 / 2 件");
        page.Rows.Select(r => r.FileName).ShouldBe(["本_オンライン資格確認等システムユーザ設定情報.pdf", "接続_オンライン資格確認等システムユーザ設定情報.pdf"]);
        page.Rows.Select(r => r.EnvironmentLabel).ShouldBe(["本番環境", "接続確認環境"]);
        page.Rows.ShouldAllBe(r => r.ApplicationKindLabel == "新規" && r.ImportedOnText == "2026-06-21");
        var detail = await h.With<PortalDocumentService, OpResult<PortalDocumentRow>>(s => s.GetAsync(user, page.Rows[0].Id, Ct));
        detail.Value!.Title.ShouldBe("本_オンライン資格確認等システムユーザ設定情報");

        // 添付ファイル: the 本番 PDF, whose credentials are the accounts'.
        var download = await h.With<PortalDocumentService, OpResult<DownloadFile>>(s => s.DownloadAsync(user, page.Rows[0].Id, Ct));
        download.Value!.FileName.ShouldBe("本_オンライン資格確認等システムユーザ設定情報.pdf");
        var credentials = await ApplicationsHarness.ReadCredentialsAsync(download.Value.Content);
        credentials.Text.ShouldContain("本番環境");
        credentials.Text.ShouldContain(Code);
        credentials.MasterUserId.ShouldMatch("^[0-9]{7}$");
        credentials.ResetUserId.ShouldMatch("^R[0-9]{7}$");
        var hasher = h.Services.GetRequiredService<Argon2idPasswordHasher>();
        var accounts = await h.Db(db => db.Accounts.AsNoTracking().Where(a => a.InstitutionId == approved.Value!.InstitutionId).ToListAsync(Ct));
        accounts.Count.ShouldBe(4);
        var master = accounts.Single(a => a.Environment == OqsEnvironment.Production && a.Kind == AccountKind.Master);
        var reset = accounts.Single(a => a.Environment == OqsEnvironment.Production && a.Kind == AccountKind.MasterReset);
        master.UserId.ShouldBe(credentials.MasterUserId);
        master.MustChangePassword.ShouldBeTrue();
        reset.UserId.ShouldBe(credentials.ResetUserId);
        hasher.Verify(master.PasswordHash, credentials.MasterPassword).ShouldBe(PasswordVerificationResult.Success);
        hasher.Verify(reset.PasswordHash, "3870").ShouldBe(PasswordVerificationResult.Success);
        reset.MustChangePassword.ShouldBeFalse();
        reset.PasswordExpiresAt.ShouldBeNull();
        var institution = await h.Db(db => db.Institutions.AsNoTracking().SingleAsync(i => i.Code == Code, Ct));
        institution.ContactPortalUserId.ShouldBe(user);

        // Old-site applicants: one ZIP with both environments' PDFs.
        var zip = await h.With<PortalDocumentService, OpResult<DownloadFile>>(s => s.DownloadBothEnvironmentsZipAsync(user, submitted.Value, Ct));
        zip.Value!.FileName.ShouldBe("オンライン資格確認等システムユーザ設定情報.zip");
        using (var archive = new ZipArchive(new MemoryStream(zip.Value.Content)))
        {
            archive.Entries.Select(e => e.FullName).Order().ShouldBe(
                ["接続_オンライン資格確認等システムユーザ設定情報.pdf", "本_オンライン資格確認等システムユーザ設定情報.pdf"], ignoreOrder: true);
            await using var entry = await archive.GetEntry("接続_オンライン資格確認等システムユーザ設定情報.pdf")!.OpenAsync(Ct);
            using var copy = new MemoryStream();
            await entry.CopyToAsync(copy, Ct);
            var verification = await ApplicationsHarness.ReadCredentialsAsync(copy.ToArray());
            verification.Text.ShouldContain("接続確認環境");
            verification.MasterUserId.ShouldBe(accounts.Single(a => a.Environment == OqsEnvironment.Verification && a.Kind == AccountKind.Master).UserId);
        }

        // Decided is decided.
        (await h.With<ApplicationReviewService, OpResult<UsageApprovalResult>>(s => s.ApproveUsageAsync(reviewer, submitted.Value, Ct)))
            .Errors.ShouldHaveSingleItem().Code.ShouldBe(ApplicationErrors.AlreadyDecidedCode);
        (await h.With<ApplicationReviewService, OpResult>(s => s.SendBackUsageAsync(reviewer, submitted.Value, "理由", Ct)))
            .Errors.ShouldHaveSingleItem().Code.ShouldBe(ApplicationErrors.AlreadyDecidedCode);

        // The plain password and the secret are stored nowhere; the 操作ログ saw it all and its chain holds.
        (await h.ColumnsContainingAsync(credentials.MasterPassword)).ShouldBeEmpty();
        (await h.ColumnsContainingAsync("3870")).ShouldBeEmpty();
        var actions = await h.Db(db => db.AuditEntries.AsNoTracking().Select(a => a.Action).ToListAsync(Ct));
        actions.ShouldContain(ApplicationAuditActions.UsageSubmit);
        actions.ShouldContain(ApplicationAuditActions.InstitutionCreate);
        actions.ShouldContain(ApplicationAuditActions.UsageApprove);
        actions.Count(a => a == AuditActions.AccountCreate).ShouldBe(4);
        actions.Count(a => a == AuditActions.DocumentDownload).ShouldBe(2);
        (await h.Db(db => AuditLog.VerifyAsync(db, Ct))).ShouldBeNull();
    }

    [Theory, MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task ChangeApplication_NewSecretAndName_AppliesToEveryEnvironmentAndPostsNotices(string provider)
    {
        await using var h = await ApplicationsHarness.CreateAsync(provider, Ct);
        var reviewer = await h.ReviewerAsync();
        var user = await h.PortalUserAsync("clinic@example.jp");
        var (_, institutionId) = await h.ApprovedInstitutionAsync(user, Code);
        // The forgotten number locked the reset account of 本番.
        await h.Db(db => db.Accounts.Where(a => a.InstitutionId == institutionId && a.Kind == AccountKind.MasterReset && a.Environment == OqsEnvironment.Production)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.LockoutEnd, DateTime.MaxValue).SetProperty(a => a.AccessFailedCount, 5), Ct));
        var stampsBefore = await h.Db(db => db.Accounts.Where(a => a.InstitutionId == institutionId && a.Kind == AccountKind.MasterReset)
            .Select(a => a.SecurityStamp).ToListAsync(Ct));

        (await h.With<UsageApplicationService, OpResult<long>>(s => s.SubmitChangeAsync(user, institutionId, new ChangeApplicationInput(), Ct)))
            .Errors.ShouldHaveSingleItem().Code.ShouldBe("usage.nothing_to_change");
        var change = await h.With<UsageApplicationService, OpResult<long>>(s => s.SubmitChangeAsync(user, institutionId,
            new ChangeApplicationInput { NewInstitutionName = "新テスト医科クリニック", NewSecretNumber = "5291", NewSecretNumberConfirm = "5291" }, Ct));
        change.Succeeded.ShouldBeTrue();
        (await h.With<UsageApplicationService, OpResult<long>>(s => s.SubmitChangeAsync(user, institutionId,
            new ChangeApplicationInput { NewInstitutionName = "別名" }, Ct))).Errors.ShouldHaveSingleItem().Code.ShouldBe("usage.change_pending");
        var row = (await h.With<UsageApplicationService, IReadOnlyList<UsageApplicationRow>>(s => s.ListMineAsync(user, Ct)))[0];
        row.KindLabel.ShouldBe("変更");
        row.ChangesSecretNumber.ShouldBeTrue();

        h.Time.Advance(TimeSpan.FromDays(3));
        (await h.With<ApplicationReviewService, OpResult<UsageApprovalResult>>(s => s.ApproveUsageAsync(reviewer, change.Value, Ct))).Succeeded.ShouldBeTrue();

        var hasher = h.Services.GetRequiredService<Argon2idPasswordHasher>();
        var resets = await h.Db(db => db.Accounts.AsNoTracking().Where(a => a.InstitutionId == institutionId && a.Kind == AccountKind.MasterReset).ToListAsync(Ct));
        resets.Count.ShouldBe(2);
        foreach (var reset in resets)
        {
            hasher.Verify(reset.PasswordHash, "5291").ShouldBe(PasswordVerificationResult.Success);
            hasher.Verify(reset.PasswordHash, "3870").ShouldBe(PasswordVerificationResult.Failed);
            reset.LockoutEnd.ShouldBeNull();
            reset.AccessFailedCount.ShouldBe(0);
            reset.DisplayName.ShouldBe("新テスト医科クリニック");
            stampsBefore.ShouldNotContain(reset.SecurityStamp);
            reset.MustChangePassword.ShouldBeFalse(); // a 秘密の番号 is never temporary (the reset account has no 《パスワード変更》)
            reset.PasswordExpiresAt.ShouldBeNull();
        }

        (await h.Db(db => db.Institutions.AsNoTracking().SingleAsync(i => i.Id == institutionId, Ct))).Name.ShouldBe("新テスト医科クリニック");
        var page = await h.With<PortalDocumentService, PortalDocumentPage>(s => s.ListMasterAccountDocumentsAsync(user, 1, 20, Ct));
        page.RangeText.ShouldBe("1~4 件目 / 4 件");
        page.Rows[0].FileName.ShouldBe("本_オンライン資格確認等システム登録内容変更のお知らせ.pdf");
        page.Rows[0].ApplicationKindLabel.ShouldBe("変更");
        page.Rows[0].ImportedOnText.ShouldBe("2026-06-24");
        page.Rows[1].FileName.ShouldBe("接続_オンライン資格確認等システム登録内容変更のお知らせ.pdf");
        var notice = await h.With<PortalDocumentService, OpResult<DownloadFile>>(s => s.DownloadAsync(user, page.Rows[0].Id, Ct));
        var text = await PdfText.ExtractAsync(notice.Value!.Content);
        text.ShouldContain("登録内容変更のお知らせ");
        text.ShouldContain("新テスト医科クリニック");
        text.ShouldNotContain("5291");

        (await h.ColumnsContainingAsync("5291")).ShouldBeEmpty();
        (await h.Db(db => db.UsageApplications.AsNoTracking().Select(a => a.SecretNumberHash).ToListAsync(Ct))).ShouldAllBe(x => x == "");
        (await h.Db(db => AuditLog.VerifyAsync(db, Ct))).ShouldBeNull();
    }

    [Theory, MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task SendBack_ReasonShownToApplicant_AndNewApplicationPossibleAgain(string provider)
    {
        await using var h = await ApplicationsHarness.CreateAsync(provider, Ct);
        var reviewer = await h.ReviewerAsync();
        var user = await h.PortalUserAsync("clinic@example.jp");
        var first = await h.With<UsageApplicationService, OpResult<long>>(s => s.SubmitNewAsync(user, ApplicationsHarness.NewInput(Code), Ct));
        (await h.With<UsageApplicationService, OpResult<long>>(s => s.SubmitNewAsync(user, ApplicationsHarness.NewInput(Code), Ct)))
            .Errors.ShouldHaveSingleItem().Code.ShouldBe("usage.new_pending");

        (await h.With<ApplicationReviewService, OpResult>(s => s.SendBackUsageAsync(reviewer, first.Value, "  ", Ct)))
            .Errors.ShouldHaveSingleItem().Code.ShouldBe("review.reason.required");
        (await h.With<ApplicationReviewService, OpResult>(s => s.SendBackUsageAsync(reviewer, first.Value, new string('あ', 501), Ct)))
            .Errors.ShouldHaveSingleItem().Code.ShouldBe("review.reason.length");
        (await h.With<ApplicationReviewService, OpResult>(s => s.SendBackUsageAsync(reviewer, first.Value, "所在地が登録情報と一致しません。", Ct))).Succeeded.ShouldBeTrue();

        var row = (await h.With<UsageApplicationService, IReadOnlyList<UsageApplicationRow>>(s => s.ListMineAsync(user, Ct))).Single();
        row.StatusLabel.ShouldBe("差戻し");
        row.SendBackReason.ShouldBe("所在地が登録情報と一致しません。");
        (await h.With<ApplicationReviewService, OpResult<UsageApprovalResult>>(s => s.ApproveUsageAsync(reviewer, first.Value, Ct)))
            .Errors.ShouldHaveSingleItem().Code.ShouldBe(ApplicationErrors.AlreadyDecidedCode);
        (await h.Db(db => db.Institutions.CountAsync(Ct))).ShouldBe(0);

        (await h.With<UsageApplicationService, OpResult<long>>(s => s.SubmitNewAsync(user, ApplicationsHarness.NewInput(Code), Ct))).Succeeded.ShouldBeTrue();
    }

    [Theory, MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task InvalidInput_IsRefusedFieldByField_AndStoresNothing(string provider)
    {
        await using var h = await ApplicationsHarness.CreateAsync(provider, Ct);
        var user = await h.PortalUserAsync("clinic@example.jp");
        var bad = new NewApplicationInput
        {
            InstitutionCode = "0123456789",
            InstitutionName = new string('医', 101),
            Address = "",
            Phone = "03-1234-567x", // (a full-width digit would be accepted: IME input is normalized)
            Environments = EnvironmentSet.None,
            ContactName = "山田",
            ContactPhone = "abc",
            SecretNumber = "1234",
            SecretNumberConfirm = "1234",
        };
        var result = await h.With<UsageApplicationService, OpResult<long>>(s => s.SubmitNewAsync(user, bad, Ct));
        result.Errors.Select(e => e.Field).ShouldBe(["InstitutionCode", "InstitutionName", "Address", "Phone", "Environments", "ContactPhone", "SecretNumber"], ignoreOrder: true);
        result.Errors.ShouldAllBe(e => e.Message.Length > 0);

        var mismatch = ApplicationsHarness.NewInput(Code) with { SecretNumberConfirm = "3871" };
        (await h.With<UsageApplicationService, OpResult<long>>(s => s.SubmitNewAsync(user, mismatch, Ct)))
            .Errors.ShouldHaveSingleItem().Field.ShouldBe("SecretNumberConfirm");
        var fullWidth = ApplicationsHarness.NewInput(Code) with { SecretNumber = "３８７０", SecretNumberConfirm = "３８７０" };
        (await h.With<UsageApplicationService, OpResult<long>>(s => s.SubmitNewAsync(user, fullWidth, Ct)))
            .Errors.ShouldHaveSingleItem().Field.ShouldBe("SecretNumber");
        (await h.With<UsageApplicationService, OpResult<long>>(s => s.SubmitNewAsync(999_999, ApplicationsHarness.NewInput(Code), Ct)))
            .Errors.ShouldHaveSingleItem().Code.ShouldBe("portal_user.not_found");

        (await h.Db(db => db.UsageApplications.CountAsync(Ct))).ShouldBe(0);
        (await h.Db(db => db.AuditEntries.CountAsync(Ct))).ShouldBe(0);

        // With an approved institution: bad certificate, 運用開始日 and change inputs store nothing either.
        var (_, institutionId) = await h.ApprovedInstitutionAsync(user, Code, environments: EnvironmentSet.Production);
        var before = await CountsAsync(h);
        (await h.With<CertificateApplicationService, OpResult<long>>(s => s.SubmitAsync(user, institutionId, "端末1", Ct))).Errors.ShouldHaveSingleItem().Field.ShouldBe("TerminalName");
        (await h.With<CertificateApplicationService, OpResult<long>>(s => s.SubmitAsync(user, institutionId, "", Ct))).Succeeded.ShouldBeFalse();
        (await h.With<OperationStartService, OpResult<OperationStartRow>>(s => s.RegisterAsync(user, institutionId, OqsEnvironment.Production, ApplicationsHarness.TodayJst.AddYears(2).AddDays(1), Ct)))
            .Errors.ShouldHaveSingleItem().Field.ShouldBe("StartDate");
        (await h.With<OperationStartService, OpResult<OperationStartRow>>(s => s.RegisterAsync(user, institutionId, OqsEnvironment.Production, ApplicationsHarness.TodayJst.AddYears(-1).AddDays(-1), Ct)))
            .Errors.ShouldHaveSingleItem().Field.ShouldBe("StartDate");
        (await h.With<OperationStartService, OpResult<OperationStartRow>>(s => s.RegisterAsync(user, institutionId, OqsEnvironment.Verification, ApplicationsHarness.TodayJst, Ct)))
            .Errors.ShouldHaveSingleItem().Code.ShouldBe("operation_start.not_approved");
        (await h.With<UsageApplicationService, OpResult<long>>(s => s.SubmitChangeAsync(user, institutionId,
            new ChangeApplicationInput { NewInstitutionName = "テスト医科診療所" }, Ct))).Errors.ShouldHaveSingleItem().Field.ShouldBe("NewInstitutionName");
        (await h.With<UsageApplicationService, OpResult<long>>(s => s.SubmitChangeAsync(user, institutionId,
            new ChangeApplicationInput { NewSecretNumber = "1111", NewSecretNumberConfirm = "1111" }, Ct))).Errors.ShouldHaveSingleItem().Field.ShouldBe("NewSecretNumber");
        (await CountsAsync(h)).ShouldBe(before);

        // The valid ones go through.
        (await h.With<OperationStartService, OpResult<OperationStartRow>>(s => s.RegisterAsync(user, institutionId, OqsEnvironment.Production, ApplicationsHarness.TodayJst.AddDays(10), Ct))).Succeeded.ShouldBeTrue();
        (await h.With<OperationStartService, OpResult<OperationStartRow>>(s => s.RegisterAsync(user, institutionId, OqsEnvironment.Production, ApplicationsHarness.TodayJst.AddDays(20), Ct))).Succeeded.ShouldBeTrue();
        var starts = await h.With<OperationStartService, OpResult<IReadOnlyList<OperationStartRow>>>(s => s.ListAsync(user, institutionId, Ct));
        starts.Value!.ShouldHaveSingleItem().StartDate.ShouldBe(ApplicationsHarness.TodayJst.AddDays(20));
        starts.Value![0].EnvironmentLabel.ShouldBe("本番環境");
    }

    private static async Task<(int Usage, int Certificates, int Starts, int Subsidies, int Documents)> CountsAsync(ApplicationsHarness h) =>
        await h.Db(async db => (
            await db.UsageApplications.CountAsync(Ct),
            await db.CertificateApplications.CountAsync(Ct),
            await db.OperationStartRegistrations.CountAsync(Ct),
            await db.SubsidyApplications.CountAsync(Ct),
            await db.PortalDocuments.CountAsync(Ct)));
}
