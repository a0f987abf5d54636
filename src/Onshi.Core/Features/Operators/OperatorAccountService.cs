using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Login;
using Onshi.Core.Features.Passwords;
using Onshi.Core.Features.Sessions;

namespace Onshi.Core.Features.Operators;

/// <summary>The result of <see cref="OperatorAccountService.LoginAsync"/>; <see cref="LoginOutcome"/> as in the OQS.</summary>
public sealed record OperatorLoginResult(LoginOutcome Outcome, string? SessionKey = null);

/// <summary>The signed-in operator as every page sees it, read fresh on every request.</summary>
public sealed record OperatorPrincipal(
    long SessionId,
    string SessionKey,
    long OperatorId,
    string UserId,
    string DisplayName,
    OperatorRole Role,
    bool MustChangePassword,
    bool PasswordExpired)
{
    public bool Can(OperatorCapability capability) => OperatorPermissions.Allows(Role, capability);
}

/// <summary>
/// Accounts of the operator console: creation with a temporary password, login (the OQS rules: a throttle slot per
/// address first, one generic failure, the same Argon2id cost for unknown IDs, atomic lockout), sessions through
/// <see cref="SiteSessionService"/> (<see cref="Sites.Operator"/>, subject = <see cref="OperatorAccount.Id"/>), own
/// password change and logout. Every step is audited with <see cref="OperatorAuditActions"/>.
/// </summary>
public sealed class OperatorAccountService(
    OnshiDbContext db,
    Argon2idPasswordHasher hasher,
    PasswordPolicy policy,
    PasswordGenerator generator,
    SiteSessionService sessions,
    AuditLog audit,
    ILoginThrottle throttle,
    TimeProvider time,
    IOptions<LoginOptions> loginOptions)
{
    /// <summary>The audit actor of a login attempt with an ID that names no operator (the typed text is never kept).</summary>
    public const string UnknownUser = "(unknown)";

    private readonly LoginOptions opts = loginOptions.Value;

    /// <summary>
    /// Creates an operator with a generated temporary password (to be changed at first login, valid
    /// <c>PasswordOptions.TemporaryPasswordValidity</c>) and returns that password: show it once, never store it.
    /// </summary>
    public async Task<OpResult<string>> CreateAsync(string? userId, string? displayName, OperatorRole role, string createdBy = "cli",
        CancellationToken cancellationToken = default)
    {
        userId = (userId ?? "").Trim();
        displayName = (displayName ?? "").Trim();
        var errors = new List<OnshiError>();
        if (userId.Length is < 4 or > 32 || !userId.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            errors.Add(OperatorErrors.UserIdInvalid);
        }

        if (displayName.Length is 0 or > 50 || displayName.Any(TextInput.IsForbidden))
        {
            errors.Add(OperatorErrors.DisplayNameInvalid);
        }

        if (!Enum.IsDefined(role))
        {
            errors.Add(OperatorErrors.RoleInvalid);
        }

        if (errors.Count > 0)
        {
            return OpResult<string>.Fail(errors);
        }

        var normalized = userId.ToUpperInvariant();
        if (await db.OperatorAccounts.AnyAsync(o => o.NormalizedUserId == normalized, cancellationToken))
        {
            return OpResult<string>.Fail(OperatorErrors.UserIdTaken);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var password = generator.Generate(userId);
        db.OperatorAccounts.Add(new OperatorAccount
        {
            UserId = userId,
            NormalizedUserId = normalized,
            DisplayName = displayName,
            Role = role,
            PasswordHash = hasher.Hash(password),
            MustChangePassword = true,
            PasswordExpiresAt = policy.TemporaryExpiry(now),
            CreatedAt = now,
        });
        audit.Record(new AuditRecord(OperatorAuditActions.Create, AuditOutcomes.Success)
        {
            Actor = createdBy,
            Target = OperatorAudit.Actor(userId),
            Detail = role.ToString(),
        });
        await audit.CommitAsync(cancellationToken);
        return OpResult<string>.Success(password);
    }

    /// <summary>Logs an operator in; on success the result carries the new session's key for the cookie.</summary>
    public async Task<OperatorLoginResult> LoginAsync(string? userId, string? password, string clientAddress,
        CancellationToken cancellationToken = default)
    {
        userId = (userId ?? "").Trim();
        password ??= "";
        var addrKey = "op-addr:" + clientAddress;
        var record = new AuditRecord(OperatorAuditActions.Login, AuditOutcomes.Failure) { Actor = UnknownUser, ClientAddress = clientAddress };

        // The attempt takes its throttle slot before anything is checked; only a success gives it back.
        if (await throttle.TryAcquireAsync(addrKey, opts.MaxFailuresPerAddress, cancellationToken) is not { } addrSlot)
        {
            return await FailAsync(record with { Outcome = AuditOutcomes.Denied, Detail = "throttled" }, LoginOutcome.Throttled, cancellationToken);
        }

        var normalized = userId.ToUpperInvariant();
        var account = userId.Length is 0 or > 32 ? null
            : await db.OperatorAccounts.AsNoTracking().FirstOrDefaultAsync(o => o.NormalizedUserId == normalized, cancellationToken);
        if (account is null)
        {
            hasher.VerifyDummy(password);
            return await FailAsync(record with { Detail = "unknown-user" }, LoginOutcome.Failed, cancellationToken);
        }

        var actor = OperatorAudit.Actor(account.UserId);
        record = record with { Actor = actor, Target = actor };
        var now = time.GetUtcNow().UtcDateTime;
        if (account.Disabled)
        {
            hasher.VerifyDummy(password);
            return await FailAsync(record with { Detail = "disabled" }, LoginOutcome.Failed, cancellationToken);
        }

        if (!await TryBeginAttemptAsync(account.Id, now, cancellationToken))
        {
            hasher.VerifyDummy(password);
            return await FailAsync(record with { Detail = "locked" }, LoginOutcome.Failed, cancellationToken);
        }

        var verification = hasher.Verify(account.PasswordHash, password);
        if (verification == PasswordVerificationResult.Failed)
        {
            var detail = "wrong-password";
            if (await LockIfExhaustedAsync(account.Id, now, rotateStamp: false, cancellationToken))
            {
                detail = "wrong-password-locked";
                audit.Record(record with { Action = OperatorAuditActions.Lockout, Outcome = AuditOutcomes.Success, Actor = "system", Detail = "timed" });
            }

            return await FailAsync(record with { Detail = detail }, LoginOutcome.Failed, cancellationToken);
        }

        if (account.MustChangePassword && account.PasswordExpiresAt is { } tempExpiry && tempExpiry <= now)
        {
            await ResetFailuresAsync(account, now, null, loggedIn: false, cancellationToken);
            await throttle.ReleaseAsync([addrSlot], cancellationToken);
            return await FailAsync(record with { Detail = "temporary-password-expired" }, LoginOutcome.TemporaryPasswordExpired, cancellationToken);
        }

        // Success only if the account is still unlocked and unchanged at this instant (one conditional UPDATE).
        var rehash = verification == PasswordVerificationResult.SuccessRehashNeeded ? hasher.Hash(password) : null;
        if (!await ResetFailuresAsync(account, now, rehash, loggedIn: true, cancellationToken))
        {
            return await FailAsync(record with { Detail = "concurrent-change" }, LoginOutcome.Failed, cancellationToken);
        }

        await throttle.ReleaseAsync([addrSlot], cancellationToken);
        var sessionKey = sessions.Start(Sites.Operator, account.Id, account.SecurityStamp, clientAddress);
        var mustChange = account.MustChangePassword || (account.PasswordExpiresAt is { } expiry && expiry <= now);
        audit.Record(record with { Outcome = AuditOutcomes.Success, Detail = mustChange ? "must-change-password" : "" });
        await audit.CommitAsync(cancellationToken);
        return new OperatorLoginResult(mustChange ? LoginOutcome.MustChangePassword : LoginOutcome.Success, sessionKey);
    }

    /// <summary>
    /// The operator behind a session key, if the session is open, within its limits and the operator is enabled with
    /// the same security stamp; a session ended now is audited.
    /// </summary>
    public async Task<OperatorPrincipal?> ValidateSessionAsync(string? key, string clientAddress, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(key))
        {
            return null;
        }

        OperatorAccount? account = null;
        var (session, _) = await sessions.ValidateAsync(Sites.Operator, key, async (id, ct) =>
        {
            account = await db.OperatorAccounts.AsNoTracking().FirstOrDefaultAsync(o => o.Id == id, ct);
            return account is { Disabled: false } ? account.SecurityStamp : null;
        }, endReason => account is null ? null : SessionEndRecord(account.UserId, endReason, clientAddress), cancellationToken);
        if (session is null)
        {
            return null;
        }

        var a = account!;
        var now = time.GetUtcNow().UtcDateTime;
        return new OperatorPrincipal(session.SessionId, session.Key, a.Id, a.UserId, a.DisplayName, a.Role, a.MustChangePassword,
            !a.MustChangePassword && a.PasswordExpiresAt is { } e && e <= now);
    }

    /// <summary>Ends the session with <paramref name="key"/> (ログアウト), audited. False when there was none.</summary>
    public async Task<bool> LogoutAsync(string? key, string clientAddress, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(key))
        {
            return false;
        }

        // The end and its audit row are one commit.
        var subject = await sessions.EndAsync(Sites.Operator, key, OperatorSessionEndReasons.Logout, async (id, ct) =>
        {
            var userId = await db.OperatorAccounts.Where(o => o.Id == id).Select(o => o.UserId).FirstOrDefaultAsync(ct) ?? "";
            return new AuditRecord(OperatorAuditActions.Logout, AuditOutcomes.Success)
            {
                Actor = OperatorAudit.Actor(userId),
                Target = OperatorAudit.Actor(userId),
                Detail = OperatorSessionEndReasons.Logout,
                ClientAddress = clientAddress,
            };
        }, cancellationToken);
        return subject is not null;
    }

    /// <summary>The audit row of an operator session ended by the system (idle, absolute, disabled, stamp changed).</summary>
    internal static AuditRecord SessionEndRecord(string userId, string reason, string clientAddress)
    {
        var actor = OperatorAudit.Actor(userId);
        return new AuditRecord(OperatorAuditActions.SessionEnd, AuditOutcomes.Success)
        {
            Actor = actor,
            Target = actor,
            Detail = reason,
            ClientAddress = clientAddress,
        };
    }

    /// <summary>
    /// The operator changes its own password, giving the current one (which counts toward the lockout when wrong).
    /// The new one follows <see cref="PasswordPolicy"/>, as the OQS: it must differ from the current one and from the
    /// previous ones kept in <see cref="OperatorPasswordHistoryEntry"/> (<see cref="PasswordPolicy.HistoryEntriesKept"/>).
    /// A change ends the operator's other sessions, each audited (the security stamp rotates in the same commit; the
    /// session <paramref name="sessionId"/> that asked moves to the new stamp and goes on). On success the value is how
    /// many other sessions ended.
    /// </summary>
    public async Task<OpResult<int>> ChangeOwnPasswordAsync(long operatorId, long sessionId, string? currentPassword, string? newPassword,
        string? confirmPassword, string clientAddress, CancellationToken cancellationToken = default)
    {
        currentPassword ??= "";
        newPassword ??= "";
        confirmPassword ??= "";
        var account = await db.OperatorAccounts.FirstOrDefaultAsync(o => o.Id == operatorId, cancellationToken);
        if (account is null || account.Disabled)
        {
            return OpResult<int>.Fail(OperatorErrors.NotFound);
        }

        var errors = new List<OnshiError>();
        if (currentPassword.Length == 0)
        {
            errors.Add(OperatorErrors.CurrentPasswordRequired);
        }

        errors.AddRange(policy.ValidateChange(account.UserId, newPassword, confirmPassword, PasswordContext.ForOperator(account.DisplayName)));

        if (errors.Count > 0)
        {
            return OpResult<int>.Fail(errors);
        }

        var actor = OperatorAudit.Actor(account.UserId);
        var record = new AuditRecord(OperatorAuditActions.PasswordChange, AuditOutcomes.Failure) { Actor = actor, Target = actor, ClientAddress = clientAddress };
        var now = time.GetUtcNow().UtcDateTime;
        if (!await TryBeginAttemptAsync(account.Id, now, cancellationToken))
        {
            db.ChangeTracker.Clear();
            audit.Record(record with { Outcome = AuditOutcomes.Denied, Detail = "locked" });
            await audit.CommitAsync(cancellationToken);
            return OpResult<int>.Fail(OperatorErrors.CurrentPasswordWrong);
        }

        if (hasher.Verify(account.PasswordHash, currentPassword) == PasswordVerificationResult.Failed)
        {
            var detail = "current-password-wrong";
            if (await LockIfExhaustedAsync(account.Id, now, rotateStamp: true, cancellationToken))
            {
                // Locked: every session of the operator ends too, this one included.
                detail = "current-password-wrong-locked";
                audit.Record(record with { Action = OperatorAuditActions.Lockout, Outcome = AuditOutcomes.Success, Actor = "system", Detail = "timed" });
            }

            db.ChangeTracker.Clear();
            audit.Record(record with { Detail = detail });
            await audit.CommitAsync(cancellationToken);
            return OpResult<int>.Fail(OperatorErrors.CurrentPasswordWrong);
        }

        await db.OperatorAccounts.Where(o => o.Id == account.Id).ExecuteUpdateAsync(s => s.SetProperty(o => o.AccessFailedCount, 0), cancellationToken);
        if (string.Equals(currentPassword, newPassword, StringComparison.Ordinal))
        {
            return OpResult<int>.Fail(OperatorErrors.SameAsCurrent);
        }

        var kept = policy.HistoryEntriesKept;
        var history = await db.OperatorPasswordHistory.AsNoTracking().Where(h => h.OperatorAccountId == account.Id)
            .OrderByDescending(h => h.CreatedAt).Take(kept).Select(h => h.PasswordHash).ToListAsync(cancellationToken);
        if (policy.MatchesHistory(history, newPassword))
        {
            return OpResult<int>.Fail(policy.ReusedError());
        }

        // The current hash joins the history, which then holds the newest `kept` (the stored ones beyond kept − 1 go).
        if (kept > 0)
        {
            db.OperatorPasswordHistory.Add(new OperatorPasswordHistoryEntry { OperatorAccountId = account.Id, PasswordHash = account.PasswordHash, CreatedAt = now });
        }

        var stale = await db.OperatorPasswordHistory.Where(h => h.OperatorAccountId == account.Id).OrderByDescending(h => h.CreatedAt)
            .Skip(Math.Max(0, kept - 1)).ToListAsync(cancellationToken);
        db.OperatorPasswordHistory.RemoveRange(stale);

        // A new stamp refuses every other session from this commit on; the session that asked moves to it and goes on.
        var stamp = Guid.NewGuid().ToString("N");
        account.SecurityStamp = stamp;
        var current = await db.SiteSessions.FirstOrDefaultAsync(
            x => x.Id == sessionId && x.Site == Sites.Operator && x.SubjectId == account.Id && x.EndedAt == null, cancellationToken);
        if (current is not null)
        {
            current.SecurityStamp = stamp;
        }

        account.PasswordHash = hasher.Hash(newPassword);
        account.PasswordExpiresAt = policy.ComputeExpiry(newPassword, now);
        account.MustChangePassword = false;
        account.AccessFailedCount = 0;
        audit.Record(record with { Outcome = AuditOutcomes.Success });
        var ended = 0;
        try
        {
            // The other sessions end in the same commit as the change, each with its audit row after the change's.
            await audit.CommitAsync(async ct =>
            {
                ended = await sessions.EndOthersWithinCommitAsync(Sites.Operator, account.Id, sessionId, OperatorSessionEndReasons.PasswordChanged,
                    address => SessionEndRecord(account.UserId, OperatorSessionEndReasons.PasswordChanged, address), ct);
                return true;
            }, cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return OpResult<int>.Fail(OperatorErrors.Conflict);
        }

        db.ChangeTracker.Clear();
        return OpResult<int>.Success(ended);
    }

    private async Task<bool> TryBeginAttemptAsync(long id, DateTime now, CancellationToken cancellationToken)
    {
        var max = opts.MaxFailedAccessAttempts;
        return await db.OperatorAccounts
            .Where(o => o.Id == id && (o.LockoutEnd == null || o.LockoutEnd <= now) && o.AccessFailedCount < max)
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.AccessFailedCount, o => o.AccessFailedCount + 1), cancellationToken) == 1;
    }

    private async Task<bool> LockIfExhaustedAsync(long id, DateTime now, bool rotateStamp, CancellationToken cancellationToken)
    {
        var max = opts.MaxFailedAccessAttempts;
        DateTime? until = now + opts.LockoutDuration;
        var stamp = rotateStamp ? Guid.NewGuid().ToString("N") : null;
        return await db.OperatorAccounts
            .Where(o => o.Id == id && o.AccessFailedCount >= max && (o.LockoutEnd == null || o.LockoutEnd <= now))
            .ExecuteUpdateAsync(s => s
                .SetProperty(o => o.LockoutEnd, until)
                .SetProperty(o => o.AccessFailedCount, 0)
                .SetProperty(o => o.SecurityStamp, o => stamp ?? o.SecurityStamp), cancellationToken) == 1;
    }

    private async Task<bool> ResetFailuresAsync(OperatorAccount account, DateTime now, string? newHash, bool loggedIn, CancellationToken cancellationToken)
    {
        var stamp = account.SecurityStamp;
        return await db.OperatorAccounts
            .Where(o => o.Id == account.Id && o.SecurityStamp == stamp && !o.Disabled && (o.LockoutEnd == null || o.LockoutEnd <= now))
            .ExecuteUpdateAsync(s => s
                .SetProperty(o => o.AccessFailedCount, 0)
                .SetProperty(o => o.LockoutEnd, (DateTime?)null)
                .SetProperty(o => o.LastLoginAt, o => loggedIn ? now : o.LastLoginAt)
                .SetProperty(o => o.PasswordHash, o => newHash ?? o.PasswordHash), cancellationToken) == 1;
    }

    private async Task<OperatorLoginResult> FailAsync(AuditRecord record, LoginOutcome outcome, CancellationToken cancellationToken)
    {
        audit.Record(record);
        await audit.CommitAsync(cancellationToken);
        return new OperatorLoginResult(outcome);
    }
}
