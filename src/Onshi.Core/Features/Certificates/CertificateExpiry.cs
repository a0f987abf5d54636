using System.Globalization;
using Onshi.Core.Common;

namespace Onshi.Core.Features.Certificates;

/// <summary>The warning stages of SPEC §8: 90, 60, 30 and 15 days before expiry, then daily in the last 7.</summary>
public enum CertificateExpiryStage
{
    /// <summary>61–90 days remain.</summary>
    Days90 = 90,

    /// <summary>31–60 days remain.</summary>
    Days60 = 60,

    /// <summary>16–30 days remain.</summary>
    Days30 = 30,

    /// <summary>8–15 days remain.</summary>
    Days15 = 15,

    /// <summary>0–7 days remain: a warning every day.</summary>
    Daily = 7,
}

/// <summary>An expiry warning to show at login.</summary>
/// <param name="DaysRemaining">Whole calendar days (JST) from today to the expiry date; 0 on the last day.</param>
/// <param name="Stage">The warning stage the day falls in.</param>
/// <param name="ExpiresOn">The last day (JST) the certificate is valid.</param>
/// <param name="Message">The Japanese message for the login screen.</param>
public sealed record CertificateExpiryNotice(int DaysRemaining, CertificateExpiryStage Stage, DateOnly ExpiresOn, string Message);

/// <summary>Decides whether a terminal certificate is close enough to expiry to warn about it.</summary>
public static class CertificateExpiry
{
    /// <summary>Warnings start, and renewal opens, this many days before expiry.</summary>
    public const int WarningWindowDays = 90;

    /// <summary>
    /// Whole days remaining, counted on the JST calendar: the expiry date minus today's date.
    /// Negative once the expiry date has passed.
    /// </summary>
    public static int DaysRemaining(DateTime notAfterUtc, DateTime nowUtc) =>
        JapanTime.DateOf(notAfterUtc).DayNumber - JapanTime.DateOf(nowUtc).DayNumber;

    /// <summary>
    /// The notice to show at a login at <paramref name="nowUtc"/>, or null when more than 90 days remain or the
    /// certificate has already expired (that is a validation failure, not a warning). Inside the window the
    /// notice is shown at every login, at the stage the day falls in, so a terminal that is not used on the exact
    /// 60th day still sees the 60-day warning.
    /// </summary>
    public static CertificateExpiryNotice? Evaluate(DateTime notAfterUtc, DateTime nowUtc)
    {
        if (nowUtc >= notAfterUtc)
        {
            return null;
        }

        int days = DaysRemaining(notAfterUtc, nowUtc);
        if (days > WarningWindowDays)
        {
            return null;
        }

        CertificateExpiryStage stage = days switch
        {
            > 60 => CertificateExpiryStage.Days90,
            > 30 => CertificateExpiryStage.Days60,
            > 15 => CertificateExpiryStage.Days30,
            > 7 => CertificateExpiryStage.Days15,
            _ => CertificateExpiryStage.Daily,
        };

        DateOnly expiresOn = JapanTime.DateOf(notAfterUtc);
        string date = Jst.Date(expiresOn);
        string remaining = days == 0 ? "本日まで" : $"残り {days} 日";
        string message =
            $"この端末の認証用の証明書の有効期限は {date} です（{remaining}）。" +
            "医療機関等向け総合ポータルサイトの「電子証明書発行申請」から更新してください。";
        return new CertificateExpiryNotice(days, stage, expiresOn, message);
    }
}
