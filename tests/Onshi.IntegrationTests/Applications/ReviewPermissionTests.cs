using System.Text;

using Microsoft.EntityFrameworkCore;

using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Applications;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Operators;
using Onshi.IntegrationTests.Infrastructure;

using Shouldly;

namespace Onshi.IntegrationTests.Applications;

/// <summary>
/// The review services decide who may review themselves (as the call-center desk does), not only the console's page
/// policy: an operator without <see cref="OperatorCapability.ReviewQueues"/> calling them directly is refused, on every
/// provider.
/// </summary>
public sealed class ReviewPermissionTests
{
    /// <summary>The approved institution whose certificate and subsidy applications wait.</summary>
    private const string Code = "1310000018";

    /// <summary>The 新規 that waits: approving it would register this code.</summary>
    private const string PendingCode = "1610000018";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task CallCenterOperator_IsRefusedByEveryReviewMethod_NothingChanges_EachRefusalAudited(string provider)
    {
        await using var h = await ApplicationsHarness.CreateAsync(provider, Ct);
        var pending = await PendingApplicationsAsync(h);
        var callCenter = await h.OperatorAsync("cc-suzuki", OperatorRole.CallCenter);

        await RefusedEverywhereAsync(h, callCenter, "op:cc-suzuki", pending);

        // The applications were left as they were: a reviewer can still decide them.
        var reviewer = await h.ReviewerAsync();
        (await h.With<ApplicationReviewService, OpResult<UsageApprovalResult>>(s => s.ApproveUsageAsync(reviewer, pending.Usage, Ct))).Succeeded.ShouldBeTrue();
        (await h.With<CertificateApplicationService, OpResult>(s => s.ApproveAsync(reviewer, pending.Certificate, Ct))).Succeeded.ShouldBeTrue();
        (await h.With<SubsidyService, OpResult>(s => s.SendBackAsync(reviewer, pending.Subsidy, "領収書の宛名をご確認ください。", Ct))).Succeeded.ShouldBeTrue();
        (await h.Db(db => AuditLog.VerifyAsync(db, Ct))).ShouldBeNull();
    }

