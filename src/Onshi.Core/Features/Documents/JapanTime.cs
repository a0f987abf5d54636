using System.Globalization;

using Onshi.Core.Data;

namespace Onshi.Core.Features.Documents;

/// <summary>Date and label formatting shared by the documents. All document times are Japan Standard Time.</summary>
internal static class JapanTime
{
    // Japan has had no daylight saving time since 1951, so a fixed +09:00 is exact and needs no tz database.
    private static readonly TimeSpan Offset = TimeSpan.FromHours(9);

    public static DateTime ToJst(DateTime utc)
    {
        DateTime asUtc = utc.Kind == DateTimeKind.Local ? utc.ToUniversalTime() : utc;
        return DateTime.SpecifyKind(asUtc + Offset, DateTimeKind.Unspecified);
    }

    /// <summary>YYYY年MM月DD日 HH:mm in JST.</summary>
    public static string DateTimeText(DateTime utc) =>
        ToJst(utc).ToString("yyyy'年'MM'月'dd'日' HH':'mm", CultureInfo.InvariantCulture);

    /// <summary>YYYY年MM月DD日 in JST.</summary>
    public static string DateText(DateTime utc) =>
        ToJst(utc).ToString("yyyy'年'MM'月'dd'日'", CultureInfo.InvariantCulture);

    /// <summary>A PDF date string (D:YYYYMMDDHHmmSS+09'00') for the document information dictionary.</summary>
    public static string PdfDate(DateTime utc) =>
        ToJst(utc).ToString("'D:'yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "+09'00'";

    public static string EnvironmentLabel(OqsEnvironment environment) => environment switch
    {
        OqsEnvironment.Production => "本番環境",
        OqsEnvironment.Verification => "接続確認環境",
        _ => throw new ArgumentOutOfRangeException(nameof(environment), environment, "Unknown environment."),
    };
}
