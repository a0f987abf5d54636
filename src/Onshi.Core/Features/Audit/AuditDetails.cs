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

    /// <summary>Target of access.denied for 操作ログ照会.</summary>
    public const string AuditLogTarget = "audit-log";

    /// <summary>Every code above (the unit test's list).</summary>
    public static IReadOnlyList<string> All { get; } =
        [AccountSettingsPdf, NotPermitted, Page, CurrentPasswordWrong, CurrentPasswordWrongLocked];
}
