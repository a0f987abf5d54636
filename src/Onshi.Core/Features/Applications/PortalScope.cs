using Microsoft.EntityFrameworkCore;

using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;

namespace Onshi.Core.Features.Applications;

/// <summary>
/// The portal's tenancy rule in one place. Institution-scoped things (documents, 運用開始日, certificate and subsidy
/// applications) belong to whoever is the institution's registered contact (<see cref="Institution.ContactPortalUserId"/>);
/// a 利用開始・変更申請 belongs to the portal user who submitted it. Anything else is answered like a missing item, and
/// the attempt is audited as denied under the owner's institution.
/// </summary>
public sealed class PortalScope(OnshiDbContext db, AuditLog audit)
{
    /// <summary>The ids of the institutions whose contact is <paramref name="portalUserId"/>.</summary>
    public IQueryable<long> InstitutionIds(long portalUserId) =>
        db.Institutions.Where(i => i.ContactPortalUserId == portalUserId).Select(i => i.Id);

    /// <summary>The institution if <paramref name="portalUserId"/> is its contact; otherwise null (denial audited if it exists).</summary>
    public async Task<Institution?> OwnInstitutionAsync(long portalUserId, long institutionId, string operation, CancellationToken cancellationToken)
    {
        var institution = await db.Institutions.FirstOrDefaultAsync(i => i.Id == institutionId, cancellationToken);
        if (institution is null)
        {
            return null;
        }

        if (institution.ContactPortalUserId != portalUserId)
        {
            await DenyAsync(portalUserId, institution.Id, institution.Code, "institution#" + institution.Id, operation, cancellationToken);
            return null;
        }

        return institution;
    }

    public async Task<bool> PortalUserExistsAsync(long portalUserId, CancellationToken cancellationToken) =>
        await db.PortalUsers.AnyAsync(u => u.Id == portalUserId, cancellationToken);

    /// <summary>Writes the denied row of a cross-user attempt (under the owner's institution, so its owner can see it).</summary>
    public async Task DenyAsync(long portalUserId, long? institutionId, string institutionCode, string target, string operation, CancellationToken cancellationToken)
    {
        audit.Record(new AuditRecord(AuditActions.AccessDenied, AuditOutcomes.Denied)
        {
            InstitutionId = institutionId,
            InstitutionCode = institutionCode,
            Actor = ApplicationAuditActions.PortalActor(portalUserId),
            Target = target,
            Detail = operation,
        });
        await audit.CommitAsync(cancellationToken);
    }

    public async Task<OpResult<T>> DeniedAsync<T>(long portalUserId, long? institutionId, string target, string operation, CancellationToken cancellationToken)
    {
        var code = institutionId is { } id
            ? await db.Institutions.Where(i => i.Id == id).Select(i => i.Code).FirstOrDefaultAsync(cancellationToken) ?? ""
            : "";
        await DenyAsync(portalUserId, institutionId, code, target, operation, cancellationToken);
        return OpResult<T>.Fail(ApplicationErrors.NotFound);
    }
}
