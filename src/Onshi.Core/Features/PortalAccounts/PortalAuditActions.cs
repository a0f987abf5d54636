using Onshi.Core.Features.Audit;

namespace Onshi.Core.Features.PortalAccounts;

/// <summary>The portal's action codes in the 操作ログ.</summary>
public static class PortalAuditActions
{
    public const string Register = "portal.register";
    public const string Verify = "portal.verify";
    public const string Login = "portal.login";
    public const string Logout = "portal.logout";
    public const string SessionEnd = "portal.session.end";
    public const string Lockout = "portal.lockout";
    public const string ResetRequest = "portal.password.reset-request";
    public const string Reset = "portal.password.reset";

    /// <summary>The sweep deleted registrations whose verification link expired unused (actor <c>system</c>, detail <c>rows=N</c>).</summary>
    public const string UnverifiedPurge = "portal.register.purge";

    /// <summary>The actor of an attempt that names no portal user (what was typed is never recorded).</summary>
    public const string UnknownUser = "(unknown)";

    /// <summary>How a portal user appears in the log: by id, so that no e-mail address is written into the append-only chain.</summary>
    public static string Actor(long portalUserId) => "portal-user#" + portalUserId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A portal audit row about <paramref name="userId"/> (null: no such user), acting on itself.</summary>
    public static AuditRecord Record(string action, string outcome, long? userId, string clientAddress, string detail) =>
        new(action, outcome)
        {
            Actor = userId is { } id ? Actor(id) : UnknownUser,
            Target = userId is { } t ? Actor(t) : "",
            Detail = detail,
            ClientAddress = clientAddress,
        };
}
