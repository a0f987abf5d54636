using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Login;
using Onshi.Core.Features.Passwords;
using Onshi.Core.Features.Sessions;

namespace Onshi.Core.Features.Accounts;

/// <summary>
/// 《パスワード変更》: an account changes its own password, giving the current one (SPEC §4.7). A change ends the
/// account's other sessions (ASVS 7.4.3): the security stamp rotates in the same commit as the new hash, with the
/// session that asked carried over to the new stamp, then each other session ends with its own audit row.
/// </summary>
public sealed class OwnPasswordService(
    OnshiDbContext db,
    Argon2idPasswordHasher hasher,
    PasswordPolicy policy,
    SessionService sessions,
    AuditLog audit,
    TimeProvider time,
    IOptions<LoginOptions> loginOptions)
{
    /// <summary>Changes the actor's own password; on success the value is how many of its other sessions ended.</summary>
    public async Task<OpResult<int>> ChangeAsync(ActorContext actor, string? currentPassword, string? newPassword, string? confirmPassword,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var p = actor.Principal;
        if (PermissionMatrix.Decide(actor.Ref, actor.Ref, AccountAction.ChangeOwnPassword) != PermissionDecision.Allowed)
        {
            audit.Record(actor.Audit(AuditActions.PasswordChange, AuditOutcomes.Denied, p.UserId, "not-permitted"));
            await audit.CommitAsync(cancellationToken);
            return OpResult<int>.Fail(AccountErrors.ResetCannotChange);
        }

        currentPassword ??= "";
        newPassword ??= "";
        confirmPassword ??= "";
        var errors = new List<OnshiError>();
        if (currentPassword.Length == 0)
        {
            errors.Add(AccountErrors.CurrentPasswordRequired);
        }

        errors.AddRange(policy.ValidateChange(p.UserId, newPassword, confirmPassword,
            PasswordContext.ForOqsAccount(p.InstitutionCode, p.InstitutionName, p.DisplayName)));

        if (errors.Count > 0)
        {
            return OpResult<int>.Fail(errors);
        }

        var account = await db.Accounts.FirstOrDefaultAsync(a => a.Id == p.AccountId, cancellationToken);
        if (account is null)
        {
            return OpResult<int>.Fail(AccountErrors.NotFound);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var lockout = loginOptions.Value;

        // A wrong current password counts toward the lockout like a failed login; the slot is taken first, atomically.
        if (!await Lockout.TryBeginAttemptAsync(db, account.Id, now, lockout, cancellationToken))
        {
            audit.Record(actor.Audit(AuditActions.PasswordChange, AuditOutcomes.Denied, p.UserId, "locked"));
            await audit.CommitAsync(cancellationToken);
            return OpResult<int>.Fail(AccountErrors.CurrentPasswordWrong);
        }

        if (hasher.VerifyHashedPassword(account, account.PasswordHash, currentPassword) == PasswordVerificationResult.Failed)
        {
            var detail = "current-password-wrong";
            if (await Lockout.LockIfExhaustedAsync(db, account, now, lockout, rotateStamp: true, cancellationToken))
            {
                // Locked: the account's sessions end too, this one included.
                detail = "current-password-wrong-locked";
                audit.Record(actor.Audit(AuditActions.Lockout, AuditOutcomes.Success, p.UserId, Lockout.Detail(account)) with { Actor = "system", ActorKind = null });
            }

            db.ChangeTracker.Clear();
            audit.Record(actor.Audit(AuditActions.PasswordChange, AuditOutcomes.Failure, p.UserId, detail));
            await audit.CommitAsync(cancellationToken);
            return OpResult<int>.Fail(AccountErrors.CurrentPasswordWrong);
        }

        // The current password was right: give the attempt slot back whatever happens next.
        await db.Accounts.Where(a => a.Id == account.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.AccessFailedCount, 0), cancellationToken);

        if (string.Equals(currentPassword, newPassword, StringComparison.Ordinal))
        {
            return OpResult<int>.Fail(AccountErrors.SameAsCurrent);
        }

        var kept = policy.HistoryEntriesKept;
        var history = await db.PasswordHistory.AsNoTracking().Where(h => h.AccountId == account.Id)
            .OrderByDescending(h => h.CreatedAt).Take(kept).Select(h => h.PasswordHash).ToListAsync(cancellationToken);
        if (policy.MatchesHistory(history, newPassword))
        {
            return OpResult<int>.Fail(policy.ReusedError());
        }

        // The current hash joins the history, which then holds the newest `kept` (the stored ones beyond kept − 1 go).
        if (kept > 0)
        {
            db.PasswordHistory.Add(new PasswordHistoryEntry { AccountId = account.Id, PasswordHash = account.PasswordHash, CreatedAt = now });
        }

        var stale = await db.PasswordHistory.Where(h => h.AccountId == account.Id).OrderByDescending(h => h.CreatedAt)
            .Skip(Math.Max(0, kept - 1)).ToListAsync(cancellationToken);
        db.PasswordHistory.RemoveRange(stale);

        // A new stamp refuses every other session of the account from this commit on (the ones it ends below, and any
        // opened meanwhile); the session that asked moves to the new stamp and goes on.
        var stamp = Guid.NewGuid().ToString("N");
        account.SecurityStamp = stamp;
        var current = await db.LoginSessions.FirstOrDefaultAsync(s => s.Id == p.SessionId && s.AccountId == account.Id && s.EndedAt == null, cancellationToken);
        if (current is not null)
        {
            current.SecurityStamp = stamp;
        }

        account.PasswordHash = hasher.HashPassword(account, newPassword);
        account.PasswordChangedAt = now;
        account.PasswordExpiresAt = policy.ComputeExpiry(newPassword, now);
        account.MustChangePassword = false;
        account.UpdatedAt = now;
        account.UpdatedBy = p.UserId;
        audit.Record(actor.Audit(AuditActions.PasswordChange, AuditOutcomes.Success, p.UserId));
        var ended = 0;
        try
        {
            // The other sessions end in the same commit as the change, each with its audit row after the change's.
            await audit.CommitAsync(async ct =>
            {
                ended = await sessions.EndOthersWithinCommitAsync(account.Id, p.SessionId, SessionEndReasons.PasswordChanged, ct);
                return true;
            }, cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return OpResult<int>.Fail(AccountErrors.Conflict);
        }

        db.ChangeTracker.Clear();
        return OpResult<int>.Success(ended);
    }
}
