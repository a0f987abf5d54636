using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Login;
using Onshi.Core.Features.Passwords;
using Onshi.Core.Features.Sessions;
using PasswordOptions = Onshi.Core.Features.Passwords.PasswordOptions;

namespace Onshi.Core.Features.Accounts;

/// <summary>《パスワード変更》: an account changes its own password, giving the current one (SPEC §4.7).</summary>
public sealed class OwnPasswordService(
    OnshiDbContext db,
    Argon2idPasswordHasher hasher,
    PasswordPolicy policy,
    AuditLog audit,
    TimeProvider time,
    IOptions<PasswordOptions> passwordOptions,
    IOptions<LoginOptions> loginOptions)
{
    public async Task<OpResult> ChangeAsync(ActorContext actor, string? currentPassword, string? newPassword, string? confirmPassword,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var p = actor.Principal;
        if (PermissionMatrix.Decide(actor.Ref, actor.Ref, AccountAction.ChangeOwnPassword) != PermissionDecision.Allowed)
        {
            audit.Record(actor.Audit(AuditActions.PasswordChange, AuditOutcomes.Denied, p.UserId, "not-permitted"));
            await audit.CommitAsync(cancellationToken);
            return OpResult.Fail(AccountErrors.ResetCannotChange);
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
            return OpResult.Fail(errors);
        }

        var account = await db.Accounts.FirstOrDefaultAsync(a => a.Id == p.AccountId, cancellationToken);
        if (account is null)
        {
            return OpResult.Fail(AccountErrors.NotFound);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var lockout = loginOptions.Value;

        // A wrong current password counts toward the lockout like a failed login; the slot is taken first, atomically.
        if (!await Lockout.TryBeginAttemptAsync(db, account.Id, now, lockout, cancellationToken))
        {
            audit.Record(actor.Audit(AuditActions.PasswordChange, AuditOutcomes.Denied, p.UserId, "locked"));
            await audit.CommitAsync(cancellationToken);
            return OpResult.Fail(AccountErrors.CurrentPasswordWrong);
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
            return OpResult.Fail(AccountErrors.CurrentPasswordWrong);
        }

        // The current password was right: give the attempt slot back whatever happens next.
        await db.Accounts.Where(a => a.Id == account.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.AccessFailedCount, 0), cancellationToken);

        if (string.Equals(currentPassword, newPassword, StringComparison.Ordinal))
        {
            return OpResult.Fail(AccountErrors.SameAsCurrent);
        }

        var historyCount = passwordOptions.Value.HistoryCount;
        var history = await db.PasswordHistory.AsNoTracking().Where(h => h.AccountId == account.Id)
            .OrderByDescending(h => h.CreatedAt).Take(Math.Max(0, historyCount - 1)).Select(h => h.PasswordHash).ToListAsync(cancellationToken);
        if (policy.MatchesHistory(history, newPassword))
        {
            return OpResult.Fail(policy.ReusedError());
        }

        db.PasswordHistory.Add(new PasswordHistoryEntry { AccountId = account.Id, PasswordHash = account.PasswordHash, CreatedAt = now });
        var stale = await db.PasswordHistory.Where(h => h.AccountId == account.Id).OrderByDescending(h => h.CreatedAt)
            .Skip(Math.Max(0, historyCount - 1)).ToListAsync(cancellationToken);
        db.PasswordHistory.RemoveRange(stale);

        account.PasswordHash = hasher.HashPassword(account, newPassword);
        account.PasswordChangedAt = now;
        account.PasswordExpiresAt = policy.ComputeExpiry(newPassword, now);
        account.MustChangePassword = false;
        account.UpdatedAt = now;
        account.UpdatedBy = p.UserId;
        audit.Record(actor.Audit(AuditActions.PasswordChange, AuditOutcomes.Success, p.UserId));
        try
        {
            await audit.CommitAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return OpResult.Fail(AccountErrors.Conflict);
        }

        return OpResult.Ok;
    }
}
