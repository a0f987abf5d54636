using Onshi.Core.Common;

namespace Onshi.Core.Features.Qualifications;

/// <summary>
/// The <c>ErrorCode</c> / <c>ProcessingResultCode</c> values Onshi answers with, each with its Japanese message (docs/webapi.md
/// lists them). The real interface's own codes are not public; these are ours and stable. A message never quotes a value of
/// the request.
/// </summary>
public static class WireErrors
{
    /// <summary>A patient's keys are wrong (the message names which); that patient is answered with <c>ProcessingResultStatus</c> 2.</summary>
    public const string InputInvalid = "EQ0001";

    public static readonly OnshiError Malformed = new("EM0001",
        "要求電文の形式が正しくありません。JSONまたはXMLの構文と、各項目の型（すべて文字列）を確認してください。");

    public static readonly OnshiError HeaderInvalid = new("EM0002", "要求電文のMessageHeaderが正しくありません。");

    public static readonly OnshiError TooLarge = new("EM0003", "要求電文が大きすぎます。一括照会は1回あたりの件数の上限以内に分けて送信してください。");

    public static readonly OnshiError ForbiddenInput = new("EM0006",
        "要求電文に使用できない文字（制御文字または不正な文字コード）が含まれています。文字コードはUTF-8で送信してください。");

    public static readonly OnshiError UnknownPath = new("EM0004", "指定されたURLのWeb APIはありません。URLとHTTPメソッド（POST）を確認してください。");

    public static readonly OnshiError ContentType = new("EM0005", "要求電文はContent-Type: application/json で送信してください。");

    public static readonly OnshiError Unauthenticated = new("EA0001",
        "認証トークンがないか、有効期限が切れているか、無効になっています。認証（auth）をやり直してください。");

    public static readonly OnshiError NotPermitted = new("EA0002",
        "このアカウントの権限区分ではWeb APIを利用できません。連携アプリ用またはWeb API用のアカウントを使用してください。");

    public static readonly OnshiError InstitutionMismatch = new("EA0003",
        "MedicalInstitutionCodeが、この端末の電子証明書の医療機関等コードと一致しません。");

    public static readonly OnshiError CertificateRejected = new("EA0004",
        "端末の電子証明書が確認できません。有効な端末用の電子証明書をインストールした端末から接続してください。");

    public static readonly OnshiError CredentialsRejected = new("EA0005",
        "ユーザIDまたはパスワードが正しくないか、アカウントが利用できない状態です（ロック中・無効を含みます）。");

    public static readonly OnshiError CredentialMustChange = new("EA0006",
        "このアカウントのパスワードは初期化後の一時的なものか期限切れのため、Web APIでは使用できません。管理者にシークレットの発行（パスワード初期化）を依頼してください。");

    public static readonly OnshiError Throttled = new("ER0001", "短時間に要求が集中したため、受け付けを一時的に制限しています。しばらく待ってから再度送信してください。");

    public static readonly OnshiError BulkNotFound = new("EB0001", "指定された受付番号の一括照会はありません。受付番号と医療機関等コードを確認してください。");

    public static readonly OnshiError BulkPurged = new("EB0002", "指定された受付番号の一括照会結果は、保存期間を過ぎたため削除されました。必要な場合は再度一括照会を行ってください。");

    public static readonly OnshiError BulkFailed = new("EB0003", "この一括照会は処理できませんでした。お手数ですが、再度一括照会を行ってください。");

    public static readonly OnshiError BulkEmpty = new("EB0004", "一括照会の対象者（QualificationConfirmSearchInfo）が1件もありません。");

    public static readonly OnshiError Unavailable = new("ES0001", "システムが一時的に処理できない状態です。しばらく待ってから再度送信してください。");

    /// <summary>The message of too many patients in one 一括照会.</summary>
    public static OnshiError BulkTooMany(int max) => new("EB0005", $"一括照会は1回あたり{max:N0}件までです。対象者を分けて送信してください。");
}
