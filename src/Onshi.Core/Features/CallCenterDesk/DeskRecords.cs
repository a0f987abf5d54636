using Onshi.Core.Common;
using Onshi.Core.Data;

namespace Onshi.Core.Features.CallCenterDesk;

/// <summary>How the caller was verified (本人確認の方法): a code from a fixed list.</summary>
public static class VerificationMethods
{
    public const string RegisteredPhoneCallback = "registered-phone-callback";
    public const string InstitutionDetailsMatch = "institution-details-match";
    public const string Other = "other";

    /// <summary>The codes with their labels, in the order the form offers them.</summary>
    public static IReadOnlyList<(string Code, string Label)> All { get; } =
    [
        (RegisteredPhoneCallback, "登録電話番号への折り返し確認"),
        (InstitutionDetailsMatch, "医療機関等コード・名称・所在地の一致確認"),
        (Other, "その他（メモに記入）"),
    ];

    public static bool IsKnown(string? code) => All.Any(m => m.Code == code);

    public static string Label(string code) => All.FirstOrDefault(m => m.Code == code).Label ?? code;
}

/// <summary>What the operator records about the caller before acting (本人確認).</summary>
/// <param name="CallerName">発信者名 as given by the caller (1–50 characters).</param>
/// <param name="Method">A <see cref="VerificationMethods"/> code.</param>
/// <param name="Note">メモ (up to 500 characters); required for <see cref="VerificationMethods.Other"/>.</param>
public sealed record CallerVerification(string? CallerName, string? Method, string? Note);

/// <summary>One institution in the search results.</summary>
public sealed record InstitutionSummary(long Id, string Code, string Name, string Address);

/// <summary>A page of search results.</summary>
public sealed record InstitutionSearchResult(IReadOnlyList<InstitutionSummary> Rows, int Total, int Page, int PageSize)
{
    public int PageCount => Math.Max(1, (Total + PageSize - 1) / PageSize);
}

/// <summary>A マスタ or マスタリセット用 account as the desk sees it: never a hash.</summary>
public sealed record DeskAccount(long Id, OqsEnvironment Environment, AccountKind Kind, string UserId, AccountStatus Status,
    bool Locked, DateTime? LockoutEnd, int FailedCount, DateTime? LastLoginAt, string Version);

/// <summary>A recorded call.</summary>
public sealed record DeskContact(DateTime At, string OperatorName, string CallerName, string Method, string Action, string Note);

/// <summary>What the desk shows of one institution.</summary>
public sealed record InstitutionDetail(long Id, string Code, string Name, string Address, string Phone, string? RegisteredContact,
    IReadOnlyList<DeskAccount> Accounts, IReadOnlyList<DeskContact> RecentContacts, IReadOnlyList<SecretReissueView> KeptNotices);

/// <summary>A re-issue made (or found again, <paramref name="Replayed"/>) for a confirmation's request token.</summary>
public sealed record SecretReissueResult(string RequestId, bool Replayed);

/// <summary>A re-issue as the desk shows it: when, by whom, which environments, and whether its notice can still be downloaded.</summary>
public sealed record SecretReissueView(string RequestId, DateTime At, string OperatorName, string Environments, string FileName,
    bool NoticeAvailable, DateTime NoticeExpiresAt);

/// <summary>The notice PDF of a re-issue: the only place the new 秘密の番号 exists in plain.</summary>
public sealed record SecretReissueNotice(byte[] Pdf, string FileName);

/// <summary>The Japanese messages of the call-center desk.</summary>
public static class DeskErrors
{
    public static OnshiError CallerNameRequired { get; } = new("desk.caller_required", "発信者名を入力してください。", "CallerName");

    public static OnshiError CallerNameTooLong { get; } = new("desk.caller_too_long", "発信者名は50文字以内で入力してください。", "CallerName");

    public static OnshiError MethodInvalid { get; } = new("desk.method", "本人確認の方法を一覧から選択してください。", "Method");

    public static OnshiError NoteTooLong { get; } = new("desk.note_too_long", "メモは500文字以内で入力してください。", "Note");

    public static OnshiError NoteRequiredForOther { get; } = new("desk.note_required", "本人確認の方法が「その他」の場合は、確認した内容をメモに入力してください。", "Note");

    public static OnshiError InvalidCharacters { get; } = new("desk.invalid_characters", "入力内容に使用できない文字が含まれています。", "Note");

    public static OnshiError EnvironmentRequired { get; } = new("desk.environment", "利用環境を選択してください。", "Environment");

    public static OnshiError InstitutionNotFound { get; } = new("desk.institution_not_found", "医療機関等が見つかりません。");

    public static OnshiError ResetAccountMissing { get; } = new("desk.reset_missing", "選択した利用環境のマスタアカウントリセット用アカウントがありません。", "Environment");

    public static OnshiError NotLocked { get; } = new("desk.not_locked", "マスタアカウントリセット用アカウントはロックされていません。", "Environment");

    public static OnshiError RequestInvalid { get; } = new("desk.request_invalid", "確認画面の情報が正しくありません。画面を開き直して、もう一度操作してください。");

    public static OnshiError AlreadyReissued { get; } = new("desk.already_reissued",
        "確認画面を開いた後に、この利用環境の秘密の番号は別の操作で再発行（または変更）されたため、再発行しませんでした。対応履歴と「再ダウンロードできる通知書」を確認してください。改めて再発行が必要な場合は、もう一度操作してください。");

    public static OnshiError ReissueNotFound { get; } = new("desk.reissue_not_found", "指定された再発行の記録が見つかりません。");

    public static OnshiError NoticeExpired { get; } = new("desk.notice_expired",
        "通知書の保管期間が過ぎたため、再ダウンロードできません。通知書が必要な場合は、秘密の番号を改めて再発行してください。");

    public static OnshiError QueryInvalid { get; } = new("desk.query", "医療機関等コード（数字）または医療機関等名の一部を100文字以内で入力してください。", "Query");

    public static OnshiError CodeFilterInvalid { get; } = new("desk.code_filter", "医療機関等コードは半角数字10桁以内で入力してください。", "InstitutionCode");
}
