using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Onshi.Core.Data;
using Onshi.Core.Features.Login;
using Onshi.Core.Features.Mail;

namespace Onshi.Core.Features.PortalAccounts;

/// <summary>
/// The portal's account mails (verification, already registered, reset) with their links: Data Protection tokens naming
/// the user, bound to its security stamp and expiring; and the silent caps on how many mails an address may ask for.
/// </summary>
public sealed class PortalAccountMail(
    OnshiDbContext db,
    IMailSender mail,
    IDataProtectionProvider dataProtection,
    ILoginThrottle throttle,
    TimeProvider time,
    IOptions<PortalAccountOptions> options)
{
    internal const string VerifyPurpose = "Onshi.Portal.EmailVerification.v1";
    internal const string ResetPurpose = "Onshi.Portal.PasswordReset.v1";
    private const int MaxTokenLength = 2048;
    private const string SubjectPrefix = "【医療機関等向け総合ポータルサイト】";

    private readonly PortalAccountOptions opts = options.Value;

    internal async Task<bool> TrySendAsync(string clientAddress, string normalizedEmail, Func<MailMessageData> message, CancellationToken cancellationToken)
    {
        if (!await TryReserveMailAsync(clientAddress, normalizedEmail, cancellationToken))
        {
            return false;
        }

        await mail.SendAsync(message(), cancellationToken);
        return true;
    }

    internal async Task<bool> TryReserveMailAsync(string clientAddress, string normalizedEmail, CancellationToken cancellationToken)
    {
        // Registration and reset cost nothing to ask for: cap the mails per asking address and per recipient, silently
        // (the answer stays the same), so neither a mailbox nor the outbox can be flooded.
        var addrKey = "portal-mail-addr:" + clientAddress;
        if (await throttle.TryAcquireAsync(addrKey, opts.MaxMailsPerAddress, cancellationToken) is not { } addrSlot)
        {
            return false;
        }

        if (await throttle.TryAcquireAsync("portal-mail-to:" + normalizedEmail, opts.MaxMailsPerRecipient, cancellationToken) is null)
        {
            await throttle.ReleaseAsync([addrSlot], cancellationToken);
            return false;
        }

        return true;
    }

    internal MailMessageData VerificationMail(PortalUser user) => new(user.Email, SubjectPrefix + "メールアドレスの確認",
        $"""
        {user.DisplayName} 様

        医療機関等向け総合ポータルサイトへの新規登録を受け付けました。
        次のリンクを開いて、メールアドレスの確認を完了してください。確認が完了するまでログインはできません。

        {Link("/Account/Verify", Protect(VerifyPurpose, user, opts.VerificationLinkLifetime))}

        このリンクの有効期限は{Hours(opts.VerificationLinkLifetime)}時間です。期限が過ぎた場合は、「パスワードの再設定」からお手続きいただくと、確認も完了します。
        お心当たりのない場合は、このメールを破棄してください。登録は完了しません。

        ※このメールは送信専用です。返信いただいてもお答えできません。
        """);

    internal MailMessageData AlreadyRegisteredMail(PortalUser user) => new(user.Email, SubjectPrefix + "アカウント登録のお知らせ",
        $"""
        医療機関等向け総合ポータルサイトで、このメールアドレスによる新規登録のお申し込みがありました。
        このメールアドレスは既に登録されているため、新しいアカウントは作成していません。

        パスワードが分からない場合は、次のリンクからパスワードを再設定してください（メールアドレスの確認がお済みでない場合は、再設定によって確認も完了します）。

        {Link("/Account/ResetPassword", Protect(ResetPurpose, user, opts.ResetLinkLifetime))}

        このリンクの有効期限は{Hours(opts.ResetLinkLifetime)}時間で、一度だけ使用できます。
        お心当たりのない場合は、このメールを破棄してください。アカウントは変更されません。

        ※このメールは送信専用です。返信いただいてもお答えできません。
        """);

    internal MailMessageData ResetMail(PortalUser user) => new(user.Email, SubjectPrefix + "パスワードの再設定",
        $"""
        医療機関等向け総合ポータルサイトで、パスワードの再設定のお申し込みを受け付けました。
        次のリンクを開いて、新しいパスワードを設定してください。

        {Link("/Account/ResetPassword", Protect(ResetPurpose, user, opts.ResetLinkLifetime))}

        このリンクの有効期限は{Hours(opts.ResetLinkLifetime)}時間で、一度だけ使用できます。
        お心当たりのない場合は、このメールを破棄してください。パスワードは変更されません。

        ※このメールは送信専用です。返信いただいてもお答えできません。
        """);

    private static string Hours(TimeSpan span) => ((int)span.TotalHours).ToString(CultureInfo.InvariantCulture);

    private string Link(string path, string token)
    {
        var baseUrl = opts.PublicBaseUrl ?? throw new InvalidOperationException("Onshi:Portal:PublicBaseUrl is not set.");
        return baseUrl.TrimEnd('/') + path + "?token=" + Uri.EscapeDataString(token);
    }

    /// <summary>A Data Protection token naming the user, bound to its current security stamp, expiring after <paramref name="lifetime"/>.</summary>
    private string Protect(string purpose, PortalUser user, TimeSpan lifetime)
    {
        var expires = (time.GetUtcNow() + lifetime).UtcTicks;
        var payload = string.Create(CultureInfo.InvariantCulture, $"{user.Id}|{user.SecurityStamp}|{expires}");
        return dataProtection.CreateProtector(purpose).Protect(payload);
    }

    /// <summary>The user a token names, if it is authentic, unexpired and its stamp still current; otherwise null.</summary>
    internal async Task<PortalUser?> ReadTokenAsync(string purpose, string? token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength)
        {
            return null;
        }

        string payload;
        try
        {
            payload = dataProtection.CreateProtector(purpose).Unprotect(token);
        }
        catch (CryptographicException)
        {
            return null;
        }
        catch (FormatException)
        {
            return null;
        }

        var parts = payload.Split('|');
        if (parts.Length != 3
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            || time.GetUtcNow().UtcTicks >= expires)
        {
            return null;
        }

        var user = await db.PortalUsers.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, cancellationToken);
        return user is not null && CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(user.SecurityStamp), System.Text.Encoding.UTF8.GetBytes(parts[1]))
            ? user
            : null;
    }

}
