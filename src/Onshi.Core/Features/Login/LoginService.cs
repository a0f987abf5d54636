using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Passwords;
using Onshi.Core.Features.Sessions;

namespace Onshi.Core.Features.Login;

/// <summary>How a login attempt ended.</summary>
public enum LoginOutcome
{
    /// <summary>Logged in; the password is current.</summary>
    Success = 0,

    /// <summary>Logged in, but the password must be changed before anything else (temporary or expired).</summary>
    MustChangePassword = 1,

    /// <summary>Wrong ID or password, unknown ID, other institution, disabled or locked: one generic answer.</summary>
    Failed = 2,

    /// <summary>The temporary password was right but its validity has passed.</summary>
    TemporaryPasswordExpired = 3,

    /// <summary>Too many failures from this terminal or address.</summary>
    Throttled = 4,
}

/// <summary>The result of <see cref="LoginService.LoginAsync"/>.</summary>
public sealed record LoginResult(LoginOutcome Outcome, string? SessionKey = null)
{
    /// <summary>The message shown for <see cref="LoginOutcome.Failed"/>: the same whatever went wrong.</summary>
    public const string GenericFailureMessage =
        "ユーザIDまたはパスワードが正しくありません。続けて誤るとアカウントがロックされます。分からない場合は、管理者またはマスタアカウントの利用者にご確認ください。";

    public const string ThrottledMessage =
        "ログインの失敗が続いたため、この端末からのログインを一時的に制限しています。しばらく時間をおいてから再度お試しください。";

    public const string TemporaryExpiredMessage =
        "初期化後のパスワードの有効期限が切れています。管理者またはマスタアカウントの利用者に、パスワードの初期化を依頼してください。";
}

