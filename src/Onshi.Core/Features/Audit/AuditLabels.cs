using Onshi.Core.Features.Accounts;
using Onshi.Core.Features.Applications;
using Onshi.Core.Features.CallCenterDesk;
using Onshi.Core.Features.MemberImports;
using Onshi.Core.Features.Operators;
using Onshi.Core.Features.Sessions;

namespace Onshi.Core.Features.Audit;

/// <summary>
/// The Japanese words of the 操作ログ: one label per action code, outcome and known detail code. Both the OQS's
/// 操作ログ照会 and the console's 操作ログ (screens and CSV) read them from here.
/// </summary>
public static class AuditLabels
{
    /// <summary>Every action code with its label, in the order the 操作 select offers them.</summary>
    public static IReadOnlyList<(string Code, string Label)> Actions { get; } =
    [
        (AuditActions.Login, "ログイン"),
        (AuditActions.Logout, "ログアウト"),
        (AuditActions.SessionEnd, "セッション終了"),
        (AuditActions.Lockout, "アカウントロック"),
        (AuditActions.Unlock, "ロック解除"),
        (AuditActions.PasswordChange, "パスワード変更"),
        (AuditActions.PasswordInitialize, "パスワード初期化"),
        (AuditActions.SecretRotate, "シークレットの更新（ローテーション）"),
        (AuditActions.AccountCreate, "アカウント登録"),
        (AuditActions.AccountUpdate, "アカウント更新"),
        (AuditActions.AccountView, "アカウント情報参照"),
        (AuditActions.AccountSearch, "アカウント検索"),
        (AuditActions.AccessDenied, "権限のない操作"),
        (AuditActions.CertificateRejected, "端末証明書の拒否"),
        (AuditActions.CertificateIssue, "端末証明書の発行"),
        (AuditActions.CertificateRevoke, "端末証明書の失効"),
        (AuditActions.DocumentDownload, "書類のダウンロード"),
        (AuditActions.AuditExport, "操作ログのCSV出力"),
        (AuditActions.RequestRefused, "不正なリクエストの拒否"),
        (AuditActions.QualificationLookup, "資格情報照会"),
        (AuditActions.QualificationExport, "資格確認結果の出力"),
        (AuditActions.QualificationBulkAccept, "一括照会の受付"),
        (AuditActions.QualificationBulkProcess, "一括照会の処理"),
        (AuditActions.QualificationBulkResult, "一括照会結果の取得"),
        (AuditActions.QualificationBulkPurge, "一括照会結果の削除（保存期間経過）"),
        (AuditActions.InsuredSeed, "合成加入者データの作成"),
        (OperatorAuditActions.SecretReissue, "秘密の番号の再発行"),
        (OperatorAuditActions.SecretNoticeDownload, "秘密の番号再発行通知書の再ダウンロード"),
        (OperatorAuditActions.Login, "運用者ログイン"),
        (OperatorAuditActions.Logout, "運用者ログアウト"),
        (OperatorAuditActions.SessionEnd, "運用者セッション終了"),
        (OperatorAuditActions.Lockout, "運用者アカウントロック"),
        (OperatorAuditActions.PasswordChange, "運用者パスワード変更"),
        (OperatorAuditActions.Create, "運用者アカウント登録"),
        (OperatorAuditActions.AccessDenied, "運用者の権限のない操作"),
        (ApplicationAuditActions.UsageSubmit, "利用申請の提出"),
        (ApplicationAuditActions.UsageApprove, "利用申請の承認"),
        (ApplicationAuditActions.UsageSendBack, "利用申請の差戻し"),
        (ApplicationAuditActions.InstitutionCreate, "医療機関等の登録"),
        (ApplicationAuditActions.InstitutionUpdate, "医療機関等情報の更新"),
        (ApplicationAuditActions.OperationStartRegister, "運用開始日の登録"),
        (ApplicationAuditActions.CertificateApplicationSubmit, "電子証明書発行申請の提出"),
        (ApplicationAuditActions.CertificateApplicationApprove, "電子証明書発行申請の承認"),
        (ApplicationAuditActions.CertificateApplicationSendBack, "電子証明書発行申請の差戻し"),
        (ApplicationAuditActions.CertificateApplicationDownload, "電子証明書の発行画面の表示"),
        (ApplicationAuditActions.CertificateApplicationFileSaved, "電子証明書ファイルの保存"),
        (ApplicationAuditActions.CertificateApplicationReissue, "電子証明書の再発行（審査なし）"),
        (ApplicationAuditActions.SubsidySubmit, "補助金申請の提出"),
        (ApplicationAuditActions.SubsidyApprove, "補助金申請の承認"),
        (ApplicationAuditActions.SubsidySendBack, "補助金申請の差戻し"),
        (ApplicationAuditActions.SubsidyReceiptView, "補助金申請の受付票参照"),
        (MemberImportAuditActions.Accept, "加入者データ取込の受付"),
        (MemberImportAuditActions.Complete, "加入者データ取込の完了"),
        (MemberImportAuditActions.Refuse, "加入者データ取込のエラー"),
        (MemberImportAuditActions.ReportDownload, "加入者データ取込のエラー一覧の出力"),
    ];

