using Microsoft.EntityFrameworkCore;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;

namespace Onshi.Core.Features.Operators;

/// <summary>
/// The services' own check of <see cref="OperatorPermissions"/> (the pages check first through their policies): reads
/// the operator fresh, and audits a refusal as <see cref="OperatorAuditActions.AccessDenied"/>.
/// </summary>
public sealed class OperatorGate(OnshiDbContext db, AuditLog audit)
{
    /// <summary>The enabled operator if its role allows <paramref name="capability"/>; null (refusal audited) otherwise.</summary>
    public async Task<OperatorAccount?> CheckAsync(OperatorActor actor, OperatorCapability capability, string target,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var op = await db.OperatorAccounts.AsNoTracking().FirstOrDefaultAsync(o => o.Id == actor.OperatorId, cancellationToken);
        if (op is { Disabled: false } && OperatorPermissions.Allows(op.Role, capability))
        {
            return op;
        }

        var name = op is null ? "(unknown)" : OperatorAudit.Actor(op.UserId);
        audit.Record(new AuditRecord(OperatorAuditActions.AccessDenied, AuditOutcomes.Denied)
        {
            Actor = name,
            Target = target,
            Detail = capability.ToString(),
            ClientAddress = actor.ClientAddress,
        });
        await audit.CommitAsync(cancellationToken);
        return null;
    }

    /// <summary>Audits a page the operator's role may not open.</summary>
    public async Task RecordPageDeniedAsync(OperatorPrincipal principal, string path, string clientAddress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(principal);
        audit.Record(new AuditRecord(OperatorAuditActions.AccessDenied, AuditOutcomes.Denied)
        {
            Actor = OperatorAudit.Actor(principal.UserId),
            Target = path,
            Detail = "page",
            ClientAddress = clientAddress,
        });
        await audit.CommitAsync(cancellationToken);
    }
}
