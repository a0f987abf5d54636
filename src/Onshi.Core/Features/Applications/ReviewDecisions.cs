using Microsoft.EntityFrameworkCore;

using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Operators;

namespace Onshi.Core.Features.Applications;

/// <summary>The decision's fields of a 利用開始・変更申請, 電子証明書発行申請 and 補助金申請.</summary>
public interface IReviewedApplication
{
    long Id { get; }

    /// <summary>The portal user who applied (the decision mails go to its address).</summary>
    long PortalUserId { get; }

    ReviewStatus Status { get; set; }

    DateTime? DecidedAt { get; set; }

    /// <summary>The reviewer's audit actor (<c>op:</c> + user ID).</summary>
    string? DecidedBy { get; set; }

    /// <summary>差戻し理由.</summary>
    string? SendBackReason { get; set; }
}

/// <summary>A 申請中 application and the audit actor of the operator deciding it.</summary>
public sealed record PendingReview<T>(string Reviewer, T Application);

/// <summary>
/// What the operator's reads and decisions of the three kinds of application share. Each asks <see cref="OperatorGate"/>
/// for <see cref="OperatorCapability.ReviewQueues"/> before anything else, as the call-center desk does, whatever the
/// page's policy already said: a role without it or a disabled operator gets <see cref="OperatorErrors.NotPermitted"/>,
/// nothing changes, and the refusal is audited <c>operator.access.denied</c> with the operation as its target. The audit
/// actor of what follows is the gate's operator (<c>op:</c> + user ID), never a name the caller passes.
/// </summary>
public sealed class ReviewDecisions(OnshiDbContext db, OperatorGate gate, AuditLog audit, ApplicationMail mail, TimeProvider time)
{
    /// <summary>The gate's target of a refused look at the queue.</summary>
    public const string QueueOperation = "review.queue";

    /// <summary>The audit actor of the operator if it may review; null (the refusal audited) otherwise.</summary>
    public async Task<string?> ReviewerAsync(OperatorActor actor, string operation, CancellationToken cancellationToken) =>
        await gate.CheckAsync(actor, OperatorCapability.ReviewQueues, operation, cancellationToken) is { } op ? OperatorAudit.Actor(op.UserId) : null;

    /// <summary>
    /// The reviewer and the one application of <paramref name="application"/> (a query by id, tracked) if it is still
    /// 申請中; otherwise not permitted, 「見つかりません」 or 「既に承認または差戻し」.
    /// </summary>
    public async Task<OpResult<PendingReview<T>>> PendingAsync<T>(OperatorActor actor, string operation, IQueryable<T> application,
        CancellationToken cancellationToken)
        where T : class, IReviewedApplication
    {
        var reviewer = await ReviewerAsync(actor, operation, cancellationToken);
        return reviewer is null
            ? OpResult<PendingReview<T>>.Fail(OperatorErrors.NotPermitted)
            : await PendingAsync(reviewer, application, cancellationToken);
    }

    /// <summary>
    /// 差戻し with a reason the applicant sees (required, at most 500 characters; checked before the application is
    /// read): the application becomes 差戻し with the reason, the time and the reviewer; <paramref name="sentBack"/> clears
    /// what is the kind's own and gives its audit row (from the application and the reviewer); one commit.
    /// </summary>
    public async Task<OpResult> SendBackAsync<T>(OperatorActor actor, string operation, IQueryable<T> application, string? reason,
        Func<T, string, CancellationToken, Task<AuditRecord>> sentBack, CancellationToken cancellationToken)
        where T : class, IReviewedApplication
    {
        ArgumentNullException.ThrowIfNull(sentBack);
        var reviewer = await ReviewerAsync(actor, operation, cancellationToken);
        if (reviewer is null)
        {
            return OpResult.Fail(OperatorErrors.NotPermitted);
        }

        if (InputRules.Reason(reason, out var trimmed) is { } reasonError)
        {
            return OpResult.Fail(reasonError);
        }

        var pending = await PendingAsync(reviewer, application, cancellationToken);
        if (!pending.Succeeded)
        {
            return OpResult.Fail(pending.Errors);
        }

        var decided = pending.Value!.Application;
        decided.Status = ReviewStatus.SentBack;
        decided.SendBackReason = trimmed;
        decided.DecidedAt = time.GetUtcNow().UtcDateTime;
        decided.DecidedBy = reviewer;
        audit.Record(await sentBack(decided, reviewer, cancellationToken));
        await audit.CommitAsync(cancellationToken);
        await mail.SentBackAsync(decided, cancellationToken);
        return OpResult.Ok;
    }

    /// <summary>The audit row of a decision on an application of a registered institution (its id and code).</summary>
    public async Task<AuditRecord> InstitutionRecordAsync(string action, long institutionId, string reviewer, string target,
        CancellationToken cancellationToken) => new(action, AuditOutcomes.Success)
        {
            InstitutionId = institutionId,
            InstitutionCode = await db.Institutions.Where(i => i.Id == institutionId).Select(i => i.Code).FirstAsync(cancellationToken),
            Actor = reviewer,
            Target = target,
        };

    private static async Task<OpResult<PendingReview<T>>> PendingAsync<T>(string reviewer, IQueryable<T> application, CancellationToken cancellationToken)
        where T : class, IReviewedApplication
    {
        var found = await application.FirstOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return OpResult<PendingReview<T>>.Fail(ApplicationErrors.NotFound);
        }

        return found.Status != ReviewStatus.Pending
            ? OpResult<PendingReview<T>>.Fail(ApplicationErrors.AlreadyDecided)
            : OpResult<PendingReview<T>>.Success(new PendingReview<T>(reviewer, found));
    }
}
