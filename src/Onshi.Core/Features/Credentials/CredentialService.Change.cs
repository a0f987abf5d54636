using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Onshi.Core.Common;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Passwords;

namespace Onshi.Core.Features.Credentials;

/// <summary>The messages a site shows for a change of one's own password (the OQS and the console word them in their own way).</summary>
public sealed record ChangeMessages(OnshiError CurrentPasswordRequired, OnshiError CurrentPasswordWrong, OnshiError SameAsCurrent, OnshiError Conflict);

/// <summary>The sessions of one kind of account, as a change of the holder's own password ends them.</summary>
public interface IHolderSessions
{
    /// <summary>Moves the session that asked (<paramref name="sessionId"/>) to <paramref name="newStamp"/> (tracked; saved by the caller's commit).</summary>
    Task CarryOverAsync(long holderId, long sessionId, string newStamp, CancellationToken cancellationToken);

    /// <summary>
    /// Ends every other open session of the holder, each with its audit row, inside the work of the caller's
    /// <see cref="AuditLog.CommitAsync(Func{CancellationToken, Task{bool}}?, CancellationToken)"/>. Returns how many ended.
    /// </summary>
    Task<int> EndOthersWithinCommitAsync(long holderId, long sessionId, string reason, CancellationToken cancellationToken);
}

/// <summary>
/// A change of one's own password: who (for the policy: the user ID and the words of the holder's context), the session
/// that asks, the three fields as typed, and how the site writes its audit rows (<paramref name="Record"/> makes a row of
/// the holder acting on itself with the given action, outcome and detail).
/// </summary>
public sealed record OwnPasswordChange(
    string UserId,
    PasswordContext Context,
    long SessionId,
    string? CurrentPassword,
    string? NewPassword,
    string? ConfirmPassword,
    string ChangeAction,
    string LockoutAction,
    Func<string, string, string, AuditRecord> Record);

public sealed partial class CredentialService
{
    /// <summary>
    /// Changes the holder's own password, giving the current one (SPEC §4.7): a wrong current password counts toward the
    /// lockout like a failed sign-in (and a lock then ends every session of the holder, this one included); the new one
    /// follows <see cref="PasswordPolicy"/>, differs from the current one and, where the kind keeps a history, from the
    /// previous ones. The security stamp rotates in the same commit as the new hash, the session that asked moves to it,
    /// and every other session ends, each audited (ASVS 7.4.3). On success the value is how many other sessions ended.
    /// <paramref name="holder"/> is tracked; <paramref name="touch"/> sets the kind's own "updated" columns.
    /// </summary>
    public async Task<OpResult<int>> ChangeOwnAsync<T>(CredentialStore<T> store, T holder, OwnPasswordChange change, ChangeMessages messages,
        IHolderSessions sessions, AuditLog audit, Action<T, DateTime>? touch, CancellationToken cancellationToken)
        where T : class, ICredentialHolder
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(holder);
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentNullException.ThrowIfNull(audit);
        var current = change.CurrentPassword ?? "";
        var newPassword = change.NewPassword ?? "";
        var errors = new List<OnshiError>();
        if (current.Length == 0)
        {
            errors.Add(messages.CurrentPasswordRequired);
        }

        errors.AddRange(policy.ValidateChange(change.UserId, newPassword, change.ConfirmPassword ?? "", change.Context));
        var machine = store.IsMachine(holder);
        if (machine && newPassword.Length > 0 && newPassword.Length < policy.MachineSecretMinLength)
        {
            // A machine's secret never expires (SPEC §12), so it may not choose one that would.
            errors.Add(PasswordErrors.MachineTooShort(policy.MachineSecretMinLength));
        }
        if (errors.Count > 0)
        {
            return OpResult<int>.Fail(errors);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var check = await VerifyAsync(store, holder, current, now, rotateStampOnLock: true, acceptPrevious: false, cancellationToken);
        if (check.Verification == PasswordVerificationResult.Failed)
        {
            db.ChangeTracker.Clear();
            if (check.Locked)
            {
                audit.Record(change.Record(change.ChangeAction, AuditOutcomes.Denied, "locked"));
            }
            else
            {
                if (check.Lock is { } taken)
                {
                    audit.Record(change.Record(change.LockoutAction, AuditOutcomes.Success, taken.Detail) with { Actor = "system", ActorKind = null });
                }

                audit.Record(change.Record(change.ChangeAction, AuditOutcomes.Failure,
                    check.Lock is null ? AuditDetails.CurrentPasswordWrong : AuditDetails.CurrentPasswordWrongLocked));
            }

            await audit.CommitAsync(cancellationToken);
            return OpResult<int>.Fail(messages.CurrentPasswordWrong);
        }

        // The current password was right: give the attempt slot back whatever happens next.
        var id = holder.Id;
        db.DeclareNeutralWrite(typeof(T));
        await store.Holders(db).Where(a => a.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.AccessFailedCount, 0), cancellationToken);
        if (string.Equals(current, newPassword, StringComparison.Ordinal))
        {
            return OpResult<int>.Fail(messages.SameAsCurrent);
        }

        if (store.KeepsHistory)
        {
            var kept = policy.HistoryEntriesKept;
            if (policy.MatchesHistory(await store.RecentHashesAsync(db, id, kept, cancellationToken), newPassword))
            {
                return OpResult<int>.Fail(policy.ReusedError());
            }

            await store.PushHistoryAsync(db, id, holder.PasswordHash, now, kept, cancellationToken);
        }

        // A new stamp refuses every other session of the holder from this commit on (the ones ended below, and any opened
        // meanwhile); the session that asked moves to the new stamp and goes on.
        var stamp = NewStamp();
        holder.SecurityStamp = stamp;
        await sessions.CarryOverAsync(id, change.SessionId, stamp, cancellationToken);
        holder.PasswordHash = hasher.Hash(newPassword);
        holder.PasswordChangedAt = now;
        holder.PasswordExpiresAt = store.PasswordsExpire && !machine ? policy.ComputeExpiry(newPassword, now) : null;
        holder.MustChangePassword = false;
        ClearPrevious(holder);
        holder.AccessFailedCount = 0;
        touch?.Invoke(holder, now);
        audit.Record(change.Record(change.ChangeAction, AuditOutcomes.Success, ""));
        var ended = 0;
        try
        {
            // The other sessions end in the same commit as the change, each with its audit row after the change's.
            await audit.CommitAsync(async ct =>
            {
                ended = await sessions.EndOthersWithinCommitAsync(id, change.SessionId, Sessions.SessionEndReasons.PasswordChanged, ct);
                return true;
            }, cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return OpResult<int>.Fail(messages.Conflict);
        }

        db.ChangeTracker.Clear();
        return OpResult<int>.Success(ended);
    }
}
