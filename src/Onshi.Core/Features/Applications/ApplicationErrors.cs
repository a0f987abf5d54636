using System.Globalization;

using Onshi.Core.Common;

namespace Onshi.Core.Features.Applications;

/// <summary>The one place where the applications' user-facing (Japanese) messages live. Codes are stable.</summary>
public static class ApplicationErrors
{
    public const string NotFoundCode = "application.not_found";
    public const string AlreadyDecidedCode = "application.already_decided";

    private const string CallCenter = "オンライン資格確認等コールセンター";

    /// <summary>Missing and someone else's are answered alike, so neither reveals that the other exists.</summary>
    public static OnshiError NotFound { get; } = new(NotFoundCode, "指定された情報が見つかりません。");

    public static OnshiError PortalUserNotFound { get; } = new("portal_user.not_found", "ポータルサイトのアカウントが確認できません。再度ログインしてください。");

    public static OnshiError AlreadyDecided { get; } = new(AlreadyDecidedCode, "この申請は既に承認または差戻しされています。");

    public static OnshiError Conflict { get; } = new("application.conflict", "他の操作と重なったため、処理できませんでした。画面を開き直して、もう一度操作してください。");

    public static OnshiError Required(string field, string label) => new($"{Code(field)}.required", $"{label}を入力してください。", field);

    public static OnshiError TooLong(string field, string label, int max) =>
        new($"{Code(field)}.length", string.Create(CultureInfo.InvariantCulture, $"{label}は{max}文字以内で入力してください。"), field);

    public static OnshiError PhoneFormat(string field, string label) =>
        new($"{Code(field)}.format", $"{label}は数字とハイフンで、0から始まる10桁または11桁の番号を入力してください（例：03-1234-5678）。", field);

    public static OnshiError ControlCharacters(string field, string label) =>
        new($"{Code(field)}.invalid", $"{label}に使用できない文字が含まれています。", field);

    // 利用開始・変更申請

    public static OnshiError EnvironmentsRequired { get; } = new("environments.required", "利用する環境（本番環境・接続確認環境）を1つ以上選択してください。", "Environments");

    public static OnshiError SecretConfirmMismatch(string field) => new("secret.confirm", "秘密の番号（確認）が秘密の番号と一致しません。", field);

    public static OnshiError CodeAlreadyRegistered { get; } = new("usage.code_registered",
        $"この医療機関等コードは既に利用申請が承認されています。登録内容の変更は「変更」の申請から行ってください。お心当たりのない場合は{CallCenter}へお問い合わせください。",
        "InstitutionCode");

    public static OnshiError NewApplicationPending { get; } = new("usage.new_pending",
        "この医療機関等コードの新規申請は審査中です。審査結果をお待ちください。", "InstitutionCode");

    public static OnshiError ChangeApplicationPending { get; } = new("usage.change_pending",
        "この医療機関等の変更申請は審査中です。審査結果をお待ちいただくか、結果が出た後に改めて申請してください。");

    public static OnshiError NothingToChange { get; } = new("usage.nothing_to_change",
        "変更する内容（医療機関等名または秘密の番号）を1つ以上入力してください。");

    public static OnshiError SameName { get; } = new("usage.same_name", "新しい医療機関等名が現在の名称と同じです。", "NewInstitutionName");

    public static OnshiError InstitutionTakenAtApproval { get; } = new("usage.institution_taken",
        "この医療機関等コードは既に別の利用者の申請で承認されています。申請を差戻してください。");

    public static OnshiError EnvironmentAlreadyProvisioned { get; } = new("usage.environment_provisioned",
        "申請された環境のマスタアカウントは既に発行されています。申請内容をご確認ください。");

    public static OnshiError ContactChanged { get; } = new("usage.contact_changed",
        "申請者がこの医療機関等の登録担当者ではなくなっています。申請を差戻してください。");

    // 審査

    public static OnshiError ReasonRequired { get; } = new("review.reason.required", "差戻し理由を入力してください。", "Reason");

    public static OnshiError ReasonInvalidCharacters { get; } = new("review.reason.invalid", "差戻し理由に使用できない文字が含まれています。", "Reason");

    public static OnshiError ReasonTooLong { get; } = new("review.reason.length", "差戻し理由は500文字以内で入力してください。", "Reason");

    // 運用開始日

    public static OnshiError EnvironmentNotApproved { get; } = new("operation_start.not_approved",
        "この環境の利用申請はまだ承認されていません。承認後に運用開始日を登録してください。", "Environment");

