using System.Globalization;

namespace Onshi.Core.Common;

/// <summary>
/// Japan Standard Time (UTC+9 all year, no daylight saving) and the one place where a site's date and time formats live.
/// The OQS and the operator console write <c>2026/11/24</c>, <c>2026/11/24 09:05</c> and, in the 操作ログ,
/// <c>2026/11/24 09:05:03</c>; the portal writes <c>2026-11-24</c> and <c>2026-11-24 09:05</c>, as the institutions'
/// guide shows its screens (決定通知書取込日 2024-06-21). One format per site, prose included
/// (docs/decisions-issue14-text.md); documents (PDF notices and mails) keep the letter style 「2026年11月24日」.
/// </summary>
public static class Jst
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(9);

    /// <summary>What shows when there is no date (never logged in, no expiry).</summary>
    public const string None = "－";

    public static DateTime FromUtc(DateTime utc) => DateTime.SpecifyKind(utc, DateTimeKind.Unspecified) + Offset;

    public static DateTime StartOfDayUtc(DateOnly day) => DateTime.SpecifyKind(day.ToDateTime(TimeOnly.MinValue) - Offset, DateTimeKind.Utc);

    public static DateOnly Today(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return DateOnly.FromDateTime(FromUtc(time.GetUtcNow().UtcDateTime));
    }

    /// <summary>The JST day of an instant.</summary>
    public static DateOnly DayOf(DateTime utc) => DateOnly.FromDateTime(FromUtc(utc));

    /// <summary><c>2026/11/24</c>.</summary>
    public static string Date(DateOnly day) => day.ToString("yyyy/MM/dd", CultureInfo.InvariantCulture);

    /// <summary><c>2026/11/24</c> (the JST day of <paramref name="utc"/>).</summary>
    public static string Date(DateTime utc) => Date(DayOf(utc));

    /// <summary><c>2026/11/24 09:05</c>.</summary>
    public static string Minutes(DateTime utc) => FromUtc(utc).ToString("yyyy/MM/dd HH:mm", CultureInfo.InvariantCulture);

    /// <summary><c>2026/11/24 09:05:03</c>.</summary>
    public static string Seconds(DateTime utc) => FromUtc(utc).ToString("yyyy/MM/dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>The portal's date: <c>2026-11-24</c> (also the value of an <c>input type="date"</c>).</summary>
    public static string IsoDate(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The portal's date of an instant: <c>2026-11-24</c>.</summary>
    public static string IsoDate(DateTime utc) => IsoDate(DayOf(utc));

    /// <summary>The portal's time: <c>2026-11-24 09:05</c>.</summary>
    public static string IsoMinutes(DateTime utc) => FromUtc(utc).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
