using System.Globalization;
using Onshi.Core.Common;

namespace Onshi.Core.Features.Applications;

/// <summary>
/// The 受付番号 an applicant is shown on 完了 and finds again in the lists, and the call center asks for on the phone:
/// a letter per kind of application, the JST day it was submitted and the application's id
/// (「R-20261206-000042」). Derived, not stored: the id is unique, and every page that takes an id answers only its
/// owner (someone else's id is answered like a missing one), so a guessed number shows nothing.
/// </summary>
public static class ReceiptNumbers
{
    /// <summary>The prefix of a 利用開始・変更申請.</summary>
    public const string UsagePrefix = "R";

    /// <summary>The 受付番号 of a 利用開始・変更申請.</summary>
    public static string Usage(long id, DateTime submittedUtc) => Format(UsagePrefix, id, submittedUtc);

    /// <summary>The prefix of a 電子証明書発行申請.</summary>
    public const string CertificatePrefix = "C";

    /// <summary>The 受付番号 of a 電子証明書発行申請.</summary>
    public static string Certificate(long id, DateTime submittedUtc) => Format(CertificatePrefix, id, submittedUtc);

    /// <summary>The application id in a 受付番号 typed by the call center (any prefix and day; full-width digits accepted).</summary>
    public static long? IdOf(string? receiptNumber)
    {
        if (string.IsNullOrWhiteSpace(receiptNumber))
        {
            return null;
        }

        var text = receiptNumber.Normalize(System.Text.NormalizationForm.FormKC).Trim();
        var dash = text.LastIndexOfAny(['-', '‐', '－', 'ー']);
        var tail = dash >= 0 ? text[(dash + 1)..] : text;
        return long.TryParse(tail, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? id : null;
    }

    private static string Format(string prefix, long id, DateTime submittedUtc) =>
        prefix + "-" + Jst.DayOf(submittedUtc).ToString("yyyyMMdd", CultureInfo.InvariantCulture) + "-" + id.ToString("D6", CultureInfo.InvariantCulture);
}