    public static OnshiError StartDateOutOfRange(DateOnly earliest, DateOnly latest) => new("operation_start.range",
        string.Create(CultureInfo.InvariantCulture, $"運用開始日は{Jst.IsoDate(earliest)}から{Jst.IsoDate(latest)}までの日付を入力してください。"), "StartDate");

    // 電子証明書発行申請

    public static OnshiError CertificateReissueNotIssued { get; } = new("certificate_application.reissue_not_issued",
        "承認され電子証明書を発行した申請だけを再発行できます。");

    public static OnshiError CertificateReissueWaiting { get; } = new("certificate_application.reissue_waiting",
        "この電子証明書はまだダウンロードされていません（申請者のダウンロード待ち）。再発行の必要はありません。");

    public static OnshiError CertificateNotApproved { get; } = new("certificate_application.not_ready",
        "この申請の電子証明書はまだ発行されていません。申請照会で状況をご確認ください。");

    public static OnshiError CertificateAlreadyDownloaded { get; } = new("certificate_application.downloaded",
        "この電子証明書の発行画面は既に表示されました。証明書ファイルとパスワードは一度だけ表示されます。証明書ファイルを保存できなかった場合は、コールセンターに電子証明書の再発行をご依頼ください（改めての申請・審査は不要です）。");

    public static OnshiError CertificatePending { get; } = new("certificate_application.pending",
        "この端末の電子証明書発行申請は審査中です。申請照会で状況をご確認ください。", "TerminalName");

    public static OnshiError InstitutionNotApproved { get; } = new("institution.not_approved",
        "この医療機関等の利用申請はまだ承認されていません。");

    // 補助金申請

    public static OnshiError AmountRequired(string field, string label) => new($"{Code(field)}.required", $"{label}を入力してください。", field);

    public static OnshiError AmountPositive(string field, string label) => new($"{Code(field)}.positive", $"{label}は1円以上の整数で入力してください。", field);

    public static OnshiError AmountTooLarge(string field, string label) => new($"{Code(field)}.max", $"{label}は1,000,000,000円以下で入力してください。", field);

    public static OnshiError ClaimOverTotal { get; } = new("subsidy.claim_over_total", "申請額は事業費以下で入力してください。", "ClaimedAmount");

    public static OnshiError GrantOverClaim { get; } = new("subsidy.grant_over_claim", "交付決定額は申請額以下で入力してください。", "GrantedAmount");

    public static OnshiError ReceiptRequired { get; } = new("subsidy.receipt.required", "領収書のファイルを添付してください。", "Receipt");

    public static OnshiError ReceiptTooLarge { get; } = new("subsidy.receipt.size", "領収書のファイルは5MB以下にしてください。", "Receipt");

    public static OnshiError ReceiptType { get; } = new("subsidy.receipt.type", "領収書はPDF、JPEG、PNGのいずれかのファイルを添付してください。", "Receipt");

    public static OnshiError ReceiptContentMismatch { get; } = new("subsidy.receipt.content",
        "添付されたファイルの内容がPDF、JPEG、PNGのいずれでもないか、ファイルの種類（拡張子）と一致しません。ファイルをご確認ください。", "Receipt");

    public static OnshiError ReceiptFileName { get; } = new("subsidy.receipt.name", "領収書のファイル名が正しくありません。", "Receipt");

    // 受付番号で検索 (the console)

    public static OnshiError ReceiptNumberRequired { get; } = new("receipt_number.required", "受付番号を入力してください。", "ReceiptNumber");

    public static OnshiError ReceiptNumberInvalid { get; } = new("receipt_number.format",
        "受付番号は「R-20261206-000042」のように、申請の種類（R、C、S）、申請日（8桁）、番号の形で入力してください。", "ReceiptNumber");

    public static OnshiError ReceiptNumberNotFound { get; } = new("receipt_number.not_found",
        "この受付番号の申請は見つかりません。申請の種類、申請日、番号をご確認ください。", "ReceiptNumber");

    // ダウンロード

    public static OnshiError BothEnvironmentsMissing { get; } = new("documents.zip_missing",
        "この申請には本番環境と接続確認環境の両方のユーザ設定情報がありません。1件ずつダウンロードしてください。");

    private static string Code(string field) => field.Length == 0 ? "field" : char.ToLowerInvariant(field[0]) + field[1..];
}
