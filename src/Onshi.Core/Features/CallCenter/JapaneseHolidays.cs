using System.Collections.Frozen;
using System.Collections.ObjectModel;

namespace Onshi.Core.Features.CallCenter;

/// <summary>
/// 国民の祝日と休日 (Japanese public holidays), computed from the rules of 国民の祝日に関する法律 as in force
/// from 2020 on, for the years <see cref="FirstSupportedYear"/>–<see cref="LastSupportedYear"/>.
/// </summary>
/// <remarks>
/// <para>
/// Includes the 16 named 国民の祝日 (with the Tokyo 2020 Olympics moves of 海の日, スポーツの日 and 山の日 in 2020 and
/// 2021), 振替休日 (a 国民の祝日 on a Sunday makes the next day that is not a 国民の祝日 a holiday) and 国民の休日
/// (a day that is not a 国民の祝日 but whose previous and next days are).
/// </para>
/// <para>
/// 春分の日 and 秋分の日 use the standard approximation formula valid for 1980–2099; the official dates are fixed
/// each February for the following year by the 官報 announcement of 国立天文台, which has agreed with the formula
/// for every year so far. Future changes to the law (a new or moved holiday) are not anticipated.
/// </para>
/// <para>
/// The year-end/new-year closure (12/29–1/3) is not a holiday by law and is not included; only 1/1 (元日) is.
/// </para>
/// </remarks>
public static class JapaneseHolidays
{
    /// <summary>The first year covered (the 2020 Olympic special dates are the first rules implemented).</summary>
    public const int FirstSupportedYear = 2020;

    /// <summary>The last year covered (the last year of the equinox approximation formula).</summary>
    public const int LastSupportedYear = 2099;

    /// <summary>The name given to a 振替休日 (the Cabinet Office list just says 「休日」).</summary>
    public const string SubstituteHolidayName = "振替休日";

    /// <summary>The name given to a 国民の休日 (the Cabinet Office list just says 「休日」).</summary>
    public const string CitizensHolidayName = "国民の休日";

    private static readonly ReadOnlyCollection<(DateOnly Date, string Name)>[] ByYear =
        [.. Enumerable.Range(FirstSupportedYear, LastSupportedYear - FirstSupportedYear + 1).Select(Compute)];

    private static readonly FrozenDictionary<DateOnly, string> ByDate =
        ByYear.SelectMany(static year => year).ToFrozenDictionary(static h => h.Date, static h => h.Name);

    /// <summary>Whether <paramref name="date"/> is a 国民の祝日, 振替休日 or 国民の休日.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The year is outside 2020–2099.</exception>
    public static bool IsHoliday(DateOnly date) => NameOf(date) is not null;

    /// <summary>
    /// The holiday's name (e.g. 「勤労感謝の日」, <see cref="SubstituteHolidayName"/>, <see cref="CitizensHolidayName"/>),
    /// or <see langword="null"/> when <paramref name="date"/> is not a holiday.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The year is outside 2020–2099.</exception>
    public static string? NameOf(DateOnly date)
    {
        EnsureSupported(date.Year, nameof(date));
        return ByDate.GetValueOrDefault(date);
    }

    /// <summary>All holidays of <paramref name="year"/>, in date order.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="year"/> is outside 2020–2099.</exception>
    public static IReadOnlyList<(DateOnly Date, string Name)> For(int year)
    {
        EnsureSupported(year, nameof(year));
        return ByYear[year - FirstSupportedYear];
    }

    /// <summary>The March day of 春分の日 by the approximation formula (valid 1980–2099).</summary>
    internal static int VernalEquinoxDay(int year) => EquinoxDay(year, 20.8431m);

    /// <summary>The September day of 秋分の日 by the approximation formula (valid 1980–2099).</summary>
    internal static int AutumnalEquinoxDay(int year) => EquinoxDay(year, 23.2488m);

    // floor(base + 0.242194 × (y − 1980)) − floor((y − 1980) / 4), in decimal so that no rounding can move a day.
    private static int EquinoxDay(int year, decimal baseDay)
    {
        int n = year - 1980;
        return (int)decimal.Floor(baseDay + (0.242194m * n)) - (n / 4);
    }

    private static void EnsureSupported(int year, string paramName)
    {
        if (year is < FirstSupportedYear or > LastSupportedYear)
        {
            throw new ArgumentOutOfRangeException(
                paramName, year, $"Japanese holidays are computed for {FirstSupportedYear}–{LastSupportedYear} only.");
        }
    }

    private static ReadOnlyCollection<(DateOnly Date, string Name)> Compute(int year)
    {
        // 国民の祝日 (Article 2), with the 2020/2021 moves of the Olympic special measures law.
        var national = new SortedDictionary<DateOnly, string>
        {
            [new(year, 1, 1)] = "元日",
            [NthMonday(year, 1, 2)] = "成人の日",
            [new(year, 2, 11)] = "建国記念の日",
            [new(year, 2, 23)] = "天皇誕生日",
            [new(year, 3, VernalEquinoxDay(year))] = "春分の日",
            [new(year, 4, 29)] = "昭和の日",
            [new(year, 5, 3)] = "憲法記念日",
            [new(year, 5, 4)] = "みどりの日",
            [new(year, 5, 5)] = "こどもの日",
        };
        national[year switch
        {
            2020 => new(2020, 7, 23),
            2021 => new(2021, 7, 22),
            _ => NthMonday(year, 7, 3),
        }] = "海の日";
        national[year switch
        {
            2020 => new(2020, 8, 10),
            2021 => new(2021, 8, 8),
            _ => new(year, 8, 11),
        }] = "山の日";
        national[NthMonday(year, 9, 3)] = "敬老の日";
        national[new(year, 9, AutumnalEquinoxDay(year))] = "秋分の日";
        national[year switch
        {
            2020 => new(2020, 7, 24),
            2021 => new(2021, 7, 23),
            _ => NthMonday(year, 10, 2),
        }] = "スポーツの日";
        national[new(year, 11, 3)] = "文化の日";
        national[new(year, 11, 23)] = "勤労感謝の日";

        var all = new SortedDictionary<DateOnly, string>(national);

        // 振替休日 (Article 3-2): a 国民の祝日 on a Sunday → the nearest following day that is not a 国民の祝日.
        foreach (DateOnly date in national.Keys)
        {
            if (date.DayOfWeek == DayOfWeek.Sunday)
            {
                DateOnly substitute = date.AddDays(1);
                while (national.ContainsKey(substitute))
                {
                    substitute = substitute.AddDays(1);
                }

                all.TryAdd(substitute, SubstituteHolidayName);
            }
        }

        // 国民の休日 (Article 3-3): a day that is not a 国民の祝日 between two 国民の祝日.
        foreach (DateOnly date in national.Keys)
        {
            DateOnly between = date.AddDays(1);
            if (!national.ContainsKey(between) && national.ContainsKey(between.AddDays(1)))
            {
                all.TryAdd(between, CitizensHolidayName);
            }
        }

        return all.Select(static pair => (pair.Key, pair.Value)).ToList().AsReadOnly();
    }

    private static DateOnly NthMonday(int year, int month, int n)
    {
        var first = new DateOnly(year, month, 1);
        int toMonday = ((int)DayOfWeek.Monday - (int)first.DayOfWeek + 7) % 7;
        return first.AddDays(toMonday + (7 * (n - 1)));
    }
}
