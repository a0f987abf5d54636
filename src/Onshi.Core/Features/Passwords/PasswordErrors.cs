using System.Globalization;

using Onshi.Core.Common;

namespace Onshi.Core.Features.Passwords;

/// <summary>
/// The one place where the password and 秘密の番号 errors are worded: stable codes for code and tests,
/// Japanese messages for the receptionist at the terminal. Messages never echo the value entered.
/// </summary>
public static class PasswordErrors
{
    /// <summary>The form field password errors concern.</summary>
    public const string PasswordField = "NewPassword";

    /// <summary>The form field 秘密の番号 errors concern.</summary>
    public const string SecretNumberField = "SecretNumber";

    public const string TooShortCode = "password.too_short";
    public const string TooLongCode = "password.too_long";
    public const string MissingLetterCode = "password.missing_letter";
    public const string MissingDigitCode = "password.missing_digit";
    public const string MissingSymbolCode = "password.missing_symbol";
    public const string InvalidCharacterCode = "password.invalid_character";
    public const string ContainsUserIdCode = "password.contains_user_id";
    public const string ContainsContextWordCode = "password.contains_context_word";
    public const string CommonCode = "password.common";
    public const string ReusedCode = "password.reused";
    public const string MachineTooShortCode = "password.machine_too_short";
    public const string SecretFormatCode = "secret.format";
    public const string SecretTrivialCode = "secret.trivial";

    public static OnshiError TooShort(int minLength) => new(
        TooShortCode,
        string.Create(CultureInfo.InvariantCulture, $"パスワードは{minLength}文字以上で入力してください。"),
        PasswordField);

    /// <summary>
    /// A 連携アプリ用 / Web API用 account's own new password under the non-expiring length: its secret must never lapse
    /// (SPEC §12), so it may not be one that expires.
    /// </summary>
    public static OnshiError MachineTooShort(int nonExpiringLength) => new(
        MachineTooShortCode,
        string.Create(CultureInfo.InvariantCulture,
            $"連携アプリ用・Web API用のアカウントのパスワード（シークレット）は、有効期限のない{nonExpiringLength}文字以上で入力してください。"),
        PasswordField);

    public static OnshiError TooLong(int maxLength) => new(
        TooLongCode,
        string.Create(CultureInfo.InvariantCulture, $"パスワードは{maxLength}文字以内で入力してください。"),
        PasswordField);

    public static OnshiError MissingLetter() => new(
        MissingLetterCode,
        "パスワードには英字（A～Z、a～z）を1文字以上含めてください。",
        PasswordField);

    public static OnshiError MissingDigit() => new(
        MissingDigitCode,
        "パスワードには数字（0～9）を1文字以上含めてください。",
        PasswordField);

    public static OnshiError MissingSymbol() => new(
        MissingSymbolCode,
        "パスワードには記号（! # $ % & @ - など）を1文字以上含めてください。",
        PasswordField);

    public static OnshiError InvalidCharacter() => new(
        InvalidCharacterCode,
        "パスワードは半角英数字・記号で入力してください。全角文字やひらがな・カタカナ・漢字は使えません。"
        + "入力モードが「半角英数」になっているか確認してください。",
        PasswordField);

    public static OnshiError ContainsUserId() => new(
        ContainsUserIdCode,
        "パスワードにユーザIDを含めることはできません。",
        PasswordField);

    /// <summary>
    /// The password holds <paramref name="word"/>, a word of this system, its operating bodies or the account (as the
    /// word list spells it, not as typed): the message names it, so the person knows what to leave out.
    /// </summary>
    public static OnshiError ContainsContextWord(string word) => new(
        ContainsContextWordCode,
        $"パスワードに推測されやすい語句「{word}」が含まれているため使用できません。"
        + "このシステムや運営機関の名称（ローマ字を含む）、医療機関等コード・医療機関等名・メールアドレス・氏名の一部は含めないでください。",
        PasswordField);

    public static OnshiError Common() => new(
        CommonCode,
        "このパスワードは推測されやすいため使用できません。よく使われる単語や並びを避けてください。",
        PasswordField);

    /// <summary>The confirmation field of a password form.</summary>
    public const string ConfirmField = "ConfirmPassword";

    public static OnshiError NewRequired() => new("password.new_required", "新しいパスワードを入力してください。", PasswordField);

    public static OnshiError ConfirmMismatch() => new("password.confirm_mismatch", "新しいパスワードと確認用のパスワードが一致しません。", ConfirmField);

    public static OnshiError Reused(int historyCount) => new(
        ReusedCode,
        historyCount > 0
            ? string.Create(CultureInfo.InvariantCulture, $"現在のパスワードや過去{historyCount}回以内に使用したパスワードは使用できません。")
            : "現在のパスワードと同じパスワードは使用できません。",
        PasswordField);

    public static OnshiError SecretFormat() => new(
        SecretFormatCode,
        "秘密の番号は数字4桁で入力してください。",
        SecretNumberField);

    public static OnshiError SecretTrivial() => new(
        SecretTrivialCode,
        "同じ数字の繰り返しや連続した数字（1111、1234、4321 など）は秘密の番号に使用できません。",
        SecretNumberField);
}
