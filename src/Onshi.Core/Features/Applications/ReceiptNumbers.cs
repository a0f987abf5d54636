using System.Globalization;
using System.Text.RegularExpressions;
using Onshi.Core.Common;

namespace Onshi.Core.Features.Applications;

/// <summary>A 受付番号 read back: its kind letter, the JST day of submission and the application id.</summary>
public sealed record ReceiptNumber(string Prefix, DateOnly Day, long Id);

/// <summary>
/// The 受付番号 an applicant is shown on 完了 and finds again in the lists, and the call center asks for on the phone:
/// a letter per kind of application, the JST day it was submitted and the application's id
/// (「R-20261206-000042」). Derived, not stored: the id is unique, and every page that takes an id answers only its
/// owner (someone else's id is answered like a missing one), so a guessed number shows nothing.
/// </summary>
public static partial class ReceiptNumbers
{
    /// <summary>The prefix of a 利用開始・変更申請.</summary>
    public const string UsagePrefix = "R";

    /// <summary>The 受付番号 of a 利用開始・変更申請.</summary>
    public static string Usage(long id, DateTime submittedUtc) => Format(UsagePrefix, id, submittedUtc);

    /// <summary>The prefix of a 電子証明書発行申請.</summary>
    public const string CertificatePrefix = "C";

    /// <summary>The 受付番号 of a 電子証明書発行申請.</summary>
    public static string Certificate(long id, DateTime submittedUtc) => Format(CertificatePrefix, id, submittedUtc);

    /// <summary>The prefix of a 補助金申請.</summary>
    public const string SubsidyPrefix = "S";

    /// <summary>The 受付番号 of a 補助金申請.</summary>
    public static string Subsidy(long id, DateTime submittedUtc) => Format(SubsidyPrefix, id, submittedUtc);

    /// <summary>
    /// A 受付番号 as typed (by the call center, read out on the phone): full-width letters and digits, any hyphen look-alike
    /// (<see cref="TextInput.NormalizeCode"/>), a lower-case letter, spaces around it and the hyphens themselves may be
    /// left out. Null when it is not one: an unknown letter, an impossible day, no id.
    /// </summary>
    public static ReceiptNumber? Parse(string? text)
    {
        var normalized = TextInput.NormalizeCode(text)?.Trim();
        if (string.IsNullOrEmpty(normalized) || normalized.Length > 40)
        {
            return null;
        }

        var match = Shape().Match(normalized);
        if (!match.Success
            || !DateOnly.TryParseExact(match.Groups["day"].Value, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            || !long.TryParse(match.Groups["id"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || id <= 0)
        {
            return null;
        }

        return new ReceiptNumber(match.Groups["prefix"].Value.ToUpperInvariant(), day, id);
    }

    /// <summary>The application id in a 受付番号 (<see cref="Parse"/>), or null.</summary>
    public static long? IdOf(string? receiptNumber) => Parse(receiptNumber)?.Id;

    private static string Format(string prefix, long id, DateTime submittedUtc) =>
        prefix + "-" + Jst.DayOf(submittedUtc).ToString("yyyyMMdd", CultureInfo.InvariantCulture) + "-" + id.ToString("D6", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(?<prefix>[RCSrcs])\s*-?\s*(?<day>[0-9]{8})\s*-?\s*(?<id>[0-9]{1,18})$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