    /// <summary>The outcome codes with their labels.</summary>
    public static IReadOnlyList<(string Code, string Label)> Outcomes { get; } =
        [(AuditOutcomes.Success, "成功"), (AuditOutcomes.Failure, "失敗"), (AuditOutcomes.Denied, "拒否")];

    private static readonly Dictionary<string, string> ActionMap = Actions.ToDictionary(a => a.Code, a => a.Label, StringComparer.Ordinal);

    private static readonly Dictionary<string, string> OutcomeMap = Outcomes.ToDictionary(a => a.Code, a => a.Label, StringComparer.Ordinal);

    private static readonly Dictionary<string, string> DetailMap = BuildDetails();

    private static readonly (string Prefix, string Label, string Unit)[] CountParts =
        [("inserted=", "追加", "件"), ("updated=", "置換", "件"), ("errors=", "誤り", "件"), ("bytes=", "", "バイト")];

    /// <summary>Whether <paramref name="code"/> is a known action code.</summary>
    public static bool IsAction(string? code) => code is not null && ActionMap.ContainsKey(code);

    /// <summary>The label of an action code; an unknown code is shown as it is.</summary>
    public static string Action(string code) => ActionMap.TryGetValue(code, out var label) ? label : code;

    /// <summary>The label of an outcome code; an unknown code is shown as it is.</summary>
    public static string Outcome(string code) => OutcomeMap.TryGetValue(code, out var label) ? label : code;

    /// <summary>
    /// The detail (a reason code, or a comma-separated list of them) in words; unknown parts are kept as codes.
    /// </summary>
    public static string Detail(string detail)
    {
        if (string.IsNullOrEmpty(detail))
        {
            return "";
        }

        return string.Join("、", detail.Split(',').Select(DetailPart));
    }

    /// <summary>
    /// The 対象 of a row in words where it is a code of ours rather than a user ID (the CSV of an export, the 操作ログ照会
    /// screen of a denial); read with the action, so a user ID that happens to spell a code is shown as it is.
    /// </summary>
    public static string Target(string action, string target) => (action, target) switch
    {
        (AuditActions.AuditExport, AuditDetails.CsvTarget) => "CSVファイル",
        (AuditActions.QualificationExport, AuditDetails.CsvTarget) => "CSVファイル",
        (AuditActions.QualificationExport, AuditDetails.XmlTarget) => "XMLファイル（ZIP）",
        (AuditActions.AccessDenied, AuditDetails.AuditLogTarget) => "操作ログ照会",
        (AuditActions.AccessDenied, AuditDetails.QualificationTarget) => "資格確認",
        _ => target,
    };

    /// <summary>The label of a session-end reason (the detail of <c>logout</c> / <c>session.end</c>).</summary>
    public static string EndReason(string reason) => DetailMap.TryGetValue(reason, out var label) ? label : reason;

