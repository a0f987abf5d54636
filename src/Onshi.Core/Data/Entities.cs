namespace Onshi.Core.Data;

/// <summary>The environment a deployment runs (SPEC §2). A deployment serves exactly one.</summary>
public enum OqsEnvironment
{
    /// <summary>本番環境.</summary>
    Production = 1,

    /// <summary>接続確認環境.</summary>
    Verification = 2,
}

/// <summary>The eight account kinds of SPEC §3. The numeric order is not a rank; see <c>PermissionMatrix</c>.</summary>
public enum AccountKind
{
    Master = 1,
    MasterReset = 2,
    Admin = 3,
    General = 4,
    MedicalInfo = 5,
    LinkedApp = 6,
    WebApi = 7,
    FaceAuth = 8,
}

/// <summary>Whether an account may log in at all. ロック中 is derived from <see cref="Account.LockoutEnd"/>.</summary>
public enum AccountStatus
{
    Active = 1,
    Disabled = 2,
}

/// <summary>医療機関等 — the tenant.</summary>
public sealed class Institution
{
    public long Id { get; set; }

    /// <summary>The 10-digit 医療機関等コード, validated by <c>InstitutionCode</c>.</summary>
    public required string Code { get; set; }

    public required string Name { get; set; }

    public string Address { get; set; } = "";

    public string Phone { get; set; } = "";

    /// <summary>The registered contact: the portal user whose 利用申請 created it (one portal account per institution code).</summary>
    public long? ContactPortalUserId { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>An OQS account of one institution in one environment.</summary>
public sealed class Account : Features.Credentials.IRotatingCredentialHolder
{
    public long Id { get; set; }

    public long InstitutionId { get; set; }

    public Institution? Institution { get; set; }

    public OqsEnvironment Environment { get; set; }

    /// <summary>The user ID as shown and typed (ユーザID).</summary>
    public required string UserId { get; set; }

    /// <summary>Upper-invariant user ID; unique per environment, used for lookups.</summary>
    public required string NormalizedUserId { get; set; }

    /// <summary>ユーザ名.</summary>
    public required string DisplayName { get; set; }

    public AccountKind Kind { get; set; }

    public AccountStatus Status { get; set; } = AccountStatus.Active;

    /// <summary>PHC-formatted hash (algorithm and parameters included). For the reset account, of its 秘密の番号.</summary>
    public string PasswordHash { get; set; } = "";

    public DateTime? PasswordChangedAt { get; set; }

    /// <summary>パスワード有効期限; null when the password does not expire.</summary>
    public DateTime? PasswordExpiresAt { get; set; }

    /// <summary>True while the password is temporary (issued, initialized) and must be changed before use.</summary>
    public bool MustChangePassword { get; set; }

    public int AccessFailedCount { get; set; }

    /// <summary>Locked until this instant (UTC). <see cref="DateTime.MaxValue"/> = until someone unlocks it.</summary>
    public DateTime? LockoutEnd { get; set; }

    public DateTime? LastLoginAt { get; set; }

    public DateTime CreatedAt { get; set; }

    public string CreatedBy { get; set; } = "";

    public DateTime UpdatedAt { get; set; }

    public string UpdatedBy { get; set; } = "";

    /// <summary>Changes whenever sessions of this account must end (password initialized, disabled).</summary>
    public string SecurityStamp { get; set; } = Guid.NewGuid().ToString("N");

    /// <summary>
    /// The hash of a machine account's secret before its last rotation (シークレットの更新, SPEC §12), still accepted until
    /// <see cref="PreviousPasswordValidUntil"/> so the client keeps working while the new one is set into it; null otherwise.
    /// </summary>
    public string? PreviousPasswordHash { get; set; }

    /// <summary>Until when (UTC, exclusive) <see cref="PreviousPasswordHash"/> is accepted; null when there is none.</summary>
    public DateTime? PreviousPasswordValidUntil { get; set; }

    public bool IsLockedAt(DateTime nowUtc) => LockoutEnd is { } end && end > nowUtc;
}

/// <summary>A previous password hash of an account, for the "not one of the last N" rule.</summary>
public sealed class PasswordHistoryEntry : Features.Credentials.IPasswordHistoryEntry
{
    public long Id { get; set; }

    public long AccountId { get; set; }

    public required string PasswordHash { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>A terminal certificate issued by our CA to one terminal (資格確認端末) of an institution.</summary>
public sealed class TerminalCertificate
{
    public long Id { get; set; }

    public long InstitutionId { get; set; }

    public Institution? Institution { get; set; }

    /// <summary>The terminal's name within its institution (e.g. <c>T0001</c>). One valid certificate per terminal.</summary>
    public required string TerminalName { get; set; }

    /// <summary>Certificate serial number, upper-case hex.</summary>
    public required string SerialNumber { get; set; }

    /// <summary>SHA-256 thumbprint, upper-case hex; how a presented certificate is found.</summary>
    public required string Thumbprint { get; set; }

    public required string CertificatePem { get; set; }

    public DateTime NotBefore { get; set; }

    public DateTime NotAfter { get; set; }

    public DateTime IssuedAt { get; set; }

    public string IssuedBy { get; set; } = "";

    public DateTime? RevokedAt { get; set; }

    public string? RevokedBy { get; set; }
}

/// <summary>A login session. The cookie carries only its id; ending a session is a row update.</summary>
public sealed class LoginSession
{
    public long Id { get; set; }

    /// <summary>
    /// SHA-256 (lower-case hex) of the session key; the key itself is only in the cookie (<see cref="Features.Sessions.SessionKeys"/>).
    /// </summary>
    public required string KeyHash { get; set; }

    public long AccountId { get; set; }

    public Account? Account { get; set; }

    public long InstitutionId { get; set; }

    /// <summary>The account's security stamp at login; a different stamp now ends the session.</summary>
    public required string SecurityStamp { get; set; }

    public string CertificateThumbprint { get; set; } = "";

    public string ClientAddress { get; set; } = "";

    public DateTime CreatedAt { get; set; }

    public DateTime LastSeenAt { get; set; }

    public DateTime? EndedAt { get; set; }

    /// <summary>Why it ended: logout, idle, absolute, password-initialized, disabled, stamp.</summary>
    public string? EndReason { get; set; }
}

/// <summary>One row of the append-only, hash-chained 操作ログ (SPEC §9). Never holds a secret.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }

    public DateTime OccurredAt { get; set; }

    public OqsEnvironment? Environment { get; set; }

    public long? InstitutionId { get; set; }

    public string InstitutionCode { get; set; } = "";

    /// <summary>Who acted: a user ID, an operator ID, or "system"/"anonymous".</summary>
    public string Actor { get; set; } = "";

    public AccountKind? ActorKind { get; set; }

    /// <summary>Stable action code, e.g. <c>login</c>, <c>password.initialize</c>.</summary>
    public required string Action { get; set; }

    /// <summary>The user ID or object acted on.</summary>
    public string Target { get; set; } = "";

    /// <summary><c>success</c>, <c>failure</c> or <c>denied</c>.</summary>
    public required string Outcome { get; set; }

    /// <summary>A stable reason code (never free text from the user, never a secret).</summary>
    public string Detail { get; set; } = "";

    public string CertificateSerial { get; set; } = "";

    public string ClientAddress { get; set; } = "";

    /// <summary>
    /// Which of the audit log's hash chains the row belongs to (0 for every row before chains were introduced, and for
    /// rows without an institution); <see cref="PreviousHash"/> is the hash of the previous row of the same chain.
    /// </summary>
    public int Chain { get; set; }

    public required string PreviousHash { get; set; }

    public required string Hash { get; set; }
}
