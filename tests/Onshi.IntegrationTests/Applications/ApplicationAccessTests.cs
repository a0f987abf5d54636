using System.Text;

using Microsoft.EntityFrameworkCore;

using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Applications;
using Onshi.Core.Features.Audit;
using Onshi.IntegrationTests.Infrastructure;

using Shouldly;

namespace Onshi.IntegrationTests.Applications;

/// <summary>A portal user reaches only its own institutions' things and its own applications, on every provider.</summary>
public sealed class ApplicationAccessTests
{
    private const string Code = "1310000018";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task OtherPortalUser_IsAnsweredNotFoundOnEveryMethod_AndTheAttemptsAreAudited(string provider)
    {
        await using var h = await ApplicationsHarness.CreateAsync(provider, Ct);
        var reviewer = await h.ReviewerAsync();
        var owner = await h.PortalUserAsync("owner@example.jp");
        var intruder = await h.PortalUserAsync("intruder@example.jp");
        var (applicationId, institutionId) = await h.ApprovedInstitutionAsync(owner, Code);
        var documentId = (await h.With<PortalDocumentService, PortalDocumentPage>(s => s.ListMasterAccountDocumentsAsync(owner, 1, 20, Ct))).Rows[0].Id;
        var certificateId = (await h.With<CertificateApplicationService, OpResult<long>>(s => s.SubmitAsync(owner, institutionId, "T0001", Ct))).Value;
        (await h.With<CertificateApplicationService, OpResult>(s => s.ApproveAsync(reviewer, certificateId, Ct))).Succeeded.ShouldBeTrue();
        var pdf = Encoding.ASCII.GetBytes("%PDF-1.7\n%%EOF\n");
        var subsidy = new SubsidyInput { ClaimedAmount = 1, TotalCost = 2, Description = "導入", ReceiptFileName = "r.pdf", ReceiptContentType = "application/pdf", ReceiptBytes = pdf };
        var subsidyId = (await h.With<SubsidyService, OpResult<long>>(s => s.SubmitAsync(owner, institutionId, subsidy, Ct))).Value;
        (await h.With<SubsidyService, OpResult<long>>(s => s.ApproveAsync(reviewer, subsidyId, 1, Ct))).Succeeded.ShouldBeTrue();
        var deniedBefore = await DeniedCountAsync(h);
        var countsBefore = await CountsAsync(h);

        var refusals = new List<IReadOnlyList<OnshiError>>
        {
            (await h.With<UsageApplicationService, OpResult<long>>(s => s.SubmitChangeAsync(intruder, institutionId,
                new ChangeApplicationInput { NewSecretNumber = "5291", NewSecretNumberConfirm = "5291" }, Ct))).Errors,
            (await h.With<UsageApplicationService, OpResult<UsageApplicationRow>>(s => s.GetMineAsync(intruder, applicationId, Ct))).Errors,
            (await h.With<PortalDocumentService, OpResult<PortalDocumentRow>>(s => s.GetAsync(intruder, documentId, Ct))).Errors,
            (await h.With<PortalDocumentService, OpResult<DownloadFile>>(s => s.DownloadAsync(intruder, documentId, Ct))).Errors,
            (await h.With<PortalDocumentService, OpResult<DownloadFile>>(s => s.DownloadBothEnvironmentsZipAsync(intruder, applicationId, Ct))).Errors,
            (await h.With<OperationStartService, OpResult<OperationStartRow>>(s => s.RegisterAsync(intruder, institutionId, OqsEnvironment.Production, ApplicationsHarness.TodayJst, Ct))).Errors,
            (await h.With<OperationStartService, OpResult<IReadOnlyList<OperationStartRow>>>(s => s.ListAsync(intruder, institutionId, Ct))).Errors,
            (await h.With<CertificateApplicationService, OpResult<long>>(s => s.SubmitAsync(intruder, institutionId, "T0009", Ct))).Errors,
            (await h.With<CertificateApplicationService, OpResult<IReadOnlyList<CertificateApplicationRow>>>(s => s.ListAsync(intruder, institutionId, Ct))).Errors,
            (await h.With<CertificateApplicationService, OpResult<CertificateDownload>>(s => s.DownloadOnceAsync(intruder, certificateId, Ct))).Errors,
            (await h.With<SubsidyService, OpResult<long>>(s => s.SubmitAsync(intruder, institutionId, subsidy, Ct))).Errors,
        };
        foreach (var errors in refusals)
        {
            errors.ShouldHaveSingleItem().Code.ShouldBe(ApplicationErrors.NotFoundCode);
        }

        // Exactly what a missing id gets.
        (await h.With<PortalDocumentService, OpResult<DownloadFile>>(s => s.DownloadAsync(intruder, 987_654, Ct))).Errors.ShouldHaveSingleItem()
            .ShouldBe(ApplicationErrors.NotFound);
        (await DeniedCountAsync(h)).ShouldBe(deniedBefore + refusals.Count);
        var denied = await h.Db(db => db.AuditEntries.AsNoTracking().Where(a => a.Action == AuditActions.AccessDenied).ToListAsync(Ct));
        denied.ShouldAllBe(a => a.Actor == "portal:" + intruder && a.InstitutionId == institutionId && a.Outcome == AuditOutcomes.Denied);

        // Lists are simply empty, and the code cannot be applied for again by someone else.
        (await h.With<UsageApplicationService, IReadOnlyList<UsageApplicationRow>>(s => s.ListMineAsync(intruder, Ct))).ShouldBeEmpty();
        (await h.With<UsageApplicationService, IReadOnlyList<PortalInstitution>>(s => s.ListMyInstitutionsAsync(intruder, Ct))).ShouldBeEmpty();
        (await h.With<PortalDocumentService, PortalDocumentPage>(s => s.ListMasterAccountDocumentsAsync(intruder, 1, 20, Ct))).RangeText.ShouldBe("0~0 件目 / 0 件");
        (await h.With<SubsidyService, IReadOnlyList<SubsidyRow>>(s => s.ListAsync(intruder, Ct))).ShouldBeEmpty();
        (await h.With<SubsidyService, PortalDocumentPage>(s => s.ListGrantNoticesAsync(intruder, 1, Ct))).Total.ShouldBe(0);
        (await h.With<UsageApplicationService, OpResult<long>>(s => s.SubmitNewAsync(intruder, ApplicationsHarness.NewInput(Code), Ct)))
            .Errors.ShouldHaveSingleItem().Code.ShouldBe("usage.code_registered");
        (await CountsAsync(h)).ShouldBe(countsBefore);

        // The owner still has everything, including the certificate's one download.
        (await h.With<UsageApplicationService, IReadOnlyList<PortalInstitution>>(s => s.ListMyInstitutionsAsync(owner, Ct)))
            .ShouldHaveSingleItem().Environments.ShouldBe(EnvironmentSet.Production | EnvironmentSet.Verification);
        (await h.With<CertificateApplicationService, OpResult<CertificateDownload>>(s => s.DownloadOnceAsync(owner, certificateId, Ct))).Succeeded.ShouldBeTrue();
        (await h.Db(db => AuditLog.VerifyAsync(db, Ct))).ShouldBeNull();
    }

