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
            Actor = userId,
            Target = userId,
            CertificateSerial = terminal.SerialNumber,
            ClientAddress = clientAddress,
        };

        if (throttle.IsThrottled(certKey, opts.MaxFailuresPerCertificate) || throttle.IsThrottled(addrKey, opts.MaxFailuresPerAddress))
        {
            audit.Record(baseRecord with { Outcome = AuditOutcomes.Denied, Detail = "throttled" });
            await audit.CommitAsync(cancellationToken);
            return new LoginResult(LoginOutcome.Throttled);
        }

        var normalized = userId.ToUpperInvariant();
        var account = userId.Length is 0 or > 16 ? null : await db.Accounts
            .FirstOrDefaultAsync(a => a.Environment == environment && a.NormalizedUserId == normalized, cancellationToken);

        if (account is null || account.InstitutionId != terminal.InstitutionId)
        {
            hasher.VerifyDummy(password);
            return await FailAsync(baseRecord with { Detail = account is null ? "unknown-user" : "other-institution" }, certKey, addrKey, cancellationToken);
        }

        baseRecord = baseRecord with { Actor = account.UserId, ActorKind = account.Kind, Target = account.UserId };
        var now = time.GetUtcNow().UtcDateTime;
        var verification = hasher.VerifyHashedPassword(account, account.PasswordHash, password);

        if (account.Status != AccountStatus.Active)
        {
            return await FailAsync(baseRecord with { Detail = "disabled" }, certKey, addrKey, cancellationToken);
        }

        if (account.IsLockedAt(now))
        {
            return await FailAsync(baseRecord with { Detail = "locked" }, certKey, addrKey, cancellationToken);
        }

        if (verification == PasswordVerificationResult.Failed)
        {
            account.AccessFailedCount++;
            var detail = "wrong-password";
            if (account.AccessFailedCount >= opts.MaxFailedAccessAttempts)
            {
                account.LockoutEnd = account.Kind == AccountKind.MasterReset ? DateTime.MaxValue : now + opts.LockoutDuration;
                account.AccessFailedCount = 0;
                detail = "wrong-password-locked";
                audit.Record(baseRecord with
                {
                    Action = AuditActions.Lockout,
                    Outcome = AuditOutcomes.Success,
                    Actor = "system",
                    ActorKind = null,
                    Detail = account.Kind == AccountKind.MasterReset ? "until-unlocked" : "timed",
                });
            }

            return await FailAsync(baseRecord with { Detail = detail }, certKey, addrKey, cancellationToken);
        }

        account.AccessFailedCount = 0;
        account.LockoutEnd = null;
        if (account.MustChangePassword && account.PasswordExpiresAt is { } tempExpiry && tempExpiry <= now)
        {
            audit.Record(baseRecord with { Detail = "temporary-password-expired" });
            await audit.CommitAsync(cancellationToken);
            return new LoginResult(LoginOutcome.TemporaryPasswordExpired);
        }

        if (verification == PasswordVerificationResult.SuccessRehashNeeded)
        {
            account.PasswordHash = hasher.HashPassword(account, password);
        }

        account.LastLoginAt = now;
        var session = sessions.Start(account, terminal.Thumbprint, clientAddress);
        var mustChange = account.MustChangePassword || (account.PasswordExpiresAt is { } expiry && expiry <= now);
        audit.Record(baseRecord with { Outcome = AuditOutcomes.Success, Detail = mustChange ? "must-change-password" : "" });
        try
        {
            await audit.CommitAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // The account changed under us (its password was just initialized, or it was disabled): no session.
            db.ChangeTracker.Clear();
            return await FailAsync(baseRecord with { Detail = "concurrent-change" }, certKey, addrKey, cancellationToken);
        }

        return new LoginResult(mustChange ? LoginOutcome.MustChangePassword : LoginOutcome.Success, session.Key);
    }

    private async Task<LoginResult> FailAsync(AuditRecord record, string certKey, string addrKey, CancellationToken cancellationToken)
    {
        throttle.RecordFailure(certKey);
        throttle.RecordFailure(addrKey);
        audit.Record(record);
        try
        {
            await audit.CommitAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // The failure count lost a race with another change of the account; record the attempt alone.
            db.ChangeTracker.Clear();
            audit.Record(record with { Detail = record.Detail + "-uncounted" });
            await audit.CommitAsync(cancellationToken);
        }

        return new LoginResult(LoginOutcome.Failed);
    }
}
