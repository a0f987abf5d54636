using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Onshi.Core.Data;
using Onshi.Core.Features.Login;
using Onshi.Core.Features.Passwords;

namespace Onshi.Core.Features.Credentials;

/// <summary>How a credential check ended (<see cref="CredentialService.SignInAsync{T}"/>).</summary>
public enum SignInOutcome
{
    /// <summary>Signed in; the password is current.</summary>
    Success = 0,

    /// <summary>Signed in, but the password is temporary or expired and must be changed before anything else.</summary>
    MustChangePassword = 1,

    /// <summary>Unknown, refused (disabled, unconfirmed), locked or wrong: one generic answer. <see cref="SignInResult.Detail"/> says which.</summary>
    Failed = 2,

    /// <summary>The temporary password was right but its validity has passed.</summary>
    TemporaryPasswordExpired = 3,

    /// <summary>
    /// The password was right but the caller's condition (<c>mayProceed</c>) held the sign-in back: the failures are
    /// cleared, nothing else is written (the 強制ログイン question, SPEC §4.8).
    /// </summary>
    Held = 4,
}

/// <summary>A lock taken by this attempt: its audit detail (<c>timed</c> or <c>until-unlocked</c>).</summary>
public sealed record LockTaken(string Detail);

/// <summary>
/// The result of a sign-in check. <see cref="Detail"/> is the audit reason code (<c>unknown-user</c>, <c>disabled</c>,
/// <c>unconfirmed</c>, <c>locked</c>, <c>wrong-password</c>, <c>wrong-password-locked</c>, <c>concurrent-change</c>,
/// <c>temporary-password-expired</c>, <c>must-change-password</c>, <see cref="CredentialService.PreviousSecretDetail"/> or empty);
/// <see cref="Lock"/> is set when this attempt
/// locked the holder (the caller audits the lockout in its own site's words).
/// </summary>
public sealed record SignInResult(SignInOutcome Outcome, string Detail, LockTaken? Lock = null)
{
    public bool SignedIn => Outcome is SignInOutcome.Success or SignInOutcome.MustChangePassword;
}

