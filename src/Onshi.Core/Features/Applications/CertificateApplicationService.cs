using Microsoft.EntityFrameworkCore;

using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Certificates;
using Onshi.Core.Features.Operators;

namespace Onshi.Core.Features.Applications;

/// <summary>A row of 申請照会: the state, the reason of a 差戻し, and whether the certificate waits for its one download.</summary>
public sealed record CertificateApplicationRow(
    long Id,
    string TerminalName,
    ReviewStatus Status,
    string StatusLabel,
    DateTime SubmittedAt,
    DateTime? DecidedAt,
    string? SendBackReason,
    bool DownloadWaiting,
    DateTime? DownloadedAt,
    string? SerialNumber,
    DateTime? NotAfter,
    DateTime? FileSavedAt = null,
    int ReissueCount = 0)
{
    /// <summary>
    /// What really happened to the one-time download: 「証明書ファイル保存済み」 once 「証明書ファイルを保存」 sent the file,
    /// 「発行画面を表示済み（証明書ファイル未保存）」 when the screen was opened and left without it; empty otherwise.
    /// </summary>
    public string DownloadLabel => CertificateDownloadLabels.Label(DownloadedAt, FileSavedAt);

    /// <summary>The 受付番号 shown on 完了 and in 申請照会.</summary>
    public string ReceiptNumber => ReceiptNumbers.Certificate(Id, SubmittedAt);
}

/// <summary>The one wording of the download state (portal 申請照会 and console review).</summary>
public static class CertificateDownloadLabels
{
    /// <summary>The label of a download state; times in JST yyyy-MM-dd HH:mm.</summary>
    public static string Label(DateTime? shownAt, DateTime? fileSavedAt) => (shownAt, fileSavedAt) switch
    {
        (_, { } saved) => "証明書ファイル保存済み（" + Documents.JapanTime.ToJst(saved).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) + "）",
        ({ } shown, null) => "発行画面を表示済み（証明書ファイル未保存）（" + Documents.JapanTime.ToJst(shown).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) + "）",
        _ => "",
    };
}

/// <summary>
/// A 電子証明書発行申請 as the operator reviews it: never the PKCS#12 or its passphrase, only whether the one download is
/// still waiting, and how many valid certificates the institution's terminal of that name already has.
/// </summary>
public sealed record CertificateApplicationReview(
    long Id,
    string InstitutionCode,
    string InstitutionName,
    string TerminalName,
    ReviewStatus Status,
    DateTime SubmittedAt,
    DateTime? DecidedAt,
    string? DecidedBy,
    string? SendBackReason,
    string ApplicantEmail,
    bool DownloadWaiting,
    DateTime? DownloadedAt,
    string? SerialNumber,
    DateTime? NotAfter,
    int ActiveCertificatesOfTerminal,
    DateTime? FileSavedAt = null,
    int ReissueCount = 0)
{
    /// <summary>As <see cref="CertificateApplicationRow.DownloadLabel"/>.</summary>
    public string DownloadLabel => CertificateDownloadLabels.Label(DownloadedAt, FileSavedAt);

    /// <summary>Whether 「再発行」 applies: approved, issued, and its one download used (so the applicant may have lost it).</summary>
    public bool CanReissue => Status == ReviewStatus.Approved && SerialNumber is not null && !DownloadWaiting;
}

/// <summary>The one-time download: the PKCS#12 file and the passphrase that opens it.</summary>
public sealed record CertificateDownload(string FileName, byte[] Pkcs12, string Passphrase)
{
    /// <summary>Prints neither the file nor the passphrase.</summary>
    public override string ToString() => $"{nameof(CertificateDownload)} {{ FileName = {FileName} }}";
}