    [Theory, MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task DisabledReviewer_IsRefusedByEveryReviewMethod_NothingChanges_EachRefusalAudited(string provider)
    {
        await using var h = await ApplicationsHarness.CreateAsync(provider, Ct);
        var pending = await PendingApplicationsAsync(h);
        var former = await h.OperatorAsync("rv-former", OperatorRole.Reviewer);
        (await h.With<ApplicationReviewService, OpResult<IReadOnlyList<ReviewQueueItem>>>(s => s.ListPendingAsync(former, ReviewQueueKind.All, Ct)))
            .Value!.Count.ShouldBe(3);
        await h.Db(db => db.OperatorAccounts.Where(o => o.Id == former.OperatorId).ExecuteUpdateAsync(u => u.SetProperty(o => o.Disabled, true), Ct));

        await RefusedEverywhereAsync(h, former, "op:rv-former", pending);
        (await h.Db(db => AuditLog.VerifyAsync(db, Ct))).ShouldBeNull();
    }

    /// <summary>The ids of a pending 新規 (for <see cref="PendingCode"/>), 電子証明書発行申請 and 補助金申請.</summary>
    private sealed record PendingApplications(long Usage, long Certificate, long Subsidy);

    private static async Task<PendingApplications> PendingApplicationsAsync(ApplicationsHarness h)
    {
        var user = await h.PortalUserAsync("clinic@example.jp");
        var (_, institutionId) = await h.ApprovedInstitutionAsync(user, Code, environments: EnvironmentSet.Production);
        var usage = await h.With<UsageApplicationService, OpResult<long>>(s => s.SubmitNewAsync(user, ApplicationsHarness.NewInput(PendingCode), Ct));
        var certificate = await h.With<CertificateApplicationService, OpResult<long>>(s => s.SubmitAsync(user, institutionId, "T0001", Ct));
        var subsidy = await h.With<SubsidyService, OpResult<long>>(s => s.SubmitAsync(user, institutionId, new SubsidyInput
        {
            ClaimedAmount = 100_000,
            TotalCost = 200_000,
            Description = "資格確認端末の導入",
            ReceiptFileName = "receipt.pdf",
            ReceiptContentType = "application/pdf",
            ReceiptBytes = Encoding.ASCII.GetBytes("%PDF-1.7\n% receipt\n%%EOF\n"),
        }, Ct));
        usage.Succeeded.ShouldBeTrue();
        certificate.Succeeded.ShouldBeTrue();
        subsidy.Succeeded.ShouldBeTrue();
        return new PendingApplications(usage.Value, certificate.Value, subsidy.Value);
    }

    /// <summary>
    /// Every read and decision of the three review services refuses <paramref name="actor"/> with 「この操作を行う権限が
    /// ありません。」, writes exactly one <c>operator.access.denied</c> row each (the operator, its address, the capability),
    /// and changes nothing: the applications stay 申請中, no institution, document, account or certificate appears, and no
    /// other audit row is written.
    /// </summary>
    private static async Task RefusedEverywhereAsync(ApplicationsHarness h, OperatorActor actor, string auditActor, PendingApplications pending)
    {
        var calls = new (string Name, Func<Task<OpResult>> Call)[]
        {
            ("queue", async () => await h.With<ApplicationReviewService, OpResult<IReadOnlyList<ReviewQueueItem>>>(s => s.ListPendingAsync(actor, ReviewQueueKind.All, Ct))),
            ("usage", async () => await h.With<ApplicationReviewService, OpResult<UsageApplicationReview>>(s => s.GetUsageAsync(actor, pending.Usage, Ct))),
            ("usage approve", async () => await h.With<ApplicationReviewService, OpResult<UsageApprovalResult>>(s => s.ApproveUsageAsync(actor, pending.Usage, Ct))),
            ("usage send back", () => h.With<ApplicationReviewService, OpResult>(s => s.SendBackUsageAsync(actor, pending.Usage, "所在地をご確認ください。", Ct))),
            ("certificate", async () => await h.With<CertificateApplicationService, OpResult<CertificateApplicationReview>>(s => s.GetForReviewAsync(actor, pending.Certificate, Ct))),
            ("certificate approve", () => h.With<CertificateApplicationService, OpResult>(s => s.ApproveAsync(actor, pending.Certificate, Ct))),
            ("certificate send back", () => h.With<CertificateApplicationService, OpResult>(s => s.SendBackAsync(actor, pending.Certificate, "端末名をご確認ください。", Ct))),
            ("subsidy", async () => await h.With<SubsidyService, OpResult<SubsidyRow>>(s => s.GetForReviewAsync(actor, pending.Subsidy, Ct))),
            ("subsidy receipt", async () => await h.With<SubsidyService, OpResult<DownloadFile>>(s => s.GetReceiptForReviewAsync(actor, pending.Subsidy, Ct))),
            ("subsidy approve", async () => await h.With<SubsidyService, OpResult<long>>(s => s.ApproveAsync(actor, pending.Subsidy, 100_000, Ct))),
            ("subsidy send back", () => h.With<SubsidyService, OpResult>(s => s.SendBackAsync(actor, pending.Subsidy, "領収書をご確認ください。", Ct))),
        };
        var before = await StateAsync(h);
        var otherRows = await h.Db(db => db.AuditEntries.CountAsync(a => a.Action != OperatorAuditActions.AccessDenied, Ct));

        foreach (var (name, call) in calls)
        {
            var denied = (await DenialsAsync(h)).Count;
            var result = await call();

            var error = result.Errors.ShouldHaveSingleItem(name);
            error.ShouldBe(OperatorErrors.NotPermitted, name);
            error.Message.ShouldBe("この操作を行う権限がありません。", name);
            var denials = await DenialsAsync(h);
            denials.Count.ShouldBe(denied + 1, name);
            var row = denials[^1];
            row.Actor.ShouldBe(auditActor, name);
            row.Outcome.ShouldBe(AuditOutcomes.Denied, name);
            row.ClientAddress.ShouldBe(actor.ClientAddress, name);
            row.Detail.ShouldBe(nameof(OperatorCapability.ReviewQueues), name);
            row.Target.ShouldNotBeEmpty(name);
        }

        (await StateAsync(h)).ShouldBe(before);
        (await h.Db(db => db.AuditEntries.CountAsync(a => a.Action != OperatorAuditActions.AccessDenied, Ct))).ShouldBe(otherRows);
        (await h.Db(db => db.Institutions.AnyAsync(i => i.Code == PendingCode, Ct))).ShouldBeFalse();
        (await h.Db(db => db.UsageApplications.SingleAsync(a => a.Id == pending.Usage, Ct))).SecretNumberHash.ShouldNotBeNullOrEmpty();
    }

    private static Task<List<AuditEntry>> DenialsAsync(ApplicationsHarness h) =>
        h.Db(db => db.AuditEntries.AsNoTracking().Where(a => a.Action == OperatorAuditActions.AccessDenied).OrderBy(a => a.Id).ToListAsync(Ct));

    /// <summary>Everything a decision would change.</summary>
    private static async Task<string> StateAsync(ApplicationsHarness h) => await h.Db(async db =>
    {
        var usage = await db.UsageApplications.AsNoTracking().OrderBy(a => a.Id).Select(a => a.Id + ":" + a.Status + ":" + a.DecidedBy + ":" + a.SendBackReason).ToListAsync(Ct);
        var certificates = await db.CertificateApplications.AsNoTracking().OrderBy(a => a.Id)
            .Select(a => a.Id + ":" + a.Status + ":" + a.DecidedBy + ":" + a.SendBackReason + ":" + a.TerminalCertificateId + ":" + (a.ProtectedPkcs12 != null)).ToListAsync(Ct);
        var subsidies = await db.SubsidyApplications.AsNoTracking().OrderBy(a => a.Id)
            .Select(a => a.Id + ":" + a.Status + ":" + a.DecidedBy + ":" + a.SendBackReason + ":" + a.GrantedAmount + ":" + a.DecisionDocumentId).ToListAsync(Ct);
        return string.Join("|", usage) + "#" + string.Join("|", certificates) + "#" + string.Join("|", subsidies) + "#" +
            await db.Institutions.CountAsync(Ct) + "/" + await db.Accounts.CountAsync(Ct) + "/" + await db.PortalDocuments.CountAsync(Ct) + "/" +
            await db.TerminalCertificates.CountAsync(Ct);
    });
}
