using Onshi.Core.Common;

namespace Onshi.Core.Features.Accounts;

/// <summary>The one place where account-related messages live.</summary>
public static class AccountErrors
{
    public static OnshiError NotFound { get; } = new("account.not_found", "指定されたアカウントは見つかりません。");

    public static OnshiError NotPermitted { get; } = new("account.not_permitted", "この操作を行う権限がありません。");

    public static OnshiError Self { get; } = new("account.self", "ご自身のアカウントに対しては、この画面からこの操作を行うことはできません。ご自身のパスワードは《パスワード変更》から変更してください。");

    public static OnshiError UserIdRequired { get; } = new("account.user_id.required", "ユーザIDを入力してください。", "UserId");

    public static OnshiError UserIdFormat { get; } = new("account.user_id.format", "ユーザIDは半角英数字と「_」「-」で4～16文字で入力してください。", "UserId");

    public static OnshiError UserIdTaken { get; } = new("account.user_id.taken", "このユーザIDは既に使われています。別のユーザIDを入力してください。", "UserId");

    public static OnshiError UserIdReserved { get; } = new("account.user_id.reserved", "「数字7桁」と「R＋数字7桁」の形式のユーザIDはシステムが使用するため登録できません。", "UserId");

    public static OnshiError DisplayNameRequired { get; } = new("account.display_name.required", "ユーザ名を入力してください。", "DisplayName");

    public static OnshiError DisplayNameFormat { get; } = new("account.display_name.format", "ユーザ名は50文字以内で、改行や制御文字を含めずに入力してください。", "DisplayName");

    public static OnshiError KindRequired { get; } = new("account.kind.required", "権限区分を選択してください。", "Kind");

    public static OnshiError KindInvalid { get; } = new("account.kind.invalid", "選択できない権限区分です。", "Kind");

    public static OnshiError CannotDisable { get; } = new("account.cannot_disable", "マスタアカウントとマスタアカウントリセット用アカウントは無効にできません。", "Status");

    public static OnshiError NotMachineAccount { get; } = new("account.not_machine", "シークレットの更新（ローテーション）は、連携アプリ用・Web API用のアカウントだけに行えます。");

    public static OnshiError SecretNotIssued { get; } = new("account.secret_not_issued", "このアカウントにはシークレットがまだ発行されていません。「パスワード初期化」でシークレットを発行してください。");

    public static OnshiError NotLocked { get; } = new("account.not_locked", "このアカウントはロックされていません。");

    public static OnshiError CurrentPasswordWrong { get; } = new("password.current_wrong", "現在のパスワードが正しくありません。", "CurrentPassword");

    public static OnshiError CurrentPasswordRequired { get; } = new("password.current_required", "現在のパスワードを入力してください。", "CurrentPassword");

    public static OnshiError SameAsCurrent { get; } = new("password.same_as_current", "新しいパスワードには、現在のパスワードと異なるものを入力してください。", "NewPassword");

    public static OnshiError ResetCannotChange { get; } = new("password.reset_account", "マスタアカウントリセット用アカウントのパスワード（秘密の番号）は、この画面では変更できません。医療機関等向け総合ポータルサイトの「利用開始・変更申請」から変更してください。");

    public static OnshiError Conflict { get; } = new("account.conflict", "他の操作と重なったため、処理できませんでした。画面を開き直してから、もう一度お試しください。");
}
