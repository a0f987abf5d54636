using Onshi.Core.Common;

namespace Onshi.Core.Features.Operators;

/// <summary>The Japanese messages of the operator accounts (the one place they live).</summary>
public static class OperatorErrors
{
    /// <summary>Every failed login, whatever went wrong (no hint whether the ID exists).</summary>
    public static string GenericLoginFailure(Login.LoginOptions options) => Login.LockoutWording.Failure(options, "ユーザID",
        "時間をおいてから再度お試しいただくか、運用者コンソールの管理者にご確認ください。");

    public const string Throttled =
        "ログインの失敗が続いたため、この端末からのログインを一時的に制限しています。しばらく時間をおいてから再度お試しください。";

    public const string TemporaryExpired =
        "仮パスワードの有効期限が切れています。運用者コンソールの管理者に、アカウントの再発行を依頼してください。";

    public static OnshiError UserIdInvalid { get; } = new("operator.user_id", "ユーザIDは4～32文字の半角英数字・「_」「-」「.」で入力してください。", "UserId");

    public static OnshiError UserIdTaken { get; } = new("operator.user_id_taken", "このユーザIDは既に使われています。", "UserId");

    public static OnshiError DisplayNameInvalid { get; } = new("operator.display_name", "氏名は1～50文字で入力してください。", "DisplayName");

    public static OnshiError RoleInvalid { get; } = new("operator.role", "役割を選択してください。", "Role");

    public static OnshiError CurrentPasswordRequired { get; } = new("operator.current_required", "現在のパスワードを入力してください。", "CurrentPassword");

    public static OnshiError CurrentPasswordWrong { get; } = new("operator.current_wrong", "現在のパスワードが正しくありません。続けて誤るとアカウントがロックされます。", "CurrentPassword");

    public static OnshiError SameAsCurrent { get; } = new("operator.same_as_current", "新しいパスワードは現在のパスワードと異なるものを設定してください。", "NewPassword");

    public static OnshiError NotFound { get; } = new("operator.not_found", "アカウントが見つかりません。もう一度ログインしてください。");

    public static OnshiError NotPermitted { get; } = new("operator.not_permitted", "この操作を行う権限がありません。");

    public static OnshiError Conflict { get; } = new("operator.conflict", "他の操作と重なったため、処理できませんでした。画面を開き直してから、もう一度操作してください。");
}