    [Theory, MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task OtherPortalUser_CannotChangeAnotherInstitutionsSecret_AndApprovalOfSecondNewForTakenCodeIsRefused(string provider)
    {
        await using var h = await ApplicationsHarness.CreateAsync(provider, Ct);
        var reviewer = await h.ReviewerAsync();
        var first = await h.PortalUserAsync("first@example.jp");
        var second = await h.PortalUserAsync("second@example.jp");
        // Both apply before either is approved (the second only after the first was sent back would be normal).
        var a = await h.With<UsageApplicationService, OpResult<long>>(s => s.SubmitNewAsync(first, ApplicationsHarness.NewInput(Code), Ct));
        await h.Db(db => db.UsageApplications.Where(x => x.Id == a.Value).ExecuteUpdateAsync(x => x.SetProperty(p => p.Status, ReviewStatus.SentBack), Ct));
        var b = await h.With<UsageApplicationService, OpResult<long>>(s => s.SubmitNewAsync(second, ApplicationsHarness.NewInput(Code, "4719"), Ct));
        await h.Db(db => db.UsageApplications.Where(x => x.Id == a.Value).ExecuteUpdateAsync(x => x.SetProperty(p => p.Status, ReviewStatus.Pending), Ct));

        (await h.With<ApplicationReviewService, OpResult<UsageApprovalResult>>(s => s.ApproveUsageAsync(reviewer, a.Value, Ct))).Succeeded.ShouldBeTrue();
        (await h.With<ApplicationReviewService, OpResult<UsageApprovalResult>>(s => s.ApproveUsageAsync(reviewer, b.Value, Ct)))
            .Errors.ShouldHaveSingleItem().Code.ShouldBe("usage.institution_taken");
        (await h.Db(db => db.Accounts.CountAsync(Ct))).ShouldBe(4);
        (await h.With<PortalDocumentService, PortalDocumentPage>(s => s.ListMasterAccountDocumentsAsync(second, 1, 20, Ct))).Total.ShouldBe(0);
    }

    private static async Task<int> DeniedCountAsync(ApplicationsHarness h) =>
        await h.Db(db => db.AuditEntries.CountAsync(a => a.Action == AuditActions.AccessDenied, Ct));

    private static async Task<(int, int, int, int, int, int)> CountsAsync(ApplicationsHarness h) =>
        await h.Db(async db => (
            await db.UsageApplications.CountAsync(Ct),
            await db.CertificateApplications.CountAsync(Ct),
            await db.OperationStartRegistrations.CountAsync(Ct),
            await db.SubsidyApplications.CountAsync(Ct),
            await db.PortalDocuments.CountAsync(Ct),
            await db.CertificateApplications.CountAsync(a => a.DownloadedAt != null, Ct)));
}
