using Microsoft.EntityFrameworkCore;
using Onshi.Core.Common;
using Onshi.Core.Data;

namespace Onshi.Core.Features.Applications;

/// <summary>
/// 「申請する」 once per portal 確認 draft, on every instance and across restarts. The draft's nonce is written to
/// <see cref="PortalSubmission"/> (nonce unique) in the <b>same commit</b> as the application it created, so:
/// <list type="bullet">
/// <item>a repeat of the same draft (double click, back button, two tabs, a retry that reached another instance) finds
/// the row and gets the first application's id — the same 完了, nothing stored twice;</item>
/// <item>two submits racing on two instances both try to insert the nonce; the database lets one commit, the other's
/// whole commit (its application and audit row with it) is rolled back, and it then finds the winner's row;</item>
/// <item>a failed submit (an error result, an exception) commits nothing, so leaves no row, and the draft can be
/// submitted again once the cause is fixed.</item>
/// </list>
/// Rows older than the drafts' lifetime are deleted in the commit that adds one (an indexed range delete).
/// </summary>
public sealed class PortalSubmissions(OnshiDbContext db, TimeProvider time)
{
    /// <summary>How long a portal 確認 draft can be submitted; a submission row is kept as long.</summary>
    public static readonly TimeSpan DraftLifetime = TimeSpan.FromMinutes(30);

    /// <summary>The application an earlier submit of the draft <paramref name="nonce"/> created, if any.</summary>
    public async Task<long?> FindAsync(string nonce, PortalSubmissionKind kind, CancellationToken cancellationToken = default) =>
        await db.PortalSubmissions.AsNoTracking().Where(s => s.Nonce == nonce && s.Kind == kind)
            .Select(s => (long?)s.ApplicationId).FirstOrDefaultAsync(cancellationToken);

    /// <summary>
    /// Runs <paramref name="submit"/> (a service's submit given <paramref name="nonce"/>) unless the draft was already
    /// submitted; afterwards, and when it lost a race to another submit of the same draft, the value is the first
    /// submit's application id.
    /// </summary>
    public async Task<OpResult<long>> OnceAsync(string nonce, PortalSubmissionKind kind, Func<Task<OpResult<long>>> submit,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(nonce);
        ArgumentNullException.ThrowIfNull(submit);
        if (await FindAsync(nonce, kind, cancellationToken) is { } done)
        {
            return OpResult<long>.Success(done);
        }

        OpResult<long> result;
        try
        {
            result = await submit();
        }
        catch (DbUpdateException)
        {
            // The nonce's unique index refused the commit: another submit of this draft committed first. Nothing of
            // this one was written; forget what the context still tracks of it.
            db.ChangeTracker.Clear();
            if (await FindAsync(nonce, kind, cancellationToken) is { } winner)
            {
                return OpResult<long>.Success(winner);
            }

            throw;
        }

        // A check may have failed because the racing submit's application was already there (e.g. 「申請中の新規申請が
        // あります」): that is the same draft, so its 完了 rather than the error.
        if (!result.Succeeded && await FindAsync(nonce, kind, cancellationToken) is { } other)
        {
            return OpResult<long>.Success(other);
        }

        return result;
    }

    /// <summary>
    /// The work of an application's commit (<see cref="Audit.AuditLog.CommitAsync(Func{CancellationToken, Task{bool}}?, CancellationToken)"/>)
    /// that records the draft <paramref name="nonce"/>: saves the application (for its id), purges expired rows and
    /// adds the submission row, which the commit then saves with the audit rows. Null when there is no nonce (a plain commit).
    /// </summary>
    internal Func<CancellationToken, Task<bool>>? Recording(string? nonce, PortalSubmissionKind kind, Func<long> applicationId)
    {
        if (nonce is null)
        {
            return null;
        }

        return async ct =>
        {
            await db.SaveChangesAsync(ct);
            var now = time.GetUtcNow().UtcDateTime;
            await db.PortalSubmissions.Where(s => s.ExpiresAt < now).ExecuteDeleteAsync(ct);
            db.PortalSubmissions.Add(new PortalSubmission
            {
                Nonce = nonce,
                Kind = kind,
                ApplicationId = applicationId(),
                CreatedAt = now,
                ExpiresAt = now + DraftLifetime,
            });
            return true;
        };
    }
}
