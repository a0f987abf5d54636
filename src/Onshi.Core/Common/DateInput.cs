using System.Globalization;

namespace Onshi.Core.Common;

/// <summary>Dates as people and reception software type them: 2026-12-06, 2026/12/06, 2026/1/6 or 20261206.</summary>
public static class DateInput
{
    private static readonly string[] Formats = ["yyyy-MM-dd", "yyyy/MM/dd", "yyyy-M-d", "yyyy/M/d", "yyyyMMdd"];

    /// <summary>Parses <paramref name="text"/> (surrounding spaces ignored) in one of the accepted forms.</summary>
    public static bool TryParse(string? text, out DateOnly date)
    {
        date = default;
        var s = (text ?? "").Trim();
        return s.Length is >= 8 and <= 10
            && DateOnly.TryParseExact(s, Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
    }
}
