using System.Security.Cryptography.X509Certificates;
using System.Text;

using Microsoft.EntityFrameworkCore;

using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Applications;
using Onshi.Core.Features.Audit;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Oqs;

using Shouldly;

namespace Onshi.IntegrationTests.Applications;

/// <summary>電子証明書発行申請 (one-time download) and 補助金申請 (receipt checks, 交付決定通知書), on every provider.</summary>
public sealed class CertificateAndSubsidyApplicationTests
{
    private const string Code = "1340000026";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task CertificateApplication_Approved_DownloadsExactlyOnce(string provider)
    {
        await using var h = await ApplicationsHarness.CreateAsync(provider, Ct);
        var reviewer = await h.ReviewerAsync();
        var user = await h.PortalUserAsync("pharmacy@example.jp");
        var (_, institutionId) = await h.ApprovedInstitutionAsync(user, Code, environments: EnvironmentSet.Production);

        var submitted = await h.With<CertificateApplicationService, OpResult<long>>(s => s.SubmitAsync(user, institutionId, "T0001", Ct));
        submitted.Succeeded.ShouldBeTrue();
        (await h.With<CertificateApplicationService, OpResult<long>>(s => s.SubmitAsync(user, institutionId, "t0001", Ct)))
            .Errors.ShouldHaveSingleItem().Code.ShouldBe("certificate_application.pending");
        (await h.With<CertificateApplicationService, OpResult<CertificateDownload>>(s => s.DownloadOnceAsync(user, submitted.Value, Ct)))
            .Errors.ShouldHaveSingleItem().Code.ShouldBe("certificate_application.not_ready");
        (await h.With<ApplicationReviewService, OpResult<IReadOnlyList<ReviewQueueItem>>>(s => s.ListPendingAsync(reviewer, ReviewQueueKind.Certificate, Ct))).Value!
            .ShouldHaveSingleItem().Summary.ShouldContain("T0001");

        (await h.With<CertificateApplicationService, OpResult>(s => s.ApproveAsync(reviewer, submitted.Value, Ct))).Succeeded.ShouldBeTrue();
        (await h.With<CertificateApplicationService, OpResult>(s => s.ApproveAsync(reviewer, submitted.Value, Ct)))
            .Errors.ShouldHaveSingleItem().Code.ShouldBe(ApplicationErrors.AlreadyDecidedCode);
        var listed = await h.With<CertificateApplicationService, OpResult<IReadOnlyList<CertificateApplicationRow>>>(s => s.ListAsync(user, institutionId, Ct));
        var row = listed.Value!.ShouldHaveSingleItem();
        row.StatusLabel.ShouldBe("承認");
        row.DownloadWaiting.ShouldBeTrue();
        row.SerialNumber.ShouldNotBeNullOrEmpty();

        var download = await h.With<CertificateApplicationService, OpResult<CertificateDownload>>(s => s.DownloadOnceAsync(user, submitted.Value, Ct));
        download.Succeeded.ShouldBeTrue();
        download.Value!.FileName.ShouldBe(Code + "_T0001.p12");
        using (var certificate = X509CertificateLoader.LoadPkcs12(download.Value.Pkcs12, download.Value.Passphrase))
        {
            certificate.HasPrivateKey.ShouldBeTrue();
            certificate.SerialNumber.ShouldBe(row.SerialNumber);
        }

        var again = await h.With<CertificateApplicationService, OpResult<CertificateDownload>>(s => s.DownloadOnceAsync(user, submitted.Value, Ct));
        again.Errors.ShouldHaveSingleItem().Message.ShouldStartWith("この電子証明書の発行画面は既に表示されました");
        again.Errors[0].Message.ShouldContain("再発行");
        var stored = await h.Db(db => db.CertificateApplications.AsNoTracking().SingleAsync(a => a.Id == submitted.Value, Ct));
        stored.ProtectedPkcs12.ShouldBeNull();
        stored.ProtectedPassphrase.ShouldBeNull();
        stored.DownloadedAt.ShouldNotBeNull();
        (await h.ColumnsContainingAsync(download.Value.Passphrase)).ShouldBeEmpty();
        (await h.With<CertificateApplicationService, OpResult<IReadOnlyList<CertificateApplicationRow>>>(s => s.ListAsync(user, institutionId, Ct)))
            .Value!.Single().DownloadWaiting.ShouldBeFalse();

        // 差戻し: the reason shows in 申請照会.
        var second = await h.With<CertificateApplicationService, OpResult<long>>(s => s.SubmitAsync(user, institutionId, "T0002", Ct));
        (await h.With<CertificateApplicationService, OpResult>(s => s.SendBackAsync(reviewer, second.Value, "端末名をご確認ください。", Ct))).Succeeded.ShouldBeTrue();
        var sentBack = (await h.With<CertificateApplicationService, OpResult<IReadOnlyList<CertificateApplicationRow>>>(s => s.ListAsync(user, institutionId, Ct)))
            .Value!.Single(r => r.Id == second.Value);
        sentBack.StatusLabel.ShouldBe("差戻し");
        sentBack.SendBackReason.ShouldBe("端末名をご確認ください。");
        sentBack.DownloadWaiting.ShouldBeFalse();

        var actions = await h.Db(db => db.AuditEntries.AsNoTracking().Select(a => a.Action).ToListAsync(Ct));
        actions.ShouldContain(AuditActions.CertificateIssue);
        actions.ShouldContain(ApplicationAuditActions.CertificateApplicationDownload);
        (await h.Db(db => AuditLog.VerifyAsync(db, Ct))).ShouldBeNull();
    }

