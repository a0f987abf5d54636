using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Caching;
using Onshi.Core.Features.Credentials;
using Onshi.Core.Features.Login;
using Onshi.Core.Features.Sessions;

namespace Onshi.Core.Features.PortalAccounts;

/// <summary>How a portal login attempt ended.</summary>
public enum PortalLoginOutcome
{
    /// <summary>Logged in; <see cref="PortalLoginResult.SessionKey"/> holds the new session's key.</summary>
    Success = 0,

    /// <summary>Unknown, unconfirmed, wrong password or locked: one generic answer.</summary>
    Failed = 1,

    /// <summary>Too many failures from this client address.</summary>
    Throttled = 2,
}

/// <summary>The result of <see cref="PortalLoginService.LoginAsync"/>.</summary>
public sealed record PortalLoginResult(PortalLoginOutcome Outcome, string? SessionKey = null, LoginOptions? Lockout = null)
{
    /// <summary>The message to show for a failure.</summary>
    public string? Message => Outcome switch
    {
        PortalLoginOutcome.Failed => PortalAccountErrors.GenericLoginFailure(Lockout ?? new LoginOptions()),
        PortalLoginOutcome.Throttled => PortalAccountErrors.Throttled,
        _ => null,
    };
}

/// <summary>What a portal session needs of its user (held with the session by the authentication cache).</summary>
internal sealed record PortalSessionSubject(long Id, string Email, string DisplayName, bool EmailConfirmed, string SecurityStamp);

/// <summary>The signed-in portal user, as every page sees it (read on every request).</summary>
public sealed record PortalPrincipal(long SessionId, long UserId, string Email, string DisplayName) : ISessionPrincipal
{
    /// <summary>Never: a portal user's password is its own choice and does not expire (<see cref="PortalUserCredentials"/>).</summary>
    bool ISessionPrincipal.MustChangePassword => false;

    bool ISessionPrincipal.PasswordExpired => false;
}

/// <summary>
/// Login to the portal with the OQS's rules through the credential kernel (the client address's throttle slot first; one
/// generic failure for unknown, unconfirmed, wrong and locked at the cost of one Argon2id verification; atomic lockout),
/// its sessions (<see cref="SiteSessionService"/>, <see cref="Sites.Portal"/>) and logout.
/// </summary>
public sealed class PortalLoginService(
    OnshiDbContext db,
    CredentialService credentials,
    SiteSessionService sessions,
    AuditLog audit,
    RefusalAuditGate refusals,
    ILoginThrottle throttle,
    IOptions<LoginOptions> loginOptions)
{
    private readonly LoginOptions login = loginOptions.Value;

    /// <summary>
    /// Login with the OQS's rules: the client address's throttle slot is taken first; unknown, unconfirmed, wrong and
    /// locked all give one answer at the cost of one Argon2id verification; failures lock the user atomically.
    /// </summary>
    public async Task<PortalLoginResult> LoginAsync(string? email, string? password, string clientAddress, CancellationToken cancellationToken = default)
    {
        email = (email ?? "").Trim();
        if (await throttle.TryAcquireAllAsync([("portal-addr:" + clientAddress, login.MaxFailuresPerAddress)], cancellationToken) is not { } slots)
        {
            // Anyone can keep asking: one row per address and interval, counting the attempts (issue 14, 13).
            await audit.RecordSummarisedAsync(refusals, "login-throttled|" + clientAddress,
                PortalAuditActions.Record(PortalAuditActions.Login, AuditOutcomes.Denied, null, clientAddress, "throttled"), cancellationToken);
            return new PortalLoginResult(PortalLoginOutcome.Throttled);
        }

        var normalized = PortalEmail.Normalize(email);
        var user = email.Length is 0 or > PortalAccountErrors.MaxEmailLength ? null
            : await db.PortalUsers.AsNoTracking().FirstOrDefaultAsync(u => u.NormalizedEmail == normalized, cancellationToken);
        var result = await credentials.SignInAsync(PortalUserCredentials.Instance, user, password, cancellationToken);
        if (result.Lock is { } taken)
        {
            audit.Record(PortalAuditActions.Record(PortalAuditActions.Lockout, AuditOutcomes.Success, user!.Id, clientAddress, taken.Detail) with { Actor = "system" });
        }

        if (!result.SignedIn)
        {
            // A portal password is never temporary, so only Failed comes here.
            audit.Record(PortalAuditActions.Record(PortalAuditActions.Login, AuditOutcomes.Failure, user?.Id, clientAddress, result.Detail));
            await audit.CommitAsync(cancellationToken);
            return new PortalLoginResult(PortalLoginOutcome.Failed, Lockout: login);
        }

        await throttle.ReleaseAsync(slots, cancellationToken);
        var sessionKey = sessions.Start(Sites.Portal, user!.Id, user.SecurityStamp, clientAddress);
        audit.Record(PortalAuditActions.Record(PortalAuditActions.Login, AuditOutcomes.Success, user.Id, clientAddress, ""));
        await audit.CommitAsync(cancellationToken);
        return new PortalLoginResult(PortalLoginOutcome.Success, sessionKey);
    }

    /// <summary>
    /// The session with <paramref name="key"/>, if it is open, within its limits, and its user is confirmed with the
    /// same security stamp; ends (and audits) it otherwise.
    /// </summary>
    public async Task<PortalPrincipal?> ValidateSessionAsync(string key, CancellationToken cancellationToken = default)
    {
        var (session, user, _) = await sessions.ValidateAsync(Sites.Portal, key,
            (id, ct) => db.PortalUsers.AsNoTracking().Where(u => u.Id == id)
                .Select(u => new PortalSessionSubject(u.Id, u.Email, u.DisplayName, u.EmailConfirmed, u.SecurityStamp)).FirstOrDefaultAsync(ct),
            u => u.EmailConfirmed ? u.SecurityStamp : null, CacheKeys.PortalUser,
            (u, endReason) => u is null ? null : SessionEndRecord(u.Id, endReason), cancellationToken);

        return session is null || user is null ? null : new PortalPrincipal(session.SessionId, user.Id, user.Email, user.DisplayName);
    }

    /// <summary>ログアウト: ends the session (audited). False when there was no open session with this key.</summary>
    public async Task<bool> LogoutAsync(string? sessionKey, string clientAddress, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(sessionKey))
        {
            return false;
        }

        // The end and its audit row are one commit.
        var subject = await sessions.EndAsync(Sites.Portal, sessionKey, SessionEndReasons.Logout,
            (id, _) => Task.FromResult<AuditRecord?>(PortalAuditActions.Record(PortalAuditActions.Logout, AuditOutcomes.Success, id, clientAddress, SessionEndReasons.Logout)), cancellationToken);
        return subject is not null;
    }

    /// <summary>The audit row of a portal session ended by the system (idle, absolute, disabled, stamp changed).</summary>
    internal static AuditRecord SessionEndRecord(long userId, string reason) =>
        PortalAuditActions.Record(PortalAuditActions.SessionEnd, AuditOutcomes.Success, userId, "", reason);

}
