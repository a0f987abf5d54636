using System.Globalization;

namespace Onshi.Core.Features.CallCenter;

/// <summary>Whether the call center is taking calls at a moment, and the sentence to show for it.</summary>
/// <param name="IsOpen">Whether calls are being taken.</param>
/// <param name="Message">
/// Japanese, for the portal and the OQS error pages: 「現在受付中です（本日は18:00まで）」,
/// 「現在は受付時間外です。次の受付開始は 11月25日（月）8:00 です。」 or
/// 「本日（勤労感謝の日）は休業日です。次の受付開始は 11月25日（月）8:00 です。」.
/// </param>
/// <param name="NextOpeningUtc">When closed, the next opening (UTC); <see langword="null"/> when open.</param>
/// <param name="ClosesAtUtc">When open, today's closing time (UTC); <see langword="null"/> when closed.</param>
public sealed record CallCenterStatus(bool IsOpen, string Message, DateTime? NextOpeningUtc, DateTime? ClosesAtUtc);

/// <summary>
/// The call center's hours (SPEC §7): 月〜金 8:00–18:00, 土 8:00–16:00, in Japan time, closed on Sundays and on
/// every holiday of <see cref="JapaneseHolidays"/> (a holiday on a weekday or a Saturday is closed).
/// Opening times are inclusive, closing times exclusive.
/// </summary>
public static class CallCenterHours
{
    /// <summary>Opening time (JST) on every open day.</summary>
    public static TimeOnly Opens { get; } = new(8, 0);

    /// <summary>Closing time (JST, exclusive) Monday to Friday.</summary>
    public static TimeOnly ClosesWeekday { get; } = new(18, 0);

    /// <summary>Closing time (JST, exclusive) on Saturday.</summary>
    public static TimeOnly ClosesSaturday { get; } = new(16, 0);

    private static readonly TimeZoneInfo Jst = FindJst();

    /// <summary>The status now, by <paramref name="timeProvider"/>'s clock.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The date is outside the years <see cref="JapaneseHolidays"/> covers.</exception>
    public static CallCenterStatus StatusAt(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        return StatusAt(timeProvider.GetUtcNow().UtcDateTime);
    }

    /// <summary>
    /// The status at <paramref name="utcNow"/> (a <see cref="DateTimeKind.Unspecified"/> value is taken as UTC,
    /// a <see cref="DateTimeKind.Local"/> one is converted to UTC first).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// The Japan date (or the next opening searched from it) is outside the years <see cref="JapaneseHolidays"/> covers.
    /// </exception>
    public static CallCenterStatus StatusAt(DateTime utcNow)
    {
        DateTime utc = utcNow.Kind == DateTimeKind.Local ? utcNow.ToUniversalTime() : DateTime.SpecifyKind(utcNow, DateTimeKind.Utc);
        DateTime jst = TimeZoneInfo.ConvertTimeFromUtc(utc, Jst);
        DateOnly today = DateOnly.FromDateTime(jst);
        TimeOnly time = TimeOnly.FromDateTime(jst);

        TimeOnly? closes = ClosingOn(today);
        if (closes is { } close && time >= Opens && time < close)
        {
            string message = string.Create(CultureInfo.InvariantCulture, $"現在受付中です（本日は{close:H:mm}まで）");
            return new CallCenterStatus(true, message, null, ToUtc(today, close));
        }

        DateOnly next = closes is not null && time < Opens ? today : NextOpenDayAfter(today);
        string when = string.Create(
            CultureInfo.InvariantCulture, $"次の受付開始は {next.Month}月{next.Day}日（{WeekdayName(next)}）{Opens:H:mm} です。");
        string? holiday = JapaneseHolidays.NameOf(today);
        string opening = holiday is null ? "現在は受付時間外です。" : $"本日（{holiday}）は休業日です。";
        return new CallCenterStatus(false, opening + when, ToUtc(next, Opens), null);
    }

    /// <summary>The closing time on <paramref name="date"/> (JST), or <see langword="null"/> when closed all day.</summary>
    private static TimeOnly? ClosingOn(DateOnly date)
    {
        if (date.DayOfWeek == DayOfWeek.Sunday || JapaneseHolidays.IsHoliday(date))
        {
            return null;
        }

        return date.DayOfWeek == DayOfWeek.Saturday ? ClosesSaturday : ClosesWeekday;
    }

    private static DateOnly NextOpenDayAfter(DateOnly date)
    {
        DateOnly next = date.AddDays(1);
        while (ClosingOn(next) is null)
        {
            next = next.AddDays(1);
        }

        return next;
    }

    private static DateTime ToUtc(DateOnly date, TimeOnly time) =>
        TimeZoneInfo.ConvertTimeToUtc(date.ToDateTime(time, DateTimeKind.Unspecified), Jst);

    private static char WeekdayName(DateOnly date) => "日月火水木金土"[(int)date.DayOfWeek];

    private static TimeZoneInfo FindJst()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            // Japan has had no daylight saving time since 1951, so a fixed offset is exact for these dates.
            return TimeZoneInfo.CreateCustomTimeZone("JST", TimeSpan.FromHours(9), "日本標準時", "日本標準時");
        }
    }
}