    private static string DetailPart(string part)
    {
        if (DetailMap.TryGetValue(part, out var label))
        {
            return label;
        }

        // account.update: "kind:admin>general".
        if (part.StartsWith("kind:", StringComparison.Ordinal) && part[5..].Split('>') is [var from, var to])
        {
            return $"権限区分 {KindLabel(from)}→{KindLabel(to)}";
        }

        // qualification.lookup: "validity=1".
        if (part.StartsWith(AuditDetails.ValidityPrefix, StringComparison.Ordinal)
            && int.TryParse(part.AsSpan(AuditDetails.ValidityPrefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var validity)
            && Enum.IsDefined((Qualifications.QualificationValidity)validity))
        {
            return "資格有効性 " + Qualifications.QualificationCodes.Label((Qualifications.QualificationValidity)validity);
        }

        if (part.StartsWith("rows=", StringComparison.Ordinal))
        {
            return part[5..] + "件";
        }

        // member.import.*: "rows=N,inserted=N,updated=N", "rows=N,errors=N", "bytes=N".
        foreach (var (prefix, words, unit) in CountParts)
        {
            if (part.StartsWith(prefix, StringComparison.Ordinal))
            {
                return words + part[prefix.Length..] + unit;
            }
        }

        // A summary of refusals (RefusalAuditGate): this row stands for N of them.
        if (part.StartsWith(RefusalAuditGate.AttemptsPrefix, StringComparison.Ordinal))
        {
            return part[RefusalAuditGate.AttemptsPrefix.Length..] + "回分をまとめて記録";
        }

        return part;
    }

    private static string KindLabel(string code) =>
        AccountKinds.All.FirstOrDefault(k => AccountKinds.Code(k) == code) is var k && AccountKinds.Code(k) == code ? AccountKinds.Label(k) : code;

    private static Dictionary<string, string> BuildDetails()
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            // login failures
            ["unknown-user"] = "ユーザIDが登録されていない",
            ["other-institution"] = "他の医療機関等の端末から",
            [SessionEndReasons.Disabled] = "アカウント無効",
            ["locked"] = "ロック中",
            ["wrong-password"] = "パスワード誤り",
            ["wrong-password-locked"] = "パスワード誤り（ロック）",
            ["throttled"] = "失敗が続いたため受付停止中",
            ["temporary-password-expired"] = "仮パスワードの有効期限切れ",
            ["concurrent-change"] = "同時に変更されたため",
            ["must-change-password"] = "パスワード変更が必要",
            ["already-in-use"] = "使用中のため強制ログインを確認",
            ["forced-login-cancelled"] = "強制ログインを取りやめ",
            ["forced"] = "強制ログイン（使用中のセッションを終了）",
            ["forced-login-expired"] = "強制ログインの確認の期限切れ",
            ["stale-confirmation"] = "確認画面の後に別の操作で再発行済み",
            [AuditDetails.OtherResult] = "他の医療機関等・環境・アカウントの資格確認結果",
            [AuditDetails.PreviousSecret] = "更新前のシークレット（猶予期間中）",
            [AuditDetails.NotMachineAccount] = "連携アプリ用・Web API用以外のアカウント",
            [AuditDetails.SecretNotIssued] = "シークレット未発行",
            [AuditDetails.CredentialEnded] = "パスワード・シークレットの失効（パスワード初期化が必要）",

            // session ends
            [SessionEndReasons.Logout] = "ログアウト",
            [SessionEndReasons.Idle] = "無操作時間の上限（15分）",
            [SessionEndReasons.Absolute] = "ログイン継続時間の上限（12時間）",
            [SessionEndReasons.PasswordInitialized] = "パスワード初期化による終了",
            [SessionEndReasons.PasswordChanged] = "パスワード変更による終了",
            [SessionEndReasons.StampChanged] = "アカウント情報の変更による終了",
            [SessionEndReasons.CertificateChanged] = "端末証明書の変更による終了",
            [SessionEndReasons.OtherEnvironment] = "別の環境による終了",
            ["secret-reissued"] = "秘密の番号の再発行による終了",
            [SessionEndReasons.ForcedLogin] = "強制ログインによる終了",

            // lockout
            ["timed"] = "一定時間後に自動解除",
            ["until-unlocked"] = "解除されるまでロック",

            // denials and account changes
            [AuditDetails.NotPermitted] = "権限なし",
            [AuditDetails.AccountSettingsPdf] = "アカウント設定情報（PDF）",
            [AuditDetails.CurrentPasswordWrong] = "現在のパスワード誤り",
            [AuditDetails.CurrentPasswordWrongLocked] = "現在のパスワード誤り（ロック）",
            ["kind-not-permitted"] = "権限区分の権限なし",
            ["cannot-disable"] = "無効にできないアカウント",
            [AuditDetails.Page] = "画面",
            ["name"] = "ユーザ名",
            ["enabled"] = "有効化",
            ["secret-reissue"] = "秘密の番号の再発行",
            ["secret-number-change+unlock"] = "秘密の番号の変更とロック解除",
            [MemberImportAuditActions.FailedDetail] = "処理を完了できず（取り込んでいない）",

            // certificate checks
            ["Missing"] = "証明書なし",
            ["Untrusted"] = "信頼できない証明書",
            ["Unknown"] = "登録されていない証明書",
            ["Revoked"] = "失効した証明書",
            ["Expired"] = "有効期限切れの証明書",
            ["NotYetValid"] = "有効期間前の証明書",
            ["WrongUsage"] = "用途の異なる証明書",

            // refused requests
            [RequestRefusalReasons.Antiforgery] = "送信内容の確認用トークンが不正",
            [RequestRefusalReasons.ForbiddenInput] = "使用できない文字（制御文字・不正な文字コード）",
            [RequestRefusalReasons.TooLarge] = "送信サイズの上限超過",
            [RequestRefusalReasons.MalformedBody] = "読み取れない送信内容",
            [RequestRefusalReasons.Host] = "接続先（Hostヘッダー）が不正",
            [RequestRefusalReasons.ForwardedHeader] = "中継装置以外からの転送用ヘッダー",
            [RequestRefusalReasons.ApiToken] = "Web APIの認証トークンが無効",
            [RequestRefusalReasons.ApiRateLimited] = "Web APIの要求数の上限超過",
            [RequestRefusalReasons.ApiMalformed] = "Web APIの要求電文の形式誤り",
            [RequestRefusalReasons.ApiUnknownPath] = "存在しないWeb API",
            ["bulk-failed"] = "処理できず（再試行の上限に達したため中止）",
            ["institution-mismatch"] = "医療機関等コードが端末証明書と不一致",
        };
        foreach (var (code, label) in VerificationMethods.All)
        {
            d[code] = "本人確認：" + label;
        }

        foreach (var kind in AccountKinds.All)
        {
            d[AccountKinds.Code(kind)] = AccountKinds.Label(kind);
        }

        return d;
    }
}