    [Theory, MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Subsidy_ReceiptMustReallyBeAnImageOrPdf_AndApprovalPostsGrantNotice(string provider)
    {
        await using var h = await ApplicationsHarness.CreateAsync(provider, Ct);
        var reviewer = await h.ReviewerAsync();
        var user = await h.PortalUserAsync("pharmacy@example.jp");
        var (_, institutionId) = await h.ApprovedInstitutionAsync(user, Code, environments: EnvironmentSet.Production);
        var pdf = Encoding.ASCII.GetBytes("%PDF-1.7\n% receipt\n%%EOF\n");
        SubsidyInput Input(byte[] bytes, string name = "receipt.pdf", string type = "application/pdf") => new()
        {
            ClaimedAmount = 210_000,
            TotalCost = 420_000,
            Description = "資格確認端末・顔認証付きカードリーダーの導入",
            ReceiptFileName = name,
            ReceiptContentType = type,
            ReceiptBytes = bytes,
        };

        async Task<IReadOnlyList<OnshiError>> Refused(SubsidyInput input) =>
            (await h.With<SubsidyService, OpResult<long>>(s => s.SubmitAsync(user, institutionId, input, Ct))).Errors;

        (await Refused(Input(Encoding.ASCII.GetBytes("MZ this is not a pdf")))).ShouldHaveSingleItem().Code.ShouldBe("subsidy.receipt.content");
        (await Refused(Input([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]))).ShouldHaveSingleItem().Code.ShouldBe("subsidy.receipt.content");
        var sixMegabytes = new byte[6 * 1024 * 1024];
        pdf.CopyTo(sixMegabytes, 0);
        (await Refused(Input(sixMegabytes))).ShouldHaveSingleItem().Code.ShouldBe("subsidy.receipt.size");
        (await Refused(Input(pdf, "receipt.exe", "application/octet-stream"))).ShouldHaveSingleItem().Code.ShouldBe("subsidy.receipt.type");
        (await Refused(Input([]))).ShouldHaveSingleItem().Code.ShouldBe("subsidy.receipt.required");
        (await Refused(Input(pdf) with { ClaimedAmount = 500_000 })).ShouldHaveSingleItem().Code.ShouldBe("subsidy.claim_over_total");
        (await Refused(Input(pdf) with { ClaimedAmount = 0, TotalCost = null })).Select(e => e.Field).ShouldBe(["ClaimedAmount", "TotalCost"], ignoreOrder: true);
        (await h.Db(db => db.SubsidyApplications.CountAsync(Ct))).ShouldBe(0);

        // A real JPEG declared as such, from a browser that sends a full path.
        var jpeg = new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F' };
        var submitted = await h.With<SubsidyService, OpResult<long>>(s => s.SubmitAsync(user, institutionId, Input(jpeg, @"C:\Users\a\領収書.JPG", "image/jpeg"), Ct));
        submitted.Succeeded.ShouldBeTrue();
        var row = (await h.With<SubsidyService, IReadOnlyList<SubsidyRow>>(s => s.ListAsync(user, Ct))).ShouldHaveSingleItem();
        row.ReceiptFileName.ShouldBe("領収書.JPG");
        row.StatusLabel.ShouldBe("申請中");

        (await h.With<SubsidyService, OpResult<long>>(s => s.ApproveAsync(reviewer, submitted.Value, 300_000, Ct)))
            .Errors.ShouldHaveSingleItem().Code.ShouldBe("subsidy.grant_over_claim");
        var approved = await h.With<SubsidyService, OpResult<long>>(s => s.ApproveAsync(reviewer, submitted.Value, 200_000, Ct));
        approved.Succeeded.ShouldBeTrue();
        (await h.With<SubsidyService, OpResult<long>>(s => s.ApproveAsync(reviewer, submitted.Value, 200_000, Ct)))
            .Errors.ShouldHaveSingleItem().Code.ShouldBe(ApplicationErrors.AlreadyDecidedCode);
        row = (await h.With<SubsidyService, IReadOnlyList<SubsidyRow>>(s => s.ListAsync(user, Ct))).Single();
        row.StatusLabel.ShouldBe("承認");
        row.GrantedAmount.ShouldBe(200_000);
        row.DecisionDocumentId.ShouldBe(approved.Value);

        var notices = await h.With<SubsidyService, PortalDocumentPage>(s => s.ListGrantNoticesAsync(user, 1, Ct));
        notices.RangeText.ShouldBe("1~1 件目 / 1 件");
        notices.Rows[0].EnvironmentLabel.ShouldBe("");
        notices.Rows[0].ImportedOnText.ShouldBe("2026-06-21");
        var file = await h.With<PortalDocumentService, OpResult<DownloadFile>>(s => s.DownloadAsync(user, notices.Rows[0].Id, Ct));
        var text = await PdfText.ExtractAsync(file.Value!.Content);
        text.ShouldContain("交付決定通知書");
        text.ShouldContain("テスト医科診療所");
        text.ShouldContain("200,000円");
        text.ShouldContain("210,000円");
        // Grant notices are not マスタアカウント情報.
        (await h.With<PortalDocumentService, PortalDocumentPage>(s => s.ListMasterAccountDocumentsAsync(user, 1, 20, Ct))).Total.ShouldBe(1);

        // 差戻し of a second one.
        var second = await h.With<SubsidyService, OpResult<long>>(s => s.SubmitAsync(user, institutionId, Input(pdf), Ct));
        (await h.With<SubsidyService, OpResult>(s => s.SendBackAsync(reviewer, second.Value, "領収書の宛名をご確認ください。", Ct))).Succeeded.ShouldBeTrue();
        (await h.With<SubsidyService, IReadOnlyList<SubsidyRow>>(s => s.ListAsync(user, Ct))).Single(r => r.Id == second.Value).SendBackReason.ShouldBe("領収書の宛名をご確認ください。");
        (await h.Db(db => AuditLog.VerifyAsync(db, Ct))).ShouldBeNull();
    }
}
