namespace Onshi.Core.Data;

/// <summary>申請区分.</summary>
public enum ApplicationKind
{
    /// <summary>新規.</summary>
    New = 1,

    /// <summary>変更.</summary>
    Change = 2,
}

/// <summary>The state of anything the operator reviews: 申請中 → 承認 / 差戻し.</summary>
public enum ReviewStatus
{
    Pending = 1,
    Approved = 2,
    SentBack = 3,
}

/// <summary>The environments a 利用申請 asks for.</summary>
[Flags]
public enum EnvironmentSet
{
    None = 0,
    Production = 1,
    Verification = 2,
}

/// <summary>The kinds of document the portal offers an institution.</summary>
public enum PortalDocumentKind
{
    /// <summary>オンライン資格確認等システムユーザ設定情報 (マスタアカウント情報ダウンロード).</summary>
    UserSettings = 1,

    /// <summary>オンライン資格確認等システム登録内容変更のお知らせ.</summary>
    ChangeNotice = 2,

    /// <summary>交付決定通知書 (補助金).</summary>
    GrantDecision = 3,
}

/// <summary>A user of the 医療機関等向け総合ポータルサイト: the institution's contact person; the user ID is an e-mail address.</summary>
public sealed class PortalUser : Features.Credentials.ICredentialHolder
{
    public long Id { get; set; }

    public required string Email { get; set; }

    /// <summary>Upper-invariant e-mail; unique.</summary>
    public required string NormalizedEmail { get; set; }

    /// <summary>担当者名.</summary>
    public string DisplayName { get; set; } = "";

    public string PasswordHash { get; set; } = "";

    /// <summary>True once the e-mailed verification link was followed; until then the user cannot log in.</summary>
    public bool EmailConfirmed { get; set; }

    public int AccessFailedCount { get; set; }

    public DateTime? LockoutEnd { get; set; }

    /// <summary>Changes when the password changes: ends sessions and invalidates outstanding reset links.</summary>
    public string SecurityStamp { get; set; } = Guid.NewGuid().ToString("N");

    public DateTime CreatedAt { get; set; }

    public DateTime? LastLoginAt { get; set; }

    /// <summary>When the password was last set (registration, reset). Null for users registered before the column existed.</summary>
    public DateTime? PasswordChangedAt { get; set; }

    /// <summary>
    /// Always false today: a portal user chooses its own password at registration and reset (it is never issued a
    /// temporary one). Kept so that the credential rules are the same code for every kind of account.
    /// </summary>
    public bool MustChangePassword { get; set; }

    /// <summary>Null: portal passwords do not expire (<c>CredentialRules.PasswordsExpire</c> is off for the portal; docs/passwords.md).</summary>
    public DateTime? PasswordExpiresAt { get; set; }
}

/// <summary>利用開始・変更申請.</summary>
public sealed class UsageApplication : Features.Applications.IReviewedApplication
{
    public long Id { get; set; }

    public long PortalUserId { get; set; }

    public PortalUser? PortalUser { get; set; }

    public ApplicationKind Kind { get; set; }

    public ReviewStatus Status { get; set; } = ReviewStatus.Pending;

    /// <summary>医療機関等コード as applied for (validated).</summary>
    public required string InstitutionCode { get; set; }

    /// <summary>医療機関等名 (新規) or the current name (変更).</summary>
    public required string InstitutionName { get; set; }

    public string Address { get; set; } = "";

    public string Phone { get; set; } = "";

    public EnvironmentSet Environments { get; set; }

    public string ContactName { get; set; } = "";

    public string ContactPhone { get; set; } = "";

    /// <summary>Hash of the chosen 4-digit 秘密の番号 (新規: required; 変更: when a new one is asked for). Never plain.</summary>
    public string? SecretNumberHash { get; set; }

    /// <summary>変更: the new 医療機関等名, when asked for.</summary>
    public string? NewInstitutionName { get; set; }

    /// <summary>The institution (変更: from the start; 新規: once approved).</summary>
    public long? InstitutionId { get; set; }

    public DateTime SubmittedAt { get; set; }

    public DateTime? DecidedAt { get; set; }

    public string? DecidedBy { get; set; }

    /// <summary>差戻し理由.</summary>
    public string? SendBackReason { get; set; }
}

/// <summary>A document the portal offers an institution (ユーザ設定情報, 変更のお知らせ, 交付決定通知書).</summary>
public sealed class PortalDocument
{
    public long Id { get; set; }

    public long InstitutionId { get; set; }

    /// <summary>本番環境 / 接続確認環境; null for documents not tied to one (交付決定通知書).</summary>
    public OqsEnvironment? Environment { get; set; }

    public PortalDocumentKind Kind { get; set; }

    public ApplicationKind ApplicationKind { get; set; }

    public required string FileName { get; set; }

    /// <summary>決定通知書取込日.</summary>
    public DateOnly ImportedOn { get; set; }

    /// <summary>The PDF, encrypted with Data Protection (it may hold an initial password).</summary>
    public required byte[] ProtectedContent { get; set; }

