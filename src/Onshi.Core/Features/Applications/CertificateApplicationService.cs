using Microsoft.EntityFrameworkCore;

using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Certificates;

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
    DateTime? NotAfter);

/// <summary>The one-time download: the PKCS#12 file and the passphrase that opens it.</summary>
public sealed record CertificateDownload(string FileName, byte[] Pkcs12, string Passphrase)
{
    /// <summary>Prints neither the file nor the passphrase.</summary>
    public override string ToString() => $"{nameof(CertificateDownload)} {{ FileName = {FileName} }}";
}

/// <summary>
/// 電子証明書発行申請 with 申請照会 (SPEC §6, §8). On 承認 the certificate is issued and its PKCS#12 and passphrase wait,
/// encrypted with Data Protection, for exactly one download by the institution's contact; the download erases both.
/// </summary>
public sealed class CertificateApplicationService(
    OnshiDbContext db,
    TerminalCertificateService certificates,
    PortalScope scope,
    ApplicationProtection protection,
    AuditLog audit,
    TimeProvider time)
{
    /// <summary>Applies for a certificate for one terminal of the institution. The value is the application's id.</summary>
    public async Task<OpResult<long>> SubmitAsync(long portalUserId, long institutionId, string? terminalName, CancellationToken cancellationToken = default)
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
        await audit.CommitAsync(cancellationToken);
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
                              a.ProtectedPkcs12 != null, a.DownloadedAt, c == null ? null : c.SerialNumber, c == null ? null : (DateTime?)c.NotAfter))
            .ToListAsync(cancellationToken);
        return OpResult<IReadOnlyList<CertificateApplicationRow>>.Success([.. rows.Select(r => r with { StatusLabel = ApplicationLabels.Status(r.Status) })]);
    }

    /// <summary>承認: issues the certificate and keeps its PKCS#12 and passphrase encrypted for the one download.</summary>
    public async Task<OpResult> ApproveAsync(long applicationId, string operatorId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operatorId);
        var application = await db.CertificateApplications.FirstOrDefaultAsync(a => a.Id == applicationId, cancellationToken);
        if (application is null)
        {
            return OpResult.Fail(ApplicationErrors.NotFound);
        }

        if (application.Status != ReviewStatus.Pending)
        {
            return OpResult.Fail(ApplicationErrors.AlreadyDecided);
        }

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
        return OpResult.Ok;
    }

    /// <summary>差戻し with a reason (required, at most 500 characters).</summary>
    public async Task<OpResult> SendBackAsync(long applicationId, string operatorId, string? reason, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operatorId);
        if (InputRules.Reason(reason, out var trimmed) is { } reasonError)
        {
            return OpResult.Fail(reasonError);
        }

        var application = await db.CertificateApplications.FirstOrDefaultAsync(a => a.Id == applicationId, cancellationToken);
        if (application is null)
        {
            return OpResult.Fail(ApplicationErrors.NotFound);
        }

        if (application.Status != ReviewStatus.Pending)
        {
            return OpResult.Fail(ApplicationErrors.AlreadyDecided);
        }

        var code = await db.Institutions.Where(i => i.Id == application.InstitutionId).Select(i => i.Code).FirstAsync(cancellationToken);
        application.Status = ReviewStatus.SentBack;
        application.SendBackReason = trimmed;
        application.DecidedAt = time.GetUtcNow().UtcDateTime;
        application.DecidedBy = operatorId;
        audit.Record(new AuditRecord(ApplicationAuditActions.CertificateApplicationSendBack, AuditOutcomes.Success)
        {
            InstitutionId = application.InstitutionId,
            InstitutionCode = code,
            Actor = operatorId,
            Target = "certificate-application#" + application.Id,
        });
        await audit.CommitAsync(cancellationToken);
        return OpResult.Ok;
    }

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

    /// <summary>The PKCS#12 file's name: 医療機関等コード_端末名.p12.</summary>
    public static string FileName(string institutionCode, string terminalName) => institutionCode + "_" + terminalName + ".p12";
}