/// <summary>
/// Login to the OQS (SPEC §4): the account must belong to the certificate's institution and this deployment's
/// environment; one generic failure for every wrong case, with the same cost (one Argon2id verification) whether or
/// not the ID exists; lockout after consecutive failures; a throttle per terminal and per address.
/// </summary>
public sealed class LoginService(
    OnshiDbContext db,
    Argon2idPasswordHasher hasher,
    SessionService sessions,
    AuditLog audit,
    ILoginThrottle throttle,
    TimeProvider time,
    IOptions<LoginOptions> options)
{
    private readonly LoginOptions opts = options.Value;

    public async Task<LoginResult> LoginAsync(OqsEnvironment environment, TerminalIdentity terminal, string? userId, string? password,
        string clientAddress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(terminal);
        userId = (userId ?? "").Trim();
        password ??= "";
        var certKey = "cert:" + terminal.Thumbprint;
        var addrKey = "addr:" + clientAddress;
        var baseRecord = new AuditRecord(AuditActions.Login, AuditOutcomes.Failure)
        {
            Environment = environment,
            InstitutionId = terminal.InstitutionId,
            InstitutionCode = terminal.InstitutionCode,
            Actor = UnknownUser,
            CertificateSerial = terminal.SerialNumber,
            ClientAddress = clientAddress,
        };

        // Every attempt takes a throttle slot before anything is checked; only a success gives it back.
        if (await throttle.TryAcquireAsync(certKey, opts.MaxFailuresPerCertificate, cancellationToken) is not { } certSlot)
        {
            return await DeniedAsync(baseRecord with { Outcome = AuditOutcomes.Denied, Detail = "throttled" }, cancellationToken);
        }

        if (await throttle.TryAcquireAsync(addrKey, opts.MaxFailuresPerAddress, cancellationToken) is not { } addrSlot)
        {
            await throttle.ReleaseAsync([certSlot], cancellationToken);
            return await DeniedAsync(baseRecord with { Outcome = AuditOutcomes.Denied, Detail = "throttled" }, cancellationToken);
        }

        var normalized = userId.ToUpperInvariant();
        var account = userId.Length is 0 or > 16 ? null : await db.Accounts.AsNoTracking()
            .FirstOrDefaultAsync(a => a.Environment == environment && a.NormalizedUserId == normalized, cancellationToken);

        if (account is null || account.InstitutionId != terminal.InstitutionId)
        {
            hasher.VerifyDummy(password);
            if (account is not null)
            {
                // The attempt is told to the account's own institution; this terminal's log cannot tell it from an
                // unknown ID (no enumeration of other institutions' IDs), and no typed text is kept (it may be a password).
                audit.Record(new AuditRecord(AuditActions.Login, AuditOutcomes.Failure)
                {
                    Environment = environment,
                    InstitutionId = account.InstitutionId,
                    InstitutionCode = await db.Institutions.Where(i => i.Id == account.InstitutionId).Select(i => i.Code).FirstAsync(cancellationToken),
                    Actor = InstitutionActors.OtherInstitutionTerminal,
                    Target = account.UserId,
                    Detail = "other-institution",
                    CertificateSerial = terminal.SerialNumber,
                    ClientAddress = clientAddress,
                });
            }

            return await DeniedAsync(baseRecord with { Detail = "unknown-user" }, cancellationToken);
        }

        baseRecord = baseRecord with { Actor = account.UserId, ActorKind = account.Kind, Target = account.UserId };
        var now = time.GetUtcNow().UtcDateTime;
        if (account.Status != AccountStatus.Active)
        {
            hasher.VerifyDummy(password);
            return await DeniedAsync(baseRecord with { Detail = "disabled" }, cancellationToken);
        }

        if (!await Lockout.TryBeginAttemptAsync(db, account.Id, now, opts, cancellationToken))
        {
            hasher.VerifyDummy(password);
            return await DeniedAsync(baseRecord with { Detail = "locked" }, cancellationToken);
        }

        var verification = hasher.VerifyHashedPassword(account, account.PasswordHash, password);
        if (verification == PasswordVerificationResult.Failed)
        {
            var detail = "wrong-password";
            if (await Lockout.LockIfExhaustedAsync(db, account, now, opts, rotateStamp: false, cancellationToken))
            {
                detail = "wrong-password-locked";
                audit.Record(baseRecord with
                {
                    Action = AuditActions.Lockout,
                    Outcome = AuditOutcomes.Success,
                    Actor = "system",
                    ActorKind = null,
                    Detail = Lockout.Detail(account),
                });
            }

            return await DeniedAsync(baseRecord with { Detail = detail }, cancellationToken);
        }

        if (account.MustChangePassword && account.PasswordExpiresAt is { } tempExpiry && tempExpiry <= now)
        {
            await ResetFailuresAsync(account, now, newHash: null, loggedIn: false, cancellationToken);
            await throttle.ReleaseAsync([certSlot, addrSlot], cancellationToken);
            audit.Record(baseRecord with { Detail = "temporary-password-expired" });
            await audit.CommitAsync(cancellationToken);
            return new LoginResult(LoginOutcome.TemporaryPasswordExpired);
        }

        // Success only if the account is still unlocked and unchanged at this instant (one conditional UPDATE).
        var rehash = verification == PasswordVerificationResult.SuccessRehashNeeded ? hasher.HashPassword(account, password) : null;
        if (!await ResetFailuresAsync(account, now, rehash, loggedIn: true, cancellationToken))
        {
            return await DeniedAsync(baseRecord with { Detail = "concurrent-change" }, cancellationToken);
        }

        await throttle.ReleaseAsync([certSlot, addrSlot], cancellationToken);
        var sessionKey = sessions.Start(account, terminal.Thumbprint, clientAddress);
        var mustChange = account.MustChangePassword || (account.PasswordExpiresAt is { } expiry && expiry <= now);
        audit.Record(baseRecord with { Outcome = AuditOutcomes.Success, Detail = mustChange ? "must-change-password" : "" });
        await audit.CommitAsync(cancellationToken);
        return new LoginResult(mustChange ? LoginOutcome.MustChangePassword : LoginOutcome.Success, sessionKey);
    }

    /// <summary>The actor recorded for an ID that names no account of this terminal's institution.</summary>
    public const string UnknownUser = "(unknown)";

    private async Task<bool> ResetFailuresAsync(Account account, DateTime now, string? newHash, bool loggedIn, CancellationToken cancellationToken)
    {
        var stamp = account.SecurityStamp;
        var updated = await db.Accounts
            .Where(a => a.Id == account.Id && a.SecurityStamp == stamp && a.Status == AccountStatus.Active
                && (a.LockoutEnd == null || a.LockoutEnd <= now))
            .ExecuteUpdateAsync(s => s
                .SetProperty(a => a.AccessFailedCount, 0)
                .SetProperty(a => a.LockoutEnd, (DateTime?)null)
                .SetProperty(a => a.LastLoginAt, a => loggedIn ? now : a.LastLoginAt)
                .SetProperty(a => a.PasswordHash, a => newHash ?? a.PasswordHash), cancellationToken);
        return updated == 1;
    }

    private async Task<LoginResult> DeniedAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        audit.Record(record);
        await audit.CommitAsync(cancellationToken);
        return new LoginResult(record.Detail == "throttled" ? LoginOutcome.Throttled : LoginOutcome.Failed);
    }
}
