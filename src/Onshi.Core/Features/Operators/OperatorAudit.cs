using Onshi.Core.Features.Sessions;

namespace Onshi.Core.Features.Operators;

/// <summary>
/// Audit action codes of the operator console (those of the OQS are in <c>AuditActions</c>). Operator rows carry
/// the actor as <see cref="OperatorAudit.Actor"/> (<c>op:</c> + user ID), so they never mix with OQS user IDs.
/// </summary>
public static class OperatorAuditActions
{
    public const string Login = "operator.login";
    public const string Logout = "operator.logout";
    public const string SessionEnd = "operator.session.end";
    public const string Lockout = "operator.lockout";
    public const string PasswordChange = "operator.password.change";
    public const string Create = "operator.create";
    public const string AccessDenied = "operator.access.denied";
    public const string SecretReissue = "secret.reissue";
    public const string SecretNoticeDownload = "secret.notice.download";
}

/// <summary>Helpers for the audit rows of operators.</summary>
public static class OperatorAudit
{
    /// <summary>The prefix of an operator actor in the 操作ログ.</summary>
    public const string ActorPrefix = "op:";

    /// <summary>The audit actor of an operator's user ID.</summary>
    public static string Actor(string userId) => ActorPrefix + userId;
}

/// <summary>Why an operator session ended (stored in the session row and audited).</summary>
public static class OperatorSessionEndReasons
{
    public const string Logout = "logout";
    public const string SecretReissued = "secret-reissued";

    /// <summary>The operator changed its own password in another session.</summary>
    public const string PasswordChanged = SessionEndReasons.PasswordChanged;
}
