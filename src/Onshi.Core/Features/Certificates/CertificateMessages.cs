using System.Globalization;

using Onshi.Core.Common;

namespace Onshi.Core.Features.Certificates;

/// <summary>A Japanese explanation for the certificate error page.</summary>
/// <param name="Code">Stable code, e.g. for the audit log's detail column.</param>
/// <param name="Title">The page heading.</param>
/// <param name="WhatHappened">What is wrong.</param>
/// <param name="WhatToDo">What the user should do about it.</param>
public sealed record CertificateStatusMessage(string Code, string Title, string WhatHappened, string WhatToDo);

/// <summary>The one place where the certificate feature's user-facing (Japanese) messages live.</summary>
public static class CertificateMessages
{
    // The call center is named once, by the error page under this advice (「上記で解決しない場合は…」), never in the advice.
    // A browser keeps the certificate it was given until every one of its windows is closed: reloading the page does not
    // show the picker again, so the advice says to close them all.
    private const string ChooseAgain =
        "開いているブラウザのウィンドウをすべて閉じてから、ブラウザを起動し直してオンライン資格確認等システムを開き、"
        + "証明書の選択画面で認証用の証明書を選んで【OK】を押してください。"
        + "ブラウザは、一度選んだ証明書をすべてのウィンドウを閉じるまで使い続けます。";

    private const string ApplyOnPortal =
        "医療機関等向け総合ポータルサイトの「電子証明書発行申請」から新しい証明書を申請し、発行された証明書をこの端末にインストールしてください。";

    /// <summary>The message for the error page of a request whose certificate check came out <paramref name="status"/>.</summary>
    public static CertificateStatusMessage Describe(CertificateCheckStatus status) => status switch
    {
        CertificateCheckStatus.Valid => new(
            "certificate.valid",
            "認証用の証明書は有効です",
            "認証用の証明書を確認しました。",
            "そのままご利用ください。"),
        CertificateCheckStatus.Missing => new(
            "certificate.missing",
            "認証用の証明書が確認できません",
            "認証用の証明書が選択されていません。",
            ChooseAgain + "選択画面に認証用の証明書が表示されない場合は、この端末に証明書がインストールされていません。" + ApplyOnPortal),
        CertificateCheckStatus.Untrusted => new(
            "certificate.untrusted",
            "この証明書は利用できません",
            "選択された証明書は、オンライン資格確認等システムの認証用の証明書ではありません。",
            ChooseAgain),
        CertificateCheckStatus.Unknown => new(
            "certificate.unknown",
            "この証明書は利用できません",
            "選択された証明書は、オンライン資格確認等システムに登録されている認証用の証明書ではありません。",
            ChooseAgain),
        CertificateCheckStatus.Expired => new(
            "certificate.expired",
            "認証用の証明書の有効期限が切れています",
            "選択された認証用の証明書は有効期限切れです。",
            ApplyOnPortal + "インストールした後、" + ChooseAgain),
        CertificateCheckStatus.NotYetValid => new(
            "certificate.not_yet_valid",
            "認証用の証明書はまだ利用できません",
            "選択された認証用の証明書は、有効期間の開始前です。端末の日付と時刻が正しいかご確認ください。",
            "端末の日付と時刻を正しく設定してから、" + ChooseAgain),
        CertificateCheckStatus.WrongUsage => new(
            "certificate.wrong_usage",
            "この証明書は認証に利用できません",
            "選択された証明書は、端末の認証用の証明書ではありません。",
            ChooseAgain),
        CertificateCheckStatus.Revoked => new(
            "certificate.revoked",
            "認証用の証明書が失効しています",
            "選択された認証用の証明書は失効しているため、利用できません。",
            "この端末に新しい認証用の証明書がインストール済みの場合は、" + ChooseAgain
            + "新しい証明書がない場合は、" + ApplyOnPortal),
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    internal static OnshiError TerminalNameRequired { get; } = new(
        "certificate.terminal_name_required", "端末名を入力してください。", "TerminalName");

    internal static OnshiError TerminalNameTooLong { get; } = new(
        "certificate.terminal_name_too_long", "端末名は32文字以内で入力してください。", "TerminalName");

    internal static OnshiError TerminalNameInvalid { get; } = new(
        "certificate.terminal_name_invalid",
        "端末名は半角英数字、「_」（アンダースコア）、「-」（ハイフン）で入力してください。",
        "TerminalName");

    internal static OnshiError InstitutionNotFound { get; } = new(
        "certificate.institution_not_found", "医療機関等が見つかりません。", "InstitutionId");

    internal static OnshiError CertificateNotFound { get; } = new(
        "certificate.not_found", "指定された証明書が見つかりません。", "SerialNumber");

    internal static OnshiError AlreadyRevoked { get; } = new(
        "certificate.already_revoked", "この証明書は既に失効しています。", "SerialNumber");

    internal static OnshiError AlreadyIssued(DateOnly expiresOn, DateOnly renewableFrom) => new(
        "certificate.already_issued",
        string.Create(
            CultureInfo.InvariantCulture,
            $"この端末には有効な認証用の証明書が発行済みです（有効期限：{Jst.IsoDate(expiresOn)}）。" +
            $"更新は有効期限の{CertificateExpiry.WarningWindowDays}日前（{Jst.IsoDate(renewableFrom)}）から申請できます。"),
        "TerminalName");
}
