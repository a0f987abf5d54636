using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Caching;

namespace Onshi.Core.Features.Certificates;

/// <summary>
/// Issues, revokes, lists and checks terminal certificates against the system of record (SPEC §8). Scoped.
/// </summary>
/// <remarks>
/// One valid certificate per terminal: a second one is refused while the current one has more than
/// <see cref="CertificateExpiry.WarningWindowDays"/> days left. Inside that window a renewal is issued with a fresh
/// 3年3か月 from the renewal day, and the previous certificate stays valid until its own expiry so the terminal can
/// switch over. Terminal names are compared case-insensitively. Issuing writes the certificate row and its
/// <c>certificate.issue</c> audit row in one transaction (with the caller's own changes, if any); revocation is audited
/// by the caller. This service logs ids and serials only, never key material.
/// </remarks>
public sealed class TerminalCertificateService(
    OnshiDbContext db,
    CertificateAuthority authority,
    Audit.AuditLog audit,
    TimeProvider time,
    ILogger<TerminalCertificateService> logger,
    AuthenticationCache cache)
{
    /// <summary>Maximum length of a terminal name (the column's length).</summary>
    public const int TerminalNameMaxLength = 32;

    /// <summary>
    /// The certificate row with its institution by SHA-256 thumbprint: read on every request of the OQS the cache does not
    /// serve, so compiled once per model (<see cref="CompiledQuery{TQuery}"/>) instead of translated and looked up in EF Core's query cache each time.
    /// </summary>
    private static readonly CompiledQuery<Func<OnshiDbContext, string, CancellationToken, Task<TerminalCertificate?>>> ByThumbprint = new(() =>
        EF.CompileAsyncQuery((OnshiDbContext db, string thumbprint, CancellationToken ct) => db.TerminalCertificates.AsNoTracking()
            .Include(x => x.Institution)
            .FirstOrDefault(x => x.Thumbprint == thumbprint)));

    /// <summary>
    /// Issues a certificate for terminal <paramref name="terminalName"/> of institution <paramref name="institutionId"/>
    /// and records it (public certificate only). The result carries the PKCS#12, its passphrase and the private key:
    /// hand them out once and do not keep them.
    /// </summary>
    /// <param name="institutionId">The institution.</param>
    /// <param name="terminalName">The terminal's name.</param>
    /// <param name="issuedBy">The actor (operator id, <c>cli</c>, <c>demo</c>).</param>
    /// <param name="cancellationToken">Cancels.</param>
    /// <param name="inSameTransaction">
    /// The caller's own changes, run inside the transaction after the certificate row is saved (so its id is known)
    /// and committed with it and the audit rows: a crash leaves all of them or none.
    /// </param>
    public async Task<OpResult<IssuedTerminalCertificate>> IssueAsync(long institutionId, string terminalName, string issuedBy, CancellationToken cancellationToken,
        Func<TerminalCertificate, IssuedTerminalCertificate, CancellationToken, Task>? inSameTransaction = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(issuedBy);

        terminalName = terminalName?.Trim() ?? "";
        if (ValidateTerminalName(terminalName) is { } nameError)
        {
            return OpResult<IssuedTerminalCertificate>.Fail(nameError);
        }

        Institution? institution = await db.Institutions.AsNoTracking()
            .FirstOrDefaultAsync(x => x.Id == institutionId, cancellationToken);
        if (institution is null)
        {
            return OpResult<IssuedTerminalCertificate>.Fail(CertificateMessages.InstitutionNotFound);
        }

        DateTime now = time.GetUtcNow().UtcDateTime;
        // An institution has a handful of live certificates; comparing names in memory keeps the rule
        // (case-insensitive) identical on every database provider.
        List<TerminalCertificate> live = await db.TerminalCertificates.AsNoTracking()
            .Where(x => x.InstitutionId == institutionId && x.RevokedAt == null && x.NotAfter > now)
            .ToListAsync(cancellationToken);
        TerminalCertificate? current = live
            .Where(x => string.Equals(x.TerminalName, terminalName, StringComparison.OrdinalIgnoreCase))
            .MaxBy(x => x.NotAfter);
        if (current is not null && CertificateExpiry.DaysRemaining(current.NotAfter, now) > CertificateExpiry.WarningWindowDays)
        {
            DateOnly expiresOn = JapanTime.DateOf(current.NotAfter);
            return OpResult<IssuedTerminalCertificate>.Fail(
                CertificateMessages.AlreadyIssued(expiresOn, expiresOn.AddDays(-CertificateExpiry.WarningWindowDays)));
        }

        IssuedTerminalCertificate issued = authority.IssueTerminalCertificate(institution.Code, institution.Name, terminalName);
        try
        {
            var row = new TerminalCertificate
            {
                InstitutionId = institution.Id,
                TerminalName = terminalName,
                SerialNumber = issued.SerialNumber,
                Thumbprint = issued.Thumbprint,
                CertificatePem = issued.CertificatePem,
                NotBefore = issued.Certificate.NotBefore.ToUniversalTime(),
                NotAfter = issued.Certificate.NotAfter.ToUniversalTime(),
                IssuedAt = now,
                IssuedBy = issuedBy,
            };
            db.TerminalCertificates.Add(row);
            audit.Record(new Audit.AuditRecord(Audit.AuditActions.CertificateIssue, Audit.AuditOutcomes.Success)
            {
                InstitutionId = institution.Id,
                InstitutionCode = institution.Code,
                Actor = issuedBy,
                Target = terminalName,
                CertificateSerial = issued.SerialNumber,
            });
            await audit.CommitAsync(async ct =>
            {
                if (inSameTransaction is not null)
                {
                    await db.SaveChangesAsync(ct);
                    await inSameTransaction(row, issued, ct);
                }

                return true;
            }, cancellationToken);
        }
        catch
        {
            issued.Dispose();
            throw;
        }

        Log.TerminalCertificateIssued(logger, issued.SerialNumber, institution.Id, terminalName, issuedBy);
        if (current is not null)
        {
            Log.TerminalCertificateRenewed(logger, issued.SerialNumber, current.SerialNumber);
        }

        return OpResult<IssuedTerminalCertificate>.Success(issued);
    }

    /// <summary>
    /// Revokes the certificate with serial <paramref name="serialNumber"/> (hex, any case, colons and spaces ignored).
    /// Takes effect on the terminal's next request: the commit drops the cached row in every instance (at once in this process,
    /// within a second elsewhere; docs/security.md).
    /// The revocation and its <c>certificate.revoke</c> audit row are one commit.
    /// </summary>
    public async Task<OpResult> RevokeAsync(string serialNumber, string revokedBy, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(revokedBy);

        string serial = NormalizeSerialNumber(serialNumber);
        TerminalCertificate? row = serial.Length == 0
            ? null
            : await db.TerminalCertificates.FirstOrDefaultAsync(x => x.SerialNumber == serial, cancellationToken);
        if (row is null)
        {
            return OpResult.Fail(CertificateMessages.CertificateNotFound);
        }

        if (row.RevokedAt is not null)
        {
            return OpResult.Fail(CertificateMessages.AlreadyRevoked);
        }

        row.RevokedAt = time.GetUtcNow().UtcDateTime;
        row.RevokedBy = revokedBy;
        var code = await db.Institutions.Where(i => i.Id == row.InstitutionId).Select(i => i.Code).FirstOrDefaultAsync(cancellationToken) ?? "";
        audit.Record(new Audit.AuditRecord(Audit.AuditActions.CertificateRevoke, Audit.AuditOutcomes.Success)
        {
            InstitutionId = row.InstitutionId,
            InstitutionCode = code,
            Actor = revokedBy,
            Target = row.TerminalName,
            CertificateSerial = row.SerialNumber,
        });
        await audit.CommitAsync(cancellationToken);
        Log.TerminalCertificateRevoked(logger, row.SerialNumber, revokedBy);
        return OpResult.Ok;
    }

    /// <summary>
    /// The certificates of one institution, or of all when <paramref name="institutionId"/> is null (operators only;
    /// the caller enforces that), with their institution, newest first. Untracked.
    /// </summary>
    public async Task<IReadOnlyList<TerminalCertificate>> ListAsync(long? institutionId, CancellationToken cancellationToken)
    {
        IQueryable<TerminalCertificate> query = db.TerminalCertificates.AsNoTracking().Include(x => x.Institution);
        if (institutionId is { } id)
        {
            query = query.Where(x => x.InstitutionId == id);
        }

        return await query
            .OrderBy(x => x.InstitutionId)
            .ThenBy(x => x.TerminalName)
            .ThenByDescending(x => x.NotAfter)
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Checks a presented client certificate: chain to our CA, validity and usage (<see cref="CertificateValidator"/>),
    /// then one indexed lookup by SHA-256 thumbprint. A certificate our CA signed but the database does not know is
    /// <see cref="CertificateCheckStatus.Unknown"/>; a revoked one is <see cref="CertificateCheckStatus.Revoked"/>.
    /// </summary>
    public async Task<CertificateCheck> CheckAsync(X509Certificate2? presented, CancellationToken cancellationToken)
    {
        DateTime now = time.GetUtcNow().UtcDateTime;
        CertificateValidationStatus validation = CertificateValidator.Validate(presented, authority.Certificate, now);
        if (validation != CertificateValidationStatus.Valid)
        {
            CertificateCheck failed = CertificateCheck.From(validation);
            if (presented is not null)
            {
                Log.CertificateRejected(logger, failed.Status, presented.GetCertHashString(HashAlgorithmName.SHA256));
            }

            return failed;
        }

        string thumbprint = presented!.GetCertHashString(HashAlgorithmName.SHA256);
        TerminalCertificate? row = await FindAsync(thumbprint, cancellationToken);

        CertificateCheck check = row switch
        {
            null => new CertificateCheck(CertificateCheckStatus.Unknown),
            { RevokedAt: not null } => new CertificateCheck(CertificateCheckStatus.Revoked, row, row.Institution),
            _ => new CertificateCheck(CertificateCheckStatus.Valid, row, row.Institution),
        };
        if (!check.IsValid)
        {
            Log.CertificateRejected(logger, check.Status, thumbprint);
        }

        return check;
    }

    /// <summary>
    /// The certificate row (with its institution) by thumbprint: from the <see cref="AuthenticationCache"/> while it serves
    /// (dropped by any change to the row or the institution), else from the database. Only a recorded, unrevoked row is
    /// cached; each call gets its own copy.
    /// </summary>
    private async Task<TerminalCertificate?> FindAsync(string thumbprint, CancellationToken cancellationToken)
    {
        string cacheKey = "certificate|" + thumbprint;
        if (cache.TryGet<CachedCertificate>(cacheKey, out var cached))
        {
            return cached!.Copy();
        }

        long generation = cache.Generation;
        TerminalCertificate? row = await ByThumbprint.For(db)(db, thumbprint, cancellationToken);
        if (row is { RevokedAt: null, Institution: not null })
        {
            cache.Set(cacheKey, new CachedCertificate(row), [CacheKeys.Certificate(row.Thumbprint), CacheKeys.Institution(row.InstitutionId)], generation);
            return new CachedCertificate(row).Copy();
        }

        return row;
    }

    /// <summary>A certificate row and its institution as read (never handed out: <see cref="Copy"/> makes each caller's own).</summary>
    private sealed class CachedCertificate(TerminalCertificate row)
    {
        private readonly TerminalCertificate certificate = Clone(row, row.Institution!);

        public TerminalCertificate Copy() => Clone(certificate, certificate.Institution!);

        private static TerminalCertificate Clone(TerminalCertificate c, Institution i) => new()
        {
            Id = c.Id,
            InstitutionId = c.InstitutionId,
            Institution = new Institution
            {
                Id = i.Id,
                Code = i.Code,
                Name = i.Name,
                Address = i.Address,
                Phone = i.Phone,
                ContactPortalUserId = i.ContactPortalUserId,
                CreatedAt = i.CreatedAt,
            },
            TerminalName = c.TerminalName,
            SerialNumber = c.SerialNumber,
            Thumbprint = c.Thumbprint,
            CertificatePem = c.CertificatePem,
            NotBefore = c.NotBefore,
            NotAfter = c.NotAfter,
            IssuedAt = c.IssuedAt,
            IssuedBy = c.IssuedBy,
            RevokedAt = c.RevokedAt,
            RevokedBy = c.RevokedBy,
        };
    }

    /// <summary>Terminal name rule: 1–32 characters of A–Z, a–z, 0–9, "_" and "-".</summary>
    internal static OnshiError? ValidateTerminalName(string? terminalName)
    {
        if (string.IsNullOrWhiteSpace(terminalName))
        {
            return CertificateMessages.TerminalNameRequired;
        }

        if (terminalName.Length > TerminalNameMaxLength)
        {
            return CertificateMessages.TerminalNameTooLong;
        }

        foreach (char c in terminalName)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '_' and not '-')
            {
                return CertificateMessages.TerminalNameInvalid;
            }
        }

        return null;
    }

    private static string NormalizeSerialNumber(string? serialNumber)
    {
        if (string.IsNullOrWhiteSpace(serialNumber))
        {
            return "";
        }

        string compact = serialNumber.Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).Trim();
        return compact.Length <= 64 && compact.All(char.IsAsciiHexDigit) ? compact.ToUpperInvariant() : "";
    }
}
