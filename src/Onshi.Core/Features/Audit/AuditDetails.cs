namespace Onshi.Core.Features.Audit;

/// <summary>
/// Detail and target codes that the OQS writes into the 操作ログ as literals (besides the reason enums such as
/// <c>SessionEndReasons</c> and <see cref="RequestRefusalReasons"/>). Every one has a label in <see cref="AuditLabels"/>,
/// which a unit test checks, so the clinic's 操作ログ照会 never shows a raw code.
/// </summary>
public static class AuditDetails
{
    /// <summary>document.download: the アカウント設定情報 PDF of a new or re-initialized account.</summary>
    public const string AccountSettingsPdf = "account-settings-pdf";

    /// <summary>A denial: the account's 権限区分 may not do this.</summary>
    public const string NotPermitted = "not-permitted";

    /// <summary>access.denied: a screen opened without the right (the target is the screen's path).</summary>
    public const string Page = "page";

    /// <summary>password.change failed: the current password was wrong.</summary>
    public const string CurrentPasswordWrong = "current-password-wrong";

    /// <summary>password.change failed: the current password was wrong, and the account is now locked.</summary>
    public const string CurrentPasswordWrongLocked = "current-password-wrong-locked";

    /// <summary>Target of audit.export: the CSV file.</summary>
    public const string CsvTarget = "csv";

    /// <summary>The 対象 of a 資格確認結果 export as XML files in a zip.</summary>
    public const string XmlTarget = "xml";

    /// <summary>The detail of <c>qualification.lookup</c>: <c>validity=</c> and the 資格有効性 (1–5).</summary>
    public const string ValidityPrefix = "validity=";

    /// <summary>Target of access.denied for 操作ログ照会.</summary>
    public const string AuditLogTarget = "audit-log";

    /// <summary>Target of access.denied for 資格情報照会 and the 資格確認結果.</summary>
    public const string QualificationTarget = "qualification";

    /// <summary>A denial: a 資格確認結果 of another institution, environment or (for the lookup kinds) account.</summary>
    public const string OtherResult = "other-result";

    /// <summary>login succeeded with a machine account's previous secret, inside the grace period of a rotation.</summary>
    public const string PreviousSecret = Credentials.CredentialService.PreviousSecretDetail;

    /// <summary>A denial of account.secret-rotate: the target is not a 連携アプリ用 / Web API用 account.</summary>
    public const string NotMachineAccount = "not-machine-account";

    /// <summary>account.secret-rotate failed: the machine account holds no secret yet (パスワード初期化 issues one).</summary>
    public const string SecretNotIssued = "secret-not-issued";

    /// <summary>
    /// account.update: the 権限区分 changed into or out of a machine kind, so the account's credential ended (it signs in again
    /// once パスワード初期化 issues the credential of its new kind).
    /// </summary>
    public const string CredentialEnded = "credential-ended";

    /// <summary>Every detail code above (the unit test's list; the targets and prefixes are labelled with their action).</summary>
    public static IReadOnlyList<string> All { get; } =
        [AccountSettingsPdf, NotPermitted, Page, CurrentPasswordWrong, CurrentPasswordWrongLocked, OtherResult, PreviousSecret, NotMachineAccount,
            SecretNotIssued, CredentialEnded];
}
