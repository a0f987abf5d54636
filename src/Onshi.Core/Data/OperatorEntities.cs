namespace Onshi.Core.Data;

/// <summary>What an operator of the running body may do.</summary>
public enum OperatorRole
{
    /// <summary>審査: reviews applications, issues and revokes certificates.</summary>
    Reviewer = 1,

    /// <summary>コールセンター: finds institutions, re-issues 秘密の番号, unlocks reset accounts.</summary>
    CallCenter = 2,

    /// <summary>管理: everything, including the audit log across institutions and operator accounts.</summary>
    Supervisor = 3,
}

/// <summary>An account of the operator / call-center console.</summary>
public sealed class OperatorAccount : Features.Credentials.ICredentialHolder
{
    public long Id { get; set; }

    public required string UserId { get; set; }

    public required string NormalizedUserId { get; set; }

    public required string DisplayName { get; set; }

    public OperatorRole Role { get; set; }

    public string PasswordHash { get; set; } = "";

    public bool MustChangePassword { get; set; }

    public DateTime? PasswordExpiresAt { get; set; }

    /// <summary>When the password was last set (creation, own change). Null for operators created before the column existed.</summary>
    public DateTime? PasswordChangedAt { get; set; }

    public int AccessFailedCount { get; set; }

    public DateTime? LockoutEnd { get; set; }

    public string SecurityStamp { get; set; } = Guid.NewGuid().ToString("N");

    public bool Disabled { get; set; }

    public DateTime? LastLoginAt { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>A previous password hash of an operator, for the "not one of the last N" rule (as <see cref="PasswordHistoryEntry"/>).</summary>
public sealed class OperatorPasswordHistoryEntry : Features.Credentials.IPasswordHistoryEntry
{
    public long Id { get; set; }

    public long OperatorAccountId { get; set; }

    public required string PasswordHash { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>A call to the コールセンター about an institution: who called, how they were verified, what was done.</summary>
public sealed class CallCenterContact
{
    public long Id { get; set; }

    public long InstitutionId { get; set; }

    public long OperatorAccountId { get; set; }

    /// <summary>The caller's name as given.</summary>
    public string CallerName { get; set; } = "";

    /// <summary>How the caller was verified (a code such as <c>registered-phone-callback</c>).</summary>
    public required string VerificationMethod { get; set; }

    /// <summary>What was done: <c>secret-reissue</c>, <c>reset-unlock</c>, <c>inquiry</c>.</summary>
    public required string Action { get; set; }

    public string Note { get; set; } = "";

    public DateTime At { get; set; }
}

/// <summary>
/// A 秘密の番号 re-issue of the コールセンター desk. <see cref="RequestId"/> is the token of the confirmation screen it was
/// made from (unique): a resubmitted, duplicated or replayed confirmation finds this row instead of issuing again. The
/// notice PDF (the only place the number exists in plain) is kept Data-Protection encrypted until
/// <see cref="NoticeExpiresAt"/> so that the same letter can be printed again; then it is erased.
/// </summary>
public sealed class SecretReissue
{
    public long Id { get; set; }

    /// <summary>The confirmation's request token (32 hex characters).</summary>
    public required string RequestId { get; set; }

    public long InstitutionId { get; set; }

    public long OperatorAccountId { get; set; }

    /// <summary>The environments re-issued, as <c>production</c>, <c>verification</c> or both (comma separated).</summary>
    public required string Environments { get; set; }

    public DateTime At { get; set; }

    public required string FileName { get; set; }

    /// <summary>The notice PDF, encrypted; null once <see cref="NoticeExpiresAt"/> has passed and it was swept.</summary>
    public byte[]? ProtectedNotice { get; set; }

    public DateTime NoticeExpiresAt { get; set; }
}
