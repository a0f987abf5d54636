using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Onshi.Core.Data;
using Onshi.Core.Features.Documents;
using Onshi.Core.Features.Mail;

namespace Onshi.Core.Features.Applications;

/// <summary>
/// The mails that tell an institution's contact (the applicant's portal address) what the operator decided: 承認 of a
/// 利用開始・変更申請 (with the date each master's initial password expires), 差戻し of any application (with the
/// reason), 電子証明書の発行 (and re-issue), and 交付決定. Each ends with the signature block of <see cref="MailOptions"/>
/// (the operating body and the call center). They are sent after the decision's commit through <see cref="IMailSender"/>
/// (the outbox by default): a mail that cannot be sent is logged (its type only) and never undoes the decision, which the
/// portal shows anyway. No secret is ever in a mail: no password, 秘密の番号 or passphrase, only where to find them.
/// </summary>
public sealed partial class ApplicationMail(
    OnshiDbContext db,
    IMailSender sender,
    IOptions<MailOptions> options,
    ILogger<ApplicationMail> logger)
{
    /// <summary>The subject prefix, as the portal's account mails.</summary>
    public const string SubjectPrefix = "【医療機関等向け総合ポータルサイト】";

    /// <summary>承認 of a 新規: the institution, its environments and when each master's initial password expires.</summary>
    public async Task UsageApprovedAsync(long applicationId, IReadOnlyList<(OqsEnvironment Environment, DateTime ExpiresAt)> masters,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(masters);
        var a = await db.UsageApplications.AsNoTracking().Where(x => x.Id == applicationId)
            .Select(x => new { x.PortalUserId, x.InstitutionCode, x.InstitutionName, x.Kind }).FirstAsync(cancellationToken);
        var lines = masters.Count == 0
            ? ""
            : "\n【マスタアカウントの初期パスワードの有効期限】\n"
              + string.Join("\n", masters.Select(m => $"・{JapanTime.EnvironmentLabel(m.Environment)}：{JapanTime.DateTimeText(m.ExpiresAt)}まで"))
              + "\n有効期限までに、マスタアカウント情報ダウンロードのユーザ設定情報（PDF）に記載のユーザIDと初期パスワードでオンライン資格確認等システムにログインし、パスワードを変更してください。"
              + "有効期限を過ぎた場合は、マスタアカウントリセット用アカウント（パスワードは申請時の秘密の番号）でログインし、マスタアカウントのパスワードを初期化してください。\n";
        var body = a.Kind == ApplicationKind.New
            ? $"""
              医療機関等コード {a.InstitutionCode} {a.InstitutionName} の利用開始申請（新規）を承認しました。

              医療機関等向け総合ポータルサイトの「マスタアカウント情報ダウンロード」に、ユーザ設定情報（マスタアカウントのユーザID・初期パスワード、リセット用ユーザID）を掲載しました。
              {lines}
              次の手順：マスタアカウント情報の確認 → 電子証明書発行申請 → 運用開始日登録
              """
            : $"""
              医療機関等コード {a.InstitutionCode} {a.InstitutionName} の変更申請を承認しました。
              登録内容変更のお知らせを、医療機関等向け総合ポータルサイトの「マスタアカウント情報ダウンロード」に掲載しました。
              """;
        await SendAsync(a.PortalUserId, "利用開始・変更申請の承認のお知らせ", body, cancellationToken);
    }

    /// <summary>差戻し of any application, with the reason as the reviewer wrote it.</summary>
    public async Task SentBackAsync(IReviewedApplication application, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(application);
        var (what, where) = application switch
        {
            UsageApplication => ("利用開始・変更申請", "利用開始・変更申請"),
            CertificateApplication => ("電子証明書発行申請", "電子証明書発行申請（申請照会）"),
            _ => ("補助金申請", "補助金申請"),
        };
        var institution = await InstitutionAsync(application, cancellationToken);
        await SendAsync(application.PortalUserId, what + "の差戻しのお知らせ", $"""
            {institution}の{what}を差し戻しました。

            【差戻し理由】
            {application.SendBackReason}

            内容をご確認のうえ、医療機関等向け総合ポータルサイトの「{where}」から改めて申請してください。
            """, cancellationToken);
    }

    /// <summary>The certificate of a 電子証明書発行申請 was issued (or re-issued by the operator) and waits for its one download.</summary>
    public async Task CertificateIssuedAsync(CertificateApplication application, bool reissued, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(application);
        var institution = await InstitutionAsync(application, cancellationToken);
        await SendAsync(application.PortalUserId, reissued ? "電子証明書の再発行のお知らせ" : "電子証明書の発行のお知らせ", $"""
            {institution}の電子証明書発行申請（端末名：{application.TerminalName}）について、電子証明書を{(reissued ? "再発行" : "発行")}しました。{(reissued ? "以前の電子証明書は失効しています。" : "")}

            医療機関等向け総合ポータルサイトの「電子証明書発行申請」の申請照会から「ダウンロード」を選択し、証明書ファイルを保存して、表示されるパスワードを控えてください。
            証明書ファイルとパスワードは一度だけ表示されます。画面を閉じる前に、必ず「証明書ファイルを保存」で保存してください。
            """, cancellationToken);
    }

    /// <summary>交付決定 of a 補助金申請 with the granted amount.</summary>
    public async Task SubsidyGrantedAsync(SubsidyApplication application, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(application);
        var institution = await InstitutionAsync(application, cancellationToken);
        await SendAsync(application.PortalUserId, "補助金の交付決定のお知らせ", $"""
            {institution}の補助金申請について、交付を決定しました。

            交付決定額：{ApplicationLabels.Yen(application.GrantedAmount ?? 0)}

            交付決定通知書を、医療機関等向け総合ポータルサイトの「交付決定通知書ダウンロード」に掲載しました。
            """, cancellationToken);
    }

    /// <summary>The signature block every decision mail ends with.</summary>
    public string Signature()
    {
        var o = options.Value;
        return $"""
            ──────────────────────────────
            {o.SignatureOperatingBody}
            お問い合わせ：{o.SignatureCallCenterName}
            電話番号：{o.SignatureCallCenterPhone}
            受付時間：{o.SignatureCallCenterHours}
            ※このメールは送信専用です。返信いただいてもお答えできません。
            ──────────────────────────────
            """;
    }

    private async Task<string> InstitutionAsync(IReviewedApplication application, CancellationToken cancellationToken)
    {
        if (application is UsageApplication usage)
        {
            return $"医療機関等コード {usage.InstitutionCode} {usage.InstitutionName}";
        }

        var institutionId = application switch
        {
            CertificateApplication c => c.InstitutionId,
            SubsidyApplication s => s.InstitutionId,
            _ => 0,
        };
        var i = await db.Institutions.AsNoTracking().Where(x => x.Id == institutionId).Select(x => new { x.Code, x.Name }).FirstOrDefaultAsync(cancellationToken);
        return i is null ? "" : $"医療機関等コード {i.Code} {i.Name}";
    }

    private async Task SendAsync(long portalUserId, string subject, string body, CancellationToken cancellationToken)
    {
        var user = await db.PortalUsers.AsNoTracking().Where(u => u.Id == portalUserId).Select(u => new { u.Email, u.DisplayName })
            .FirstOrDefaultAsync(cancellationToken);
        if (user is null)
        {
            return;
        }

        try
        {
            await sender.SendAsync(new MailMessageData(user.Email, SubjectPrefix + subject,
                $"{user.DisplayName} 様\n\n平素より、オンライン資格確認等システムをご利用いただきありがとうございます。\n\n{body.TrimEnd()}\n\n{Signature()}\n"),
                CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The decision is committed and shown on the portal; the type only (a message may quote the address or server).
            LogFailed(logger, subject, ex.GetType().Name);
        }
    }

    [LoggerMessage(EventId = 7020, Level = LogLevel.Warning, Message = "A decision mail ({Subject}) could not be sent ({ExceptionType})")]
    private static partial void LogFailed(ILogger logger, string subject, string exceptionType);
}
