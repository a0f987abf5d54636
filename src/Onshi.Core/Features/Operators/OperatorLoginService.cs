using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Caching;
using Onshi.Core.Features.Credentials;
using Onshi.Core.Features.Login;
using Onshi.Core.Features.Sessions;

namespace Onshi.Core.Features.Operators;

/// <summary>The result of <see cref="OperatorLoginService.LoginAsync"/>; <see cref="LoginOutcome"/> as in the OQS.</summary>
public sealed record OperatorLoginResult(LoginOutcome Outcome, string? SessionKey = null);

/// <summary>What an operator session needs of its account (held with the session by the authentication cache).</summary>
internal sealed record OperatorSessionSubject(long Id, string UserId, string DisplayName, OperatorRole Role, bool Disabled, string SecurityStamp,
    bool MustChangePassword, DateTime? PasswordExpiresAt);

/// <summary>The signed-in operator as every page sees it, validated on every request.</summary>
public sealed record OperatorPrincipal(
    long SessionId,
    string SessionKey,
    long OperatorId,
    string UserId,
    string DisplayName,
    OperatorRole Role,
    bool MustChangePassword,
    bool PasswordExpired) : ISessionPrincipal
{
    public bool Can(OperatorCapability capability) => OperatorPermissions.Allows(Role, capability);
}

/// <summary>
/// Login to the operator console (the OQS rules through the credential kernel: a throttle slot per address first, one
/// generic failure, the same Argon2id cost for unknown IDs, atomic lockout), its sessions through
/// <see cref="SiteSessionService"/> (<see cref="Sites.Operator"/>, subject = <see cref="OperatorAccount.Id"/>) and logout.
/// Every step is audited with <see cref="OperatorAuditActions"/>.
/// </summary>
public sealed class OperatorLoginService(
    OnshiDbContext db,
    CredentialService credentials,
    SiteSessionService sessions,
    AuditLog audit,
    RefusalAuditGate refusals,
    ILoginThrottle throttle,
    TimeProvider time,
    IOptions<LoginOptions> loginOptions)
{
    /// <summary>The audit actor of a login attempt with an ID that names no operator (the typed text is never kept).</summary>
    public const string UnknownUser = "(unknown)";

    private readonly LoginOptions opts = loginOptions.Value;

    /// <summary>Logs an operator in; on success the result carries the new session's key for the cookie.</summary>
    public async Task<OperatorLoginResult> LoginAsync(string? userId, string? password, string clientAddress,
        CancellationToken cancellationToken = default)
    {
        userId = (userId ?? "").Trim();
        var record = new AuditRecord(OperatorAuditActions.Login, AuditOutcomes.Failure) { Actor = UnknownUser, ClientAddress = clientAddress };

        // The attempt takes its throttle slot before anything is checked; only a success gives it back.
        if (await throttle.TryAcquireAllAsync([("op-addr:" + clientAddress, opts.MaxFailuresPerAddress)], cancellationToken) is not { } slots)
        {
            // Anyone can keep asking: one row per address and interval, counting the attempts (issue 14, 13).
            await audit.RecordSummarisedAsync(refusals, "login-throttled|" + clientAddress,
                record with { Outcome = AuditOutcomes.Denied, Detail = "throttled" }, cancellationToken);
            return new OperatorLoginResult(LoginOutcome.Throttled);
        }

        var normalized = userId.ToUpperInvariant();
        var account = userId.Length is 0 or > 32 ? null
            : await db.OperatorAccounts.AsNoTracking().FirstOrDefaultAsync(o => o.NormalizedUserId == normalized, cancellationToken);
        if (account is not null)
        {
            var actor = OperatorAudit.Actor(account.UserId);
            record = record with { Actor = actor, Target = actor };
        }

        var result = await credentials.SignInAsync(OperatorCredentials.Instance, account, password, cancellationToken);
        if (result.Lock is { } taken)
        {
            audit.Record(record with { Action = OperatorAuditActions.Lockout, Outcome = AuditOutcomes.Success, Actor = "system", Detail = taken.Detail });
        }

        if (result.Outcome == SignInOutcome.Failed)
        {
            return await FailAsync(record with { Detail = result.Detail }, LoginOutcome.Failed, cancellationToken);
        }

        await throttle.ReleaseAsync(slots, cancellationToken);
        if (result.Outcome == SignInOutcome.TemporaryPasswordExpired)
        {
            return await FailAsync(record with { Detail = result.Detail }, LoginOutcome.TemporaryPasswordExpired, cancellationToken);
        }

        var sessionKey = sessions.Start(Sites.Operator, account!.Id, account.SecurityStamp, clientAddress);
        audit.Record(record with { Outcome = AuditOutcomes.Success, Detail = result.Detail });
        await audit.CommitAsync(cancellationToken);
        return new OperatorLoginResult(result.Outcome == SignInOutcome.MustChangePassword ? LoginOutcome.MustChangePassword : LoginOutcome.Success, sessionKey);
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

        var (session, a, _) = await sessions.ValidateAsync(Sites.Operator, key,
            (id, ct) => db.OperatorAccounts.AsNoTracking().Where(o => o.Id == id)
                .Select(o => new OperatorSessionSubject(o.Id, o.UserId, o.DisplayName, o.Role, o.Disabled, o.SecurityStamp, o.MustChangePassword,
                    o.PasswordExpiresAt))
                .FirstOrDefaultAsync(ct),
            o => o.Disabled ? null : o.SecurityStamp, CacheKeys.Operator,
            (o, endReason) => o is null ? null : SessionEndRecord(o.UserId, endReason, clientAddress), cancellationToken);
        if (session is null || a is null)
        {
            return null;
        }

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

    private async Task<OperatorLoginResult> FailAsync(AuditRecord record, LoginOutcome outcome, CancellationToken cancellationToken)
    {
        audit.Record(record);
        await audit.CommitAsync(cancellationToken);
        return new OperatorLoginResult(outcome);
    }
}
