using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Onshi.Core.Data;
using Onshi.Core.Features.AccountManagement;
using Onshi.Core.Features.Certificates;
using Onshi.Core.Features.Passwords;
using Onshi.Core.Features.Sessions;
using Onshi.Oqs.Hosting;

namespace Onshi.Oqs.Pages;

/// <summary>
/// メニュー: the groups and lines of <see cref="OqsMenu"/> the account's kind may use, the certificate-expiry warning, and what
/// every kind wants to see after login (issue 14, item 9): one's own パスワード有効期限 (warned within
/// <see cref="PasswordOptions.ExpiryWarningPeriod"/>) and 前回ログイン. The reset account's menu leads straight to the master's
/// パスワード初期化 (seed P9).
/// </summary>
public sealed class MenuModel(TimeProvider time, AccountAdministration accounts, SessionService sessions, IOptions<PasswordOptions> passwords) : PageModel
{
    public IReadOnlyList<OqsMenuGroup> Groups { get; private set; } = [];

    public string? ExpiryMessage { get; private set; }

    public AccountRow Own { get; private set; } = null!;

    /// <summary>The warning about one's own password, when it expires within the warning period (or has a temporary one).</summary>
    public string? PasswordWarning { get; private set; }

    public PreviousLogin? Previous { get; private set; }

    /// <summary>The reset account's shortcut: the master's パスワード初期化 (null for every other kind).</summary>
    public long? MasterToInitialize { get; private set; }

    public async Task OnGetAsync()
    {
        var p = HttpContext.Features.Get<SessionPrincipal>()!;
        var actor = HttpContext.Actor();
        var now = time.GetUtcNow().UtcDateTime;
        Groups = OqsMenu.For(p.Kind);
        ExpiryMessage = CertificateExpiry.Evaluate(HttpContext.Terminal().NotAfter, now)?.Message;
        Own = await accounts.OwnAccountAsync(actor, HttpContext.RequestAborted);
        Previous = await sessions.PreviousLoginAsync(p.AccountId, p.SessionId, HttpContext.RequestAborted);
        MasterToInitialize = await accounts.MasterToInitializeAsync(actor, HttpContext.RequestAborted);
        PasswordWarning = Warning(Own, now, passwords.Value.ExpiryWarningPeriod);
    }

    /// <summary>
    /// The warning for <paramref name="own"/>'s password at <paramref name="now"/>: none when it does not expire or expires later
    /// than <paramref name="period"/> from now.
    /// </summary>
    public static string? Warning(AccountRow own, DateTime now, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(own);
        if (own.Kind == AccountKind.MasterReset || own.PasswordExpiresAt is not { } expires || period <= TimeSpan.Zero || expires - now > period)
        {
            return null;
        }

        var days = (int)Math.Ceiling((expires - now).TotalDays);
        var how = OqsMenu.For(own.Kind).SelectMany(g => g.Items).Any(i => i.Href == "/ChangePassword")
            ? "《パスワード変更》から新しいパスワードを設定してください。"
            : "管理者またはマスタアカウントの利用者に、パスワードの初期化を依頼してください。";
        return expires <= now
            ? "パスワードの有効期限が切れています。" + how
            : $"パスワードの有効期限まであと{days.ToString(System.Globalization.CultureInfo.InvariantCulture)}日です（{Display.Time(expires)}まで）。期限が切れる前に、" + how;
    }
}
