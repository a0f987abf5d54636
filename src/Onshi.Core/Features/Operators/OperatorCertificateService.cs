using Microsoft.EntityFrameworkCore;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Certificates;

namespace Onshi.Core.Features.Operators;

/// <summary>A terminal certificate as the console lists it.</summary>
public sealed record OperatorCertificateRow(long Id, string InstitutionCode, string InstitutionName, string TerminalName, string SerialNumber,
    DateTime NotAfter, DateTime IssuedAt, DateTime? RevokedAt, string? RevokedBy)
{
    public bool IsRevoked => RevokedAt is not null;
}

/// <summary>
/// 端末証明書 in the operator console: every institution's certificates, and 「失効」. A revocation is written with its
/// <c>certificate.revoke</c> audit row in one commit and takes effect on the terminal's next OQS request, because
/// <see cref="TerminalCertificateService.CheckAsync"/> reads the database every time.
/// </summary>
public sealed class OperatorCertificateService(OnshiDbContext db, OperatorGate gate, AuditLog audit, TimeProvider time)
{
    /// <summary>Certificates, optionally of institutions whose 医療機関等コード starts with <paramref name="institutionCode"/>.</summary>
    public async Task<OpResult<IReadOnlyList<OperatorCertificateRow>>> ListAsync(OperatorActor actor, string? institutionCode,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (await gate.CheckAsync(actor, OperatorCapability.Certificates, "certificates", cancellationToken) is null)
        {
            return OpResult<IReadOnlyList<OperatorCertificateRow>>.Fail(OperatorErrors.NotPermitted);
        }

        var code = (institutionCode ?? "").Trim();
        if (code.Length > 10 || !code.All(char.IsAsciiDigit))
        {
            return OpResult<IReadOnlyList<OperatorCertificateRow>>.Fail(CallCenterDesk.DeskErrors.CodeFilterInvalid);
        }

        var query = db.TerminalCertificates.AsNoTracking();
        if (code.Length > 0)
        {
            var (from, to) = Onshi.Core.Features.Institutions.InstitutionCode.PrefixRange(code);
#pragma warning disable CA1309 // translated to SQL (Code >= @from AND Code < @to); digits compare alike in every collation
            query = to is null
                ? query.Where(c => string.Compare(c.Institution!.Code, from) >= 0)
                : query.Where(c => string.Compare(c.Institution!.Code, from) >= 0 && string.Compare(c.Institution!.Code, to) < 0);
#pragma warning restore CA1309
        }

        var rows = await query
            .OrderBy(c => c.Institution!.Code).ThenBy(c => c.TerminalName).ThenByDescending(c => c.NotAfter)
            .Take(500)
            .Select(c => new OperatorCertificateRow(c.Id, c.Institution!.Code, c.Institution.Name, c.TerminalName, c.SerialNumber,
                c.NotAfter, c.IssuedAt, c.RevokedAt, c.RevokedBy))
            .ToListAsync(cancellationToken);
        return OpResult<IReadOnlyList<OperatorCertificateRow>>.Success(rows);
    }

    /// <summary>One certificate (for the confirmation), or null.</summary>
    public async Task<OperatorCertificateRow?> FindAsync(OperatorActor actor, long id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (await gate.CheckAsync(actor, OperatorCapability.Certificates, "certificates", cancellationToken) is null)
        {
            return null;
        }

        return await db.TerminalCertificates.AsNoTracking().Where(c => c.Id == id)
            .Select(c => new OperatorCertificateRow(c.Id, c.Institution!.Code, c.Institution.Name, c.TerminalName, c.SerialNumber,
                c.NotAfter, c.IssuedAt, c.RevokedAt, c.RevokedBy))
            .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>「失効」: revokes certificate <paramref name="id"/>, audited as <c>certificate.revoke</c> in the same commit.</summary>
    public async Task<OpResult<OperatorCertificateRow>> RevokeAsync(OperatorActor actor, long id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var op = await gate.CheckAsync(actor, OperatorCapability.Certificates, "certificate.revoke", cancellationToken);
        if (op is null)
        {
            return OpResult<OperatorCertificateRow>.Fail(OperatorErrors.NotPermitted);
        }

        var row = await db.TerminalCertificates.Include(c => c.Institution).FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (row is null)
        {
            return OpResult<OperatorCertificateRow>.Fail(CertificateMessages.CertificateNotFound);
        }

        if (row.RevokedAt is not null)
        {
            return OpResult<OperatorCertificateRow>.Fail(CertificateMessages.AlreadyRevoked);
        }

        var actorName = OperatorAudit.Actor(op.UserId);
        row.RevokedAt = time.GetUtcNow().UtcDateTime;
        row.RevokedBy = actorName.Length > 32 ? actorName[..32] : actorName;
        audit.Record(new AuditRecord(AuditActions.CertificateRevoke, AuditOutcomes.Success)
        {
            InstitutionId = row.InstitutionId,
            InstitutionCode = row.Institution!.Code,
            Actor = actorName,
            Target = row.TerminalName,
            CertificateSerial = row.SerialNumber,
            ClientAddress = actor.ClientAddress,
        });
        try
        {
            await audit.CommitAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return OpResult<OperatorCertificateRow>.Fail(OperatorErrors.Conflict);
        }

        return OpResult<OperatorCertificateRow>.Success(new OperatorCertificateRow(row.Id, row.Institution.Code, row.Institution.Name,
            row.TerminalName, row.SerialNumber, row.NotAfter, row.IssuedAt, row.RevokedAt, row.RevokedBy));
    }
}
