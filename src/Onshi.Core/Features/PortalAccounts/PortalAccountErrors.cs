using System.Globalization;
using Onshi.Core.Common;

namespace Onshi.Core.Features.PortalAccounts;

/// <summary>The portal account messages, in one place. Messages never echo what was typed.</summary>
public static class PortalAccountErrors
{
    public const string EmailField = "Email";
    public const string DisplayNameField = "DisplayName";
    public const string PasswordField = "Password";
    public const string ConfirmField = "ConfirmPassword";

    /// <summary>The maximum length of an e-mail address (RFC 5321 path limit).</summary>
    public const int MaxEmailLength = 254;

    /// <summary>The maximum length of 担当者名 (the column's length).</summary>
    public const int MaxDisplayNameLength = 50;

    /// <summary>
    /// The one answer to a failed login, whatever the reason (unknown, unconfirmed, wrong, locked), true in each case and with
    /// how long a lock lasts (<see cref="Login.LockoutWording"/>).
    /// </summary>
    public static string GenericLoginFailure(Login.LoginOptions options) => Login.LockoutWording.Failure(options, "ユーザーID",
        "時間をおいてから再度お試しください。新規登録された方は、確認メールのリンクからメールアドレスの確認を済ませてからログインしてください。");

    public const string Throttled =
        "ログインの失敗が続いたため、ログインを一時的に制限しています。しばらく時間をおいてから再度お試しください。";

    public static OnshiError RegistrationThrottled() => new("portal.registration_throttled",
        "新規登録のお申し込みが続いたため、受付を一時的に制限しています。しばらく時間をおいてから再度お試しください。");

    public const string EmptyCredentials = "ユーザーID・パスワードを入力してください。";

    public static OnshiError EmailRequired() => new("portal.email_required", "メールアドレスを入力してください。", EmailField);

    public static OnshiError EmailTooLong() => new("portal.email_too_long",
        string.Create(CultureInfo.InvariantCulture, $"メールアドレスは{MaxEmailLength}文字以内で入力してください。"), EmailField);

    public static OnshiError EmailInvalid() => new("portal.email_invalid",
        "メールアドレスの形式が正しくありません。半角英数字で「name@example.jp」の形式で入力してください。", EmailField);

    public static OnshiError DisplayNameRequired() => new("portal.display_name_required", "担当者名を入力してください。", DisplayNameField);

    public static OnshiError DisplayNameTooLong() => new("portal.display_name_too_long",
        string.Create(CultureInfo.InvariantCulture, $"担当者名は{MaxDisplayNameLength}文字以内で入力してください。"), DisplayNameField);

    public static OnshiError DisplayNameInvalid() => new("portal.display_name_invalid", "担当者名に使用できない文字が含まれています。", DisplayNameField);

    public static OnshiError PasswordRequired() => new("portal.password_required", "パスワードを入力してください。", PasswordField);

    public static OnshiError ConfirmMismatch() => new("portal.confirm_mismatch",
        "パスワード（確認）がパスワードと一致しません。同じパスワードを入力してください。", ConfirmField);

    public static OnshiError LinkInvalid() => new("portal.link_invalid",
        "このリンクは無効か、有効期限が切れています。お手数ですが、もう一度お手続きください。");

    public static OnshiError Concurrent() => new("portal.concurrent",
        "他の操作と重なったため、処理できませんでした。お手数ですが、もう一度お手続きください。");
}