    public long? UsageApplicationId { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>運用開始日登録.</summary>
public sealed class OperationStartRegistration
{
    public long Id { get; set; }

    public long InstitutionId { get; set; }

    public OqsEnvironment Environment { get; set; }

    public DateOnly StartDate { get; set; }

    public long PortalUserId { get; set; }

    public DateTime RegisteredAt { get; set; }
}

/// <summary>電子証明書発行申請 (one terminal); once issued, its PKCS#12 waits encrypted for a single download.</summary>
public sealed class CertificateApplication : Features.Applications.IReviewedApplication
{
    public long Id { get; set; }

    public long PortalUserId { get; set; }

    public long InstitutionId { get; set; }

    public required string TerminalName { get; set; }

    public ReviewStatus Status { get; set; } = ReviewStatus.Pending;

    public DateTime SubmittedAt { get; set; }

    public DateTime? DecidedAt { get; set; }

    public string? DecidedBy { get; set; }

    public string? SendBackReason { get; set; }

    public long? TerminalCertificateId { get; set; }

    /// <summary>The PKCS#12, Data-Protection encrypted, until downloaded (then null).</summary>
    public byte[]? ProtectedPkcs12 { get; set; }

    /// <summary>Its passphrase, Data-Protection encrypted, until downloaded (then null).</summary>
    public string? ProtectedPassphrase { get; set; }

    /// <summary>
    /// When the one-time result screen (passphrase and 「証明書ファイルを保存」) was opened: the encrypted file and
    /// passphrase left the database then. It does not say that the file was saved (see <see cref="FileSavedAt"/>).
    /// </summary>
    public DateTime? DownloadedAt { get; set; }

    /// <summary>When that screen's 「証明書ファイルを保存」 sent the PKCS#12 to the browser; null if it never did.</summary>
    public DateTime? FileSavedAt { get; set; }

    /// <summary>How often the operator re-issued the certificate of this application (再発行, no new review).</summary>
    public int ReissueCount { get; set; }
}

/// <summary>補助金申請 with its receipt.</summary>
public sealed class SubsidyApplication : Features.Applications.IReviewedApplication
{
    public long Id { get; set; }

    public long PortalUserId { get; set; }

    public long InstitutionId { get; set; }

    public ReviewStatus Status { get; set; } = ReviewStatus.Pending;

    /// <summary>申請額 in yen.</summary>
    public long ClaimedAmount { get; set; }

    /// <summary>事業費 (total cost) in yen.</summary>
    public long TotalCost { get; set; }

    public string Description { get; set; } = "";

    public required string ReceiptFileName { get; set; }

    public required string ReceiptContentType { get; set; }

    public required byte[] ReceiptContent { get; set; }

    public DateTime SubmittedAt { get; set; }

    public DateTime? DecidedAt { get; set; }

    public string? DecidedBy { get; set; }

    public string? SendBackReason { get; set; }

    /// <summary>交付決定額 in yen, once approved.</summary>
    public long? GrantedAmount { get; set; }

    /// <summary>The 交付決定通知書 document, once approved.</summary>
    public long? DecisionDocumentId { get; set; }
}

/// <summary>A session of the portal or the operator console (the OQS has <see cref="LoginSession"/>).</summary>
public sealed class SiteSession
{
    public long Id { get; set; }

    /// <summary><c>portal</c> or <c>operator</c>.</summary>
    public required string Site { get; set; }

    /// <summary>
    /// SHA-256 (lower-case hex) of the session key; the key itself is only in the cookie (<see cref="Features.Sessions.SessionKeys"/>).
    /// </summary>
    public required string KeyHash { get; set; }

    /// <summary>The portal user's or operator's id, according to <see cref="Site"/>.</summary>
    public long SubjectId { get; set; }

    public required string SecurityStamp { get; set; }

    public string ClientAddress { get; set; } = "";

    public DateTime CreatedAt { get; set; }

    public DateTime LastSeenAt { get; set; }

    public DateTime? EndedAt { get; set; }

    public string? EndReason { get; set; }
}

/// <summary>What a <see cref="PortalSubmission"/> created.</summary>
public enum PortalSubmissionKind
{
    /// <summary>A 利用開始・変更申請 (<see cref="UsageApplication"/>).</summary>
    Usage = 1,

    /// <summary>A 電子証明書発行申請 (<see cref="CertificateApplication"/>).</summary>
    Certificate = 2,

    /// <summary>A 補助金申請 (<see cref="SubsidyApplication"/>).</summary>
    Subsidy = 3,
}

/// <summary>
/// A portal 確認 draft that was submitted (「申請する」): its nonce (unique) and the application it created, written in
/// the application's own commit. A repeat of the same draft, on any instance, finds it and leads to the same 完了
/// (<see cref="Features.Applications.PortalSubmissions"/>). Rows are purged once the draft they guard has expired.
/// </summary>
public sealed class PortalSubmission
{
    public long Id { get; set; }

    /// <summary>The draft's random nonce (32 hex digits).</summary>
    public required string Nonce { get; set; }

    public PortalSubmissionKind Kind { get; set; }

    /// <summary>The id of the application, in the table of <see cref="Kind"/>.</summary>
    public long ApplicationId { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>After this the draft can no longer be submitted, so the row may go.</summary>
    public DateTime ExpiresAt { get; set; }
}
