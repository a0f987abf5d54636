namespace Onshi.Core.Features.Sessions;

/// <summary>
/// What every site's signed-in principal (<see cref="SessionPrincipal"/> of the OQS, the portal's and the console's)
/// tells the shared pipeline: whether the password must be changed before anything else.
/// </summary>
public interface ISessionPrincipal
{
    /// <summary>The password is temporary (issued by someone else) and must be changed at once.</summary>
    bool MustChangePassword { get; }

    /// <summary>The password has passed its パスワード有効期限 and must be changed at once.</summary>
    bool PasswordExpired { get; }
}
