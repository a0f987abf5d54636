using Microsoft.EntityFrameworkCore;

using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;

namespace Onshi.Core.Features.Applications;

/// <summary>An environment of the institution with its registered 運用開始日 (null while none is registered).</summary>
public sealed record OperationStartRow(OqsEnvironment Environment, string EnvironmentLabel, DateOnly? StartDate, DateTime? RegisteredAt);

/// <summary>
/// 運用開始日登録 (SPEC §6): the day an institution starts using the system, per environment. Only for an environment
/// whose 利用申請 was approved (it has a master account there), by the institution's contact. The date may lie at
/// most 1 year in the past (a late registration) and at most 2 years ahead. Registering again replaces the date.
/// </summary>
public sealed class OperationStartService(OnshiDbContext db, PortalScope scope, AuditLog audit, TimeProvider time)
{
    /// <summary>Registers (or replaces) the 運用開始日 of <paramref name="environment"/>.</summary>
    public async Task<OpResult<OperationStartRow>> RegisterAsync(long portalUserId, long institutionId, OqsEnvironment environment, DateOnly startDate,
        CancellationToken cancellationToken = default)
    {
        var institution = await scope.OwnInstitutionAsync(portalUserId, institutionId, "operation-start.register", cancellationToken);
        if (institution is null)
        {
            return OpResult<OperationStartRow>.Fail(ApplicationErrors.NotFound);
        }

        if (!Enum.IsDefined(environment)
            || !await db.Accounts.AnyAsync(a => a.InstitutionId == institution.Id && a.Environment == environment && a.Kind == AccountKind.Master, cancellationToken))
        {
            return OpResult<OperationStartRow>.Fail(ApplicationErrors.EnvironmentNotApproved);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var today = ApplicationLabels.JapanDate(now);
        var earliest = today.AddYears(-1);
        var latest = today.AddYears(2);
        if (startDate < earliest || startDate > latest)
        {
            return OpResult<OperationStartRow>.Fail(ApplicationErrors.StartDateOutOfRange(earliest, latest));
        }

        var registration = await db.OperationStartRegistrations
            .Where(r => r.InstitutionId == institution.Id && r.Environment == environment)
            .OrderByDescending(r => r.Id)
            .FirstOrDefaultAsync(cancellationToken);
        var detail = registration is null ? "new" : "update";
        if (registration is null)
        {
            registration = new OperationStartRegistration { InstitutionId = institution.Id, Environment = environment };
            db.OperationStartRegistrations.Add(registration);
        }

        registration.StartDate = startDate;
        registration.PortalUserId = portalUserId;
        registration.RegisteredAt = now;
        audit.Record(new AuditRecord(ApplicationAuditActions.OperationStartRegister, AuditOutcomes.Success)
        {
            Environment = environment,
            InstitutionId = institution.Id,
            InstitutionCode = institution.Code,
            Actor = ApplicationAuditActions.PortalActor(portalUserId),
            Target = institution.Code,
            Detail = detail,
        });
        await audit.CommitAsync(cancellationToken);
        return OpResult<OperationStartRow>.Success(new OperationStartRow(environment, ApplicationLabels.Environment(environment), startDate, now));
    }

    /// <summary>Each environment the institution has, with its 運用開始日.</summary>
    public async Task<OpResult<IReadOnlyList<OperationStartRow>>> ListAsync(long portalUserId, long institutionId, CancellationToken cancellationToken = default)
    {
        var institution = await scope.OwnInstitutionAsync(portalUserId, institutionId, "operation-start.list", cancellationToken);
        if (institution is null)
        {
            return OpResult<IReadOnlyList<OperationStartRow>>.Fail(ApplicationErrors.NotFound);
        }

        var environments = await db.Accounts.AsNoTracking()
            .Where(a => a.InstitutionId == institution.Id && a.Kind == AccountKind.Master)
            .Select(a => a.Environment).Distinct().ToListAsync(cancellationToken);
        var registrations = await db.OperationStartRegistrations.AsNoTracking()
            .Where(r => r.InstitutionId == institution.Id)
            .ToListAsync(cancellationToken);
        IReadOnlyList<OperationStartRow> rows =
        [
            .. environments.Order().Select(e =>
            {
                var r = registrations.Where(x => x.Environment == e).MaxBy(x => x.Id);
                return new OperationStartRow(e, ApplicationLabels.Environment(e), r?.StartDate, r?.RegisteredAt);
            }),
        ];
        return OpResult<IReadOnlyList<OperationStartRow>>.Success(rows);
    }
}
