namespace Onshi.Core.Features.Credentials;

/// <summary>
/// The credential columns of every kind of account that signs in with a password: the OQS account
/// (<see cref="Data.Account"/>), the portal user (<see cref="Data.PortalUser"/>) and the operator
/// (<see cref="Data.OperatorAccount"/>). <see cref="CredentialService"/> is the one code that reads and writes them.
/// </summary>
public interface ICredentialHolder
{
    long Id { get; }

    /// <summary>PHC-formatted Argon2id hash (algorithm and parameters included).</summary>
    string PasswordHash { get; set; }

    /// <summary>When the password was last set.</summary>
    DateTime? PasswordChangedAt { get; set; }

    /// <summary>When the password expires; null when it does not (13+ characters, or a kind whose passwords never expire).</summary>
    DateTime? PasswordExpiresAt { get; set; }

    /// <summary>True while the password is temporary (issued by someone else) and must be changed before anything else.</summary>
    bool MustChangePassword { get; set; }

    /// <summary>Attempt slots taken since the last success (<see cref="Login.LoginOptions.MaxFailedAccessAttempts"/>).</summary>
    int AccessFailedCount { get; set; }

    /// <summary>Locked until this instant (UTC); <see cref="DateTime.MaxValue"/> = until someone unlocks it.</summary>
    DateTime? LockoutEnd { get; set; }

    DateTime? LastLoginAt { get; set; }

    /// <summary>Changes whenever the holder's sessions (and outstanding links) must end.</summary>
    string SecurityStamp { get; set; }
}

/// <summary>
/// A holder whose secret can be rotated with a grace period (the OQS account; used by its machine kinds, SPEC §12): after
/// <see cref="CredentialService.RotateMachineSecret{T}"/> the previous secret still signs in until
/// <see cref="PreviousPasswordValidUntil"/>, so the client that holds it is not stopped while the new one is set into it.
/// </summary>
public interface IRotatingCredentialHolder : ICredentialHolder
{
    /// <summary>The hash of the secret before the last rotation; null when there is none.</summary>
    string? PreviousPasswordHash { get; set; }

    /// <summary>Until when (UTC, exclusive) <see cref="PreviousPasswordHash"/> signs in; null when there is none.</summary>
    DateTime? PreviousPasswordValidUntil { get; set; }
}

/// <summary>A previous password hash of a holder, for the "not one of the last N" rule.</summary>
public interface IPasswordHistoryEntry
{
    string PasswordHash { get; }

    DateTime CreatedAt { get; }
}