/// <summary>
/// 電子証明書発行申請 with 申請照会 (SPEC §6, §8). On 承認 the certificate is issued and its PKCS#12 and passphrase wait,
/// encrypted with Data Protection, for exactly one download by the institution's contact; the download erases both.
/// The operator's methods take the <see cref="OperatorActor"/> and need <see cref="OperatorCapability.ReviewQueues"/>
/// (<see cref="ReviewDecisions"/>).
/// </summary>
public sealed class CertificateApplicationService(
    OnshiDbContext db,
    TerminalCertificateService certificates,
    OperatorGate gate,
    PortalScope scope,
    ReviewDecisions decisions,
    ApplicationProtection protection,
    PortalSubmissions submissions,
    AuditLog audit,
    ApplicationMail mail,
    TimeProvider time)
{
    /// <summary>Applies for a certificate for one terminal of the institution. The value is the application's id.</summary>
    public Task<OpResult<long>> SubmitAsync(long portalUserId, long institutionId, string? terminalName, CancellationToken cancellationToken = default) =>
        SubmitAsync(portalUserId, institutionId, terminalName, store: true, null, cancellationToken);

    /// <summary>
    /// <see cref="SubmitAsync(long, long, string?, CancellationToken)"/> of a portal 確認 draft, recording its nonce in the
    /// same commit (<see cref="PortalSubmissions"/>).
    /// </summary>
    public Task<OpResult<long>> SubmitAsync(long portalUserId, long institutionId, string? terminalName, string submissionNonce,
        CancellationToken cancellationToken = default) =>
        SubmitAsync(portalUserId, institutionId, terminalName, store: true, submissionNonce, cancellationToken);

    /// <summary>Every check of <see cref="SubmitAsync(long, long, string?, CancellationToken)"/> and nothing stored (the portal's 入力 → 確認 step).</summary>
    public Task<OpResult<long>> CheckAsync(long portalUserId, long institutionId, string? terminalName, CancellationToken cancellationToken = default) =>
        SubmitAsync(portalUserId, institutionId, terminalName, store: false, null, cancellationToken);

    private async Task<OpResult<long>> SubmitAsync(long portalUserId, long institutionId, string? terminalName, bool store, string? submissionNonce, CancellationToken cancellationToken)
    {
        var institution = await scope.OwnInstitutionAsync(portalUserId, institutionId, "certificate-application.submit", cancellationToken);
        if (institution is null)
        {
            return OpResult<long>.Fail(ApplicationErrors.NotFound);
        }

        var name = terminalName?.Trim() ?? "";
        if (TerminalCertificateService.ValidateTerminalName(name) is { } nameError)
        {
            return OpResult<long>.Fail(nameError with { Field = "TerminalName" });
        }

        if (!await db.Accounts.AnyAsync(a => a.InstitutionId == institution.Id && a.Kind == AccountKind.Master, cancellationToken))
        {
            return OpResult<long>.Fail(ApplicationErrors.InstitutionNotApproved);
        }

        // Names compare case-insensitively, as the certificate service does; an institution has few applications.
        var pending = await db.CertificateApplications.AsNoTracking()
            .Where(a => a.InstitutionId == institution.Id && a.Status == ReviewStatus.Pending)
            .Select(a => a.TerminalName).ToListAsync(cancellationToken);
        if (pending.Any(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase)))
        {
            return OpResult<long>.Fail(ApplicationErrors.CertificatePending);
        }

        if (!store)
        {
            return OpResult<long>.Success(0);
        }

        var application = new CertificateApplication
        {
            PortalUserId = portalUserId,
            InstitutionId = institution.Id,
            TerminalName = name,
            SubmittedAt = time.GetUtcNow().UtcDateTime,
        };
        db.CertificateApplications.Add(application);
        audit.Record(new AuditRecord(ApplicationAuditActions.CertificateApplicationSubmit, AuditOutcomes.Success)
        {
            InstitutionId = institution.Id,
            InstitutionCode = institution.Code,
            Actor = ApplicationAuditActions.PortalActor(portalUserId),
            Target = name,
        });
        await audit.CommitAsync(submissions.Recording(submissionNonce, PortalSubmissionKind.Certificate, () => application.Id), cancellationToken);
        return OpResult<long>.Success(application.Id);
    }

    /// <summary>申請照会: the institution's certificate applications, newest first.</summary>
    public async Task<OpResult<IReadOnlyList<CertificateApplicationRow>>> ListAsync(long portalUserId, long institutionId, CancellationToken cancellationToken = default)
    {
        var institution = await scope.OwnInstitutionAsync(portalUserId, institutionId, "certificate-application.list", cancellationToken);
        if (institution is null)
        {
            return OpResult<IReadOnlyList<CertificateApplicationRow>>.Fail(ApplicationErrors.NotFound);
        }

        var rows = await (from a in db.CertificateApplications.AsNoTracking()
                          where a.InstitutionId == institution.Id
                          join c in db.TerminalCertificates.AsNoTracking() on a.TerminalCertificateId equals c.Id into issued
                          from c in issued.DefaultIfEmpty()
                          orderby a.SubmittedAt descending, a.Id descending
                          select new CertificateApplicationRow(
                              a.Id, a.TerminalName, a.Status, "", a.SubmittedAt, a.DecidedAt, a.SendBackReason,
                              a.ProtectedPkcs12 != null, a.DownloadedAt, c == null ? null : c.SerialNumber, c == null ? null : (DateTime?)c.NotAfter,
                              a.FileSavedAt, a.ReissueCount))
            .ToListAsync(cancellationToken);
        return OpResult<IReadOnlyList<CertificateApplicationRow>>.Success([.. rows.Select(r => r with { StatusLabel = ApplicationLabels.Status(r.Status) })]);
    }

    /// <summary>The gate's target of a refused look at one 電子証明書発行申請.</summary>
    public const string ReviewOperation = "certificate-application.view";

    /// <summary>One 電子証明書発行申請 with the applicant's e-mail address, for the operator's review screen.</summary>
    public async Task<OpResult<CertificateApplicationReview>> GetForReviewAsync(OperatorActor actor, long applicationId,
        CancellationToken cancellationToken = default)
    {
        if (await decisions.ReviewerAsync(actor, ReviewOperation, cancellationToken) is null)
        {
            return OpResult<CertificateApplicationReview>.Fail(OperatorErrors.NotPermitted);
        }

        var found = await (from x in db.CertificateApplications.AsNoTracking()
                           where x.Id == applicationId
                           join i in db.Institutions.AsNoTracking() on x.InstitutionId equals i.Id
                           join c in db.TerminalCertificates.AsNoTracking() on x.TerminalCertificateId equals c.Id into issued
                           from c in issued.DefaultIfEmpty()
                           join u in db.PortalUsers.AsNoTracking() on x.PortalUserId equals u.Id into applicants
                           from u in applicants.DefaultIfEmpty()
                           select new
                           {
                               x.InstitutionId,
                               Review = new CertificateApplicationReview(x.Id, i.Code, i.Name, x.TerminalName, x.Status, x.SubmittedAt, x.DecidedAt,
                                   x.DecidedBy, x.SendBackReason, u == null ? "" : u.Email, x.ProtectedPkcs12 != null, x.DownloadedAt,
                                   c == null ? null : c.SerialNumber, c == null ? null : (DateTime?)c.NotAfter, 0, x.FileSavedAt, x.ReissueCount),
                           }).FirstOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return OpResult<CertificateApplicationReview>.Fail(ApplicationErrors.NotFound);
        }

        var now = time.GetUtcNow().UtcDateTime;
        // Names compare case-insensitively, as the certificate service does; an institution has few certificates.
        var active = (await db.TerminalCertificates.AsNoTracking()
                .Where(c => c.InstitutionId == found.InstitutionId && c.RevokedAt == null && c.NotAfter > now)
                .Select(c => c.TerminalName).ToListAsync(cancellationToken))
            .Count(n => string.Equals(n, found.Review.TerminalName, StringComparison.OrdinalIgnoreCase));
        return OpResult<CertificateApplicationReview>.Success(found.Review with { ActiveCertificatesOfTerminal = active });
    }

    /// <summary>承認: issues the certificate and keeps its PKCS#12 and passphrase encrypted for the one download.</summary>
    public async Task<OpResult> ApproveAsync(OperatorActor actor, long applicationId, CancellationToken cancellationToken = default)
    {
        var pending = await decisions.PendingAsync(actor, ApplicationAuditActions.CertificateApplicationApprove,
            db.CertificateApplications.Where(a => a.Id == applicationId), cancellationToken);
        if (!pending.Succeeded)
        {
            return OpResult.Fail(pending.Errors);
        }

        var (operatorId, application) = pending.Value!;
        var institution = await db.Institutions.AsNoTracking().FirstAsync(i => i.Id == application.InstitutionId, cancellationToken);
        // The certificate row, its certificate.issue audit row, the application with the protected secrets and the
        // approval's audit row are one transaction: a crash leaves all of them or none.
        var issue = await certificates.IssueAsync(application.InstitutionId, application.TerminalName, operatorId, cancellationToken,
            (row, issued, ct) =>
            {
                application.TerminalCertificateId = row.Id;
                application.ProtectedPkcs12 = protection.ProtectPkcs12(issued.Pkcs12);
                application.ProtectedPassphrase = protection.ProtectPassphrase(issued.Passphrase);
                application.Status = ReviewStatus.Approved;
                application.DecidedAt = time.GetUtcNow().UtcDateTime;
                application.DecidedBy = operatorId;
                audit.Record(new AuditRecord(ApplicationAuditActions.CertificateApplicationApprove, AuditOutcomes.Success)
                {
                    InstitutionId = institution.Id,
                    InstitutionCode = institution.Code,
                    Actor = operatorId,
                    Target = "certificate-application#" + application.Id,
                    CertificateSerial = issued.SerialNumber,
                });
                return Task.CompletedTask;
            });
        if (!issue.Succeeded)
        {
            return OpResult.Fail(issue.Errors);
        }

        issue.Value!.Dispose();
        await mail.CertificateIssuedAsync(application, reissued: false, cancellationToken);
        return OpResult.Ok;
    }

    /// <summary>差戻し with a reason (required, at most 500 characters).</summary>
    public Task<OpResult> SendBackAsync(OperatorActor actor, long applicationId, string? reason, CancellationToken cancellationToken = default) =>
        decisions.SendBackAsync(actor, ApplicationAuditActions.CertificateApplicationSendBack, db.CertificateApplications.Where(a => a.Id == applicationId),
            reason, (application, operatorId, ct) => decisions.InstitutionRecordAsync(ApplicationAuditActions.CertificateApplicationSendBack,
                application.InstitutionId, operatorId, "certificate-application#" + application.Id, ct), cancellationToken);

    /// <summary>
    /// The certificate file and its passphrase, exactly once: the first call takes them and erases both encrypted fields;
    /// any later call gets 「ダウンロード済みです…」.
    /// </summary>
    public async Task<OpResult<CertificateDownload>> DownloadOnceAsync(long portalUserId, long applicationId, CancellationToken cancellationToken = default)
    {
        var application = await db.CertificateApplications.AsNoTracking().FirstOrDefaultAsync(a => a.Id == applicationId, cancellationToken);
        if (application is null)
        {
            return OpResult<CertificateDownload>.Fail(ApplicationErrors.NotFound);
        }

        var institution = await db.Institutions.AsNoTracking().FirstAsync(i => i.Id == application.InstitutionId, cancellationToken);
        if (institution.ContactPortalUserId != portalUserId)
        {
            return await scope.DeniedAsync<CertificateDownload>(portalUserId, institution.Id, "certificate-application#" + application.Id,
                "certificate-application.download", cancellationToken);
        }

        if (application.DownloadedAt is not null)
        {
            return OpResult<CertificateDownload>.Fail(ApplicationErrors.CertificateAlreadyDownloaded);
        }

        if (application.Status != ReviewStatus.Approved || application.ProtectedPkcs12 is null || application.ProtectedPassphrase is null)
        {
            return OpResult<CertificateDownload>.Fail(ApplicationErrors.CertificateNotApproved);
        }

        var now = time.GetUtcNow().UtcDateTime;
        // Claim the download with one conditional UPDATE, so two parallel requests cannot both get the file: the model
        // has no concurrency token on the application. The audit row follows in its own commit.
        var claimed = await db.CertificateApplications
            .Where(a => a.Id == application.Id && a.DownloadedAt == null && a.ProtectedPkcs12 != null)
            .ExecuteUpdateAsync(s => s
                .SetProperty(a => a.DownloadedAt, now)
                .SetProperty(a => a.ProtectedPkcs12, (byte[]?)null)
                .SetProperty(a => a.ProtectedPassphrase, (string?)null), cancellationToken);
        if (claimed != 1)
        {
            return OpResult<CertificateDownload>.Fail(ApplicationErrors.CertificateAlreadyDownloaded);
        }

        var pkcs12 = protection.UnprotectPkcs12(application.ProtectedPkcs12);
        var passphrase = protection.UnprotectPassphrase(application.ProtectedPassphrase);
        var serial = application.TerminalCertificateId is { } certificateId
            ? await db.TerminalCertificates.Where(c => c.Id == certificateId).Select(c => c.SerialNumber).FirstOrDefaultAsync(cancellationToken) ?? ""
            : "";
        audit.Record(new AuditRecord(ApplicationAuditActions.CertificateApplicationDownload, AuditOutcomes.Success)
        {
            InstitutionId = institution.Id,
            InstitutionCode = institution.Code,
            Actor = ApplicationAuditActions.PortalActor(portalUserId),
            Target = "certificate-application#" + application.Id,
            CertificateSerial = serial,
        });
        await audit.CommitAsync(cancellationToken);
        return OpResult<CertificateDownload>.Success(new CertificateDownload(FileName(institution.Code, application.TerminalName), pkcs12, passphrase));
    }

    /// <summary>
    /// 「証明書ファイルを保存」 of the result screen sent the PKCS#12 to the browser: recorded once, so that 申請照会 and the
    /// console can tell a saved certificate from a screen that was left without saving.
    /// </summary>
    public async Task MarkFileSavedAsync(long portalUserId, long applicationId, CancellationToken cancellationToken = default)
    {
        var application = await db.CertificateApplications.AsNoTracking().Where(a => a.Id == applicationId && a.PortalUserId == portalUserId)
            .Select(a => new { a.Id, a.InstitutionId, a.FileSavedAt }).FirstOrDefaultAsync(cancellationToken);
        if (application is null || application.FileSavedAt is not null)
        {
            return;
        }

        var now = time.GetUtcNow().UtcDateTime;
        var code = await db.Institutions.Where(i => i.Id == application.InstitutionId).Select(i => i.Code).FirstAsync(cancellationToken);
        audit.Record(new AuditRecord(ApplicationAuditActions.CertificateApplicationFileSaved, AuditOutcomes.Success)
        {
            InstitutionId = application.InstitutionId,
            InstitutionCode = code,
            Actor = ApplicationAuditActions.PortalActor(portalUserId),
            Target = "certificate-application#" + application.Id,
        });
        await audit.CommitAsync(async ct => await db.CertificateApplications
            .Where(a => a.Id == application.Id && a.FileSavedAt == null && a.DownloadedAt != null)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.FileSavedAt, now), ct) == 1, cancellationToken);
    }

    /// <summary>
    /// 電子証明書の再発行 by the operator (<see cref="OperatorCapability.CertificateReissue"/>) for an approved application
    /// whose one download was used: revokes the application's certificate, issues a new one for the same institution and
    /// terminal (no new review) and keeps it encrypted for one more download by the applicant, who is told by mail;
    /// audited (<c>certificate.revoke</c>, <c>certificate.issue</c>, <c>certificate-application.reissue</c>). The revocation
    /// commits first: if the issue then fails, the application can be re-issued again.
    /// </summary>
    public async Task<OpResult> ReissueAsync(OperatorActor actor, long applicationId, CancellationToken cancellationToken = default)
    {
        var op = await gate.CheckAsync(actor, OperatorCapability.CertificateReissue, ApplicationAuditActions.CertificateApplicationReissue, cancellationToken);
        if (op is null)
        {
            return OpResult.Fail(OperatorErrors.NotPermitted);
        }

        var operatorId = OperatorAudit.Actor(op.UserId);
        var application = await db.CertificateApplications.FirstOrDefaultAsync(a => a.Id == applicationId, cancellationToken);
        if (application is null)
        {
            return OpResult.Fail(ApplicationErrors.NotFound);
        }

        if (application.Status != ReviewStatus.Approved || application.TerminalCertificateId is not { } oldId)
        {
            return OpResult.Fail(ApplicationErrors.CertificateReissueNotIssued);
        }

        if (application.ProtectedPkcs12 is not null)
        {
            return OpResult.Fail(ApplicationErrors.CertificateReissueWaiting);
        }

        var old = await db.TerminalCertificates.AsNoTracking().FirstAsync(c => c.Id == oldId, cancellationToken);
        if (old.RevokedAt is null)
        {
            var revoked = await certificates.RevokeAsync(old.SerialNumber, operatorId, cancellationToken);
            if (!revoked.Succeeded)
            {
                return revoked;
            }
        }

        var institution = await db.Institutions.AsNoTracking().FirstAsync(i => i.Id == application.InstitutionId, cancellationToken);
        var issue = await certificates.IssueAsync(application.InstitutionId, application.TerminalName, operatorId, cancellationToken,
            (row, issued, ct) =>
            {
                application.TerminalCertificateId = row.Id;
                application.ProtectedPkcs12 = protection.ProtectPkcs12(issued.Pkcs12);
                application.ProtectedPassphrase = protection.ProtectPassphrase(issued.Passphrase);
                application.DownloadedAt = null;
                application.FileSavedAt = null;
                application.ReissueCount++;
                audit.Record(new AuditRecord(ApplicationAuditActions.CertificateApplicationReissue, AuditOutcomes.Success)
                {
                    InstitutionId = institution.Id,
                    InstitutionCode = institution.Code,
                    Actor = operatorId,
                    Target = "certificate-application#" + application.Id,
                    Detail = "replaces:" + old.SerialNumber,
                    CertificateSerial = issued.SerialNumber,
                });
                return Task.CompletedTask;
            });
        if (!issue.Succeeded)
        {
            return OpResult.Fail(issue.Errors);
        }

        issue.Value!.Dispose();
        await mail.CertificateIssuedAsync(application, reissued: true, cancellationToken);
        return OpResult.Ok;
    }

    /// <summary>The PKCS#12 file's name: 医療機関等コード_端末名.p12.</summary>
    public static string FileName(string institutionCode, string terminalName) => institutionCode + "_" + terminalName + ".p12";
}
