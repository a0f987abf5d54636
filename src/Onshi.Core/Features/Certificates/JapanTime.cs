namespace Onshi.Core.Features.Certificates;

/// <summary>Japan Standard Time, for counting calendar days the way the user reads them.</summary>
internal static class JapanTime
{
    /// <summary>Asia/Tokyo from the system's time-zone data, or a fixed +09:00 zone where that data is missing.</summary>
    public static TimeZoneInfo Zone { get; } = Find();

    /// <summary>The JST calendar date of a UTC instant.</summary>
    public static DateOnly DateOf(DateTime utc) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), Zone));

    private static TimeZoneInfo Find()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            // Japan has had no daylight saving time since 1951, so a fixed offset is exact for our dates.
            return TimeZoneInfo.CreateCustomTimeZone("JST", TimeSpan.FromHours(9), "日本標準時", "日本標準時");
        }
    }
}