/// <summary>
/// The one credential kernel (SPEC §4.5–4.7) for the three kinds of account — the OQS account, the portal user and the
/// operator — each described by a <see cref="CredentialStore{T}"/>: the attempt (an attempt slot taken atomically, the
/// password verified once at the same cost whether or not the holder exists, lockout), the success, the change of one's
/// own password with its history, and the issue of a temporary password. Every step that races with another request or
/// instance is one conditional UPDATE.
/// </summary>
public sealed partial class CredentialService(
    OnshiDbContext db,
    Argon2idPasswordHasher hasher,
    PasswordPolicy policy,
    PasswordGenerator generator,
    TimeProvider time,
    IOptions<LoginOptions> loginOptions)
{
    private readonly LoginOptions lockout = loginOptions.Value;

    /// <summary>
    /// The <see cref="SignInResult.Detail"/> of a success with a machine account's previous secret, inside the grace period of a
    /// rotation (<see cref="RotateMachineSecret{T}"/>): the caller audits it, so the 操作ログ shows which clients still hold the
    /// old secret.
    /// </summary>
    public const string PreviousSecretDetail = "previous-secret";

    /// <summary>
    /// Checks a sign-in of <paramref name="holder"/> (null: no such account — the check then costs the same and fails).
    /// On success the failure count and lock are cleared, <c>LastLoginAt</c> is set and the hash is upgraded if its
    /// parameters were raised, in one UPDATE that holds only if the holder is unchanged and may still sign in. The
    /// caller throttles before, and starts the session and audits after.
    /// </summary>
    /// <remarks>
    /// <paramref name="mayProceed"/>, when given, is asked once the password is known to be right (and the temporary
    /// password still valid): false holds the sign-in back (<see cref="SignInOutcome.Held"/>, detail
    /// <paramref name="heldDetail"/>) with only the failure count cleared.
    /// </remarks>
    public async Task<SignInResult> SignInAsync<T>(CredentialStore<T> store, T? holder, string? password, CancellationToken cancellationToken,
        Func<T, CancellationToken, Task<bool>>? mayProceed = null, string heldDetail = "held")
        where T : class, ICredentialHolder
    {
        ArgumentNullException.ThrowIfNull(store);
        password ??= "";
        if (holder is null)
        {
            hasher.VerifyDummy(password);
            return new(SignInOutcome.Failed, "unknown-user");
        }

        if (store.SignInRefusal(holder) is { } refusal)
        {
            hasher.VerifyDummy(password);
            return new(SignInOutcome.Failed, refusal);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var check = await VerifyAsync(store, holder, password, now, rotateStampOnLock: false, acceptPrevious: true, cancellationToken);
        if (check.Verification == PasswordVerificationResult.Failed)
        {
            return new(SignInOutcome.Failed, check.Locked ? "locked" : check.Lock is null ? "wrong-password" : "wrong-password-locked", check.Lock);
        }

        if (holder.MustChangePassword && holder.PasswordExpiresAt is { } tempExpiry && tempExpiry <= now)
        {
            await RecordSuccessAsync(store, holder, now, newHash: null, loggedIn: false, cancellationToken);
            return new(SignInOutcome.TemporaryPasswordExpired, "temporary-password-expired");
        }

        if (mayProceed is not null && !await mayProceed(holder, cancellationToken))
        {
            await RecordSuccessAsync(store, holder, now, newHash: null, loggedIn: false, cancellationToken);
            return new(SignInOutcome.Held, heldDetail);
        }

        // Never re-hash the previous secret: the re-hash replaces the current hash, and would bring the old secret back.
        var rehash = check.Verification == PasswordVerificationResult.SuccessRehashNeeded && !check.UsedPrevious ? hasher.Hash(password) : null;
        if (!await RecordSuccessAsync(store, holder, now, rehash, loggedIn: true, cancellationToken))
        {
            return new(SignInOutcome.Failed, "concurrent-change");
        }

        return MustChangeAt(holder, now)
            ? new(SignInOutcome.MustChangePassword, "must-change-password")
            : new(SignInOutcome.Success, check.UsedPrevious ? PreviousSecretDetail : "");
    }

    /// <summary>
    /// Records a sign-in whose password was checked by an earlier <see cref="SignInAsync{T}"/> that was held back (強制ログイン's
    /// OK): as a success, in one UPDATE that holds only if the holder is unchanged since, may still sign in and is not locked.
    /// Call it inside the commit that starts the session.
    /// </summary>
    public Task<bool> CompleteHeldSignInAsync<T>(CredentialStore<T> store, T holder, CancellationToken cancellationToken)
        where T : class, ICredentialHolder
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(holder);
        return RecordSuccessAsync(store, holder, time.GetUtcNow().UtcDateTime, newHash: null, loggedIn: true, cancellationToken);
    }

    /// <summary>Whether <paramref name="holder"/> must change its password before anything else: temporary, or past its expiry.</summary>
    public static bool MustChangeAt(ICredentialHolder holder, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(holder);
        return holder.MustChangePassword || (holder.PasswordExpiresAt is { } expiry && expiry <= nowUtc);
    }

    /// <summary>A new temporary password's hash and expiry on <paramref name="holder"/> (tracked or new); returns the plain password to show once.</summary>
    /// <remarks>
    /// The previous hash joins the history, the holder must change the password at its next sign-in (within
    /// <see cref="Passwords.PasswordOptions.TemporaryPasswordValidity"/>), the failure count and any lock are cleared, and the security
    /// stamp rotates: every session of the holder is refused from the caller's commit on.
    /// </remarks>
    public async Task<string> IssueTemporaryAsync<T>(CredentialStore<T> store, T holder, string userId, CancellationToken cancellationToken)
        where T : class, ICredentialHolder
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(holder);
        var now = time.GetUtcNow().UtcDateTime;
        var password = generator.Generate(userId);
        if (holder.Id != 0 && store.KeepsHistory)
        {
            await store.PushHistoryAsync(db, holder.Id, holder.PasswordHash, now, policy.HistoryEntriesKept, cancellationToken);
        }

        holder.PasswordHash = hasher.Hash(password);
        holder.MustChangePassword = true;
        holder.PasswordChangedAt = now;
        holder.PasswordExpiresAt = policy.TemporaryExpiry(now);
        ClearPrevious(holder);
        ClearLock(holder);
        holder.SecurityStamp = NewStamp();
        return password;
    }

    /// <summary>
    /// A new secret on a 連携アプリ用 / Web API用 account <paramref name="holder"/> (tracked or new; SPEC §12): registration and
    /// パスワード初期化 of a machine account. Returns the plain secret to show once.
    /// </summary>
    /// <remarks>
    /// The secret is generated with <see cref="Passwords.PasswordOptions.MachineSecretLength"/> characters (13 or more) and set into the
    /// client as issued: not temporary and never expiring. Any previous secret still in its grace ends, the failure count and
    /// any lock are cleared, and the security stamp rotates, so every session and token of the holder is refused from the
    /// caller's commit on — the answer to a leaked secret. (No history entry: a generated secret is never typed again.)
    /// </remarks>
    public string IssueMachineSecret<T>(T holder, string userId)
        where T : class, IRotatingCredentialHolder
    {
        ArgumentNullException.ThrowIfNull(holder);
        ArgumentNullException.ThrowIfNull(userId);
        var secret = generator.GenerateMachineSecret(userId);
        SetMachineSecret(holder, secret, time.GetUtcNow().UtcDateTime);
        ClearPrevious(holder);
        ClearLock(holder);
        holder.SecurityStamp = NewStamp();
        return secret;
    }

    /// <summary>
    /// シークレットの更新（ローテーション）of a machine account <paramref name="holder"/> (tracked): a new secret as
    /// <see cref="IssueMachineSecret{T}"/>, while the current one moves to <see cref="IRotatingCredentialHolder.PreviousPasswordHash"/>
    /// and still signs in for <paramref name="grace"/> (default <see cref="Passwords.PasswordOptions.MachineSecretRotationGrace"/>), so the
    /// client is not stopped before the new secret is set into it. Returns the plain secret to show once.
    /// </summary>
    /// <remarks>
    /// The security stamp does not rotate (the client's live tokens go on) and the lock is not touched. Rotating again inside
    /// the grace ends the oldest secret at once: there are never more than two.
    /// </remarks>
    public string RotateMachineSecret<T>(T holder, string userId, TimeSpan? grace = null)
        where T : class, IRotatingCredentialHolder
    {
        ArgumentNullException.ThrowIfNull(holder);
        ArgumentNullException.ThrowIfNull(userId);
        var period = grace ?? policy.MachineSecretRotationGrace;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(period, TimeSpan.Zero, nameof(grace));
        var now = time.GetUtcNow().UtcDateTime;
        var secret = generator.GenerateMachineSecret(userId);
        if (holder.PasswordHash.Length > 0)
        {
            holder.PreviousPasswordHash = holder.PasswordHash;
            holder.PreviousPasswordValidUntil = now + period;
        }
        else
        {
            ClearPrevious(holder);
        }

        SetMachineSecret(holder, secret, now);
        return secret;
    }

    /// <summary>Ends a previous secret still in its grace (<see cref="RotateMachineSecret{T}"/>), if the holder's kind keeps one.</summary>
    public static void ClearPrevious(ICredentialHolder holder)
    {
        if (holder is IRotatingCredentialHolder rotating)
        {
            rotating.PreviousPasswordHash = null;
            rotating.PreviousPasswordValidUntil = null;
        }
    }

    /// <summary>
    /// Replaces the credential of <paramref name="holder"/> (tracked) with <paramref name="newHash"/>, a secret its owner
    /// chose or that is delivered on paper (a 秘密の番号): not temporary, no expiry, lock cleared, stamp rotated.
    /// </summary>
    public void Replace<T>(T holder, string newHash)
        where T : class, ICredentialHolder
    {
        ArgumentNullException.ThrowIfNull(holder);
        ArgumentException.ThrowIfNullOrEmpty(newHash);
        holder.PasswordHash = newHash;
        holder.PasswordChangedAt = time.GetUtcNow().UtcDateTime;
        holder.MustChangePassword = false;
        holder.PasswordExpiresAt = null;
        ClearLock(holder);
        holder.SecurityStamp = NewStamp();
    }

    /// <summary>Clears the failure count and any lock of <paramref name="holder"/> (tracked): an unlock.</summary>
    public static void ClearLock(ICredentialHolder holder)
    {
        ArgumentNullException.ThrowIfNull(holder);
        holder.LockoutEnd = null;
        holder.AccessFailedCount = 0;
    }

    /// <summary>A new random security stamp.</summary>
    public static string NewStamp() => Guid.NewGuid().ToString("N");

    /// <summary>The result of <see cref="VerifyAsync{T}"/>; <paramref name="UsedPrevious"/>: the previous secret matched, not the current one.</summary>
    private sealed record VerifyResult(PasswordVerificationResult Verification, bool Locked, LockTaken? Lock, bool UsedPrevious = false);

    private void SetMachineSecret(ICredentialHolder holder, string secret, DateTime now)
    {
        holder.PasswordHash = hasher.Hash(secret);
        holder.PasswordChangedAt = now;
        holder.MustChangePassword = false;
        holder.PasswordExpiresAt = null;
    }

    /// <summary>
    /// One verification under the lockout rule: an attempt slot is taken first (refused once they are used up or the holder
    /// is locked: then the dummy verification keeps the cost the same), the password is verified once, and a failure that
    /// used the last slot locks the holder. With <paramref name="rotateStampOnLock"/> (a signed-in re-authentication) the
    /// lock also ends the holder's sessions, the one that asked included. With <paramref name="acceptPrevious"/> (a sign-in) a
    /// password that is not the current one is verified again against a previous secret still in its grace: the same one
    /// attempt slot, at the cost of a second hash (docs/security.md, "Machine-account secrets").
    /// </summary>
    private async Task<VerifyResult> VerifyAsync<T>(CredentialStore<T> store, T holder, string password, DateTime now, bool rotateStampOnLock,
        bool acceptPrevious, CancellationToken cancellationToken)
        where T : class, ICredentialHolder
    {
        var max = lockout.MaxFailedAccessAttempts;
        var id = holder.Id;
        // The attempt counter: no cached read carries it.
        db.DeclareNeutralWrite(typeof(T));
        var taken = await store.Holders(db)
            .Where(a => a.Id == id && (a.LockoutEnd == null || a.LockoutEnd <= now) && a.AccessFailedCount < max)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.AccessFailedCount, a => a.AccessFailedCount + 1), cancellationToken);
        if (taken != 1)
        {
            hasher.VerifyDummy(password);
            return new(PasswordVerificationResult.Failed, Locked: true, Lock: null);
        }

        var result = hasher.Verify(holder.PasswordHash, password);
        if (result != PasswordVerificationResult.Failed)
        {
            return new(result, Locked: false, Lock: null);
        }

        if (acceptPrevious && holder is IRotatingCredentialHolder { PreviousPasswordHash: { Length: > 0 } previous, PreviousPasswordValidUntil: { } validUntil }
            && now < validUntil && hasher.Verify(previous, password) != PasswordVerificationResult.Failed)
        {
            return new(PasswordVerificationResult.Success, Locked: false, Lock: null, UsedPrevious: true);
        }

        var untilUnlocked = store.LocksUntilUnlocked(holder);
        var until = untilUnlocked ? DateTime.MaxValue : now + lockout.LockoutDuration;
        var stamp = rotateStampOnLock ? NewStamp() : null;
        if (Caching.CacheKeys.For(typeof(T), id) is { } lockedKey)
        {
            // The stamp may rotate: the holder's cached sessions go.
            db.InvalidateOnCommit(lockedKey);
        }

        var locked = await store.Holders(db)
            .Where(a => a.Id == id && a.AccessFailedCount >= max && (a.LockoutEnd == null || a.LockoutEnd <= now))
            .ExecuteUpdateAsync(s => s
                .SetProperty(a => a.LockoutEnd, until)
                .SetProperty(a => a.AccessFailedCount, 0)
                .SetProperty(a => a.SecurityStamp, a => stamp ?? a.SecurityStamp), cancellationToken);
        return new(result, Locked: false, locked == 1 ? new LockTaken(untilUnlocked ? "until-unlocked" : "timed") : null);
    }

    /// <summary>A right password: failures and lock cleared, only if the holder is unchanged, may sign in and is not locked at this instant.</summary>
    private async Task<bool> RecordSuccessAsync<T>(CredentialStore<T> store, T holder, DateTime now, string? newHash, bool loggedIn,
        CancellationToken cancellationToken)
        where T : class, ICredentialHolder
    {
        var id = holder.Id;
        var stamp = holder.SecurityStamp;
        // The counter, the lock, the last login and a re-hash: no cached read carries them.
        db.DeclareNeutralWrite(typeof(T));
        var updated = await store.Holders(db)
            .Where(a => a.Id == id && a.SecurityStamp == stamp && (a.LockoutEnd == null || a.LockoutEnd <= now))
            .Where(store.MaySignIn)
            .ExecuteUpdateAsync(s => s
                .SetProperty(a => a.AccessFailedCount, 0)
                .SetProperty(a => a.LockoutEnd, (DateTime?)null)
                .SetProperty(a => a.LastLoginAt, a => loggedIn ? now : a.LastLoginAt)
                .SetProperty(a => a.PasswordHash, a => newHash ?? a.PasswordHash), cancellationToken);
        return updated == 1;
    }
}
