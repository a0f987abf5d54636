using Onshi.Core.Features.CallCenter;

using Shouldly;

namespace Onshi.UnitTests.Features.CallCenter;

public sealed class JapaneseHolidaysTests
{
    // The Cabinet Office list (内閣府「国民の祝日について」), written out; 「休日」 there is 振替休日 or 国民の休日 here.
    public static TheoryData<int, string[]> CabinetOfficeLists => new()
    {
        {
            2024,
            [
                "01-01 元日", "01-08 成人の日", "02-11 建国記念の日", "02-12 振替休日", "02-23 天皇誕生日",
                "03-20 春分の日", "04-29 昭和の日", "05-03 憲法記念日", "05-04 みどりの日", "05-05 こどもの日",
                "05-06 振替休日", "07-15 海の日", "08-11 山の日", "08-12 振替休日", "09-16 敬老の日",
                "09-22 秋分の日", "09-23 振替休日", "10-14 スポーツの日", "11-03 文化の日", "11-04 振替休日",
                "11-23 勤労感謝の日",
            ]
        },
        {
            2025,
            [
                "01-01 元日", "01-13 成人の日", "02-11 建国記念の日", "02-23 天皇誕生日", "02-24 振替休日",
                "03-20 春分の日", "04-29 昭和の日", "05-03 憲法記念日", "05-04 みどりの日", "05-05 こどもの日",
                "05-06 振替休日", "07-21 海の日", "08-11 山の日", "09-15 敬老の日", "09-23 秋分の日",
                "10-13 スポーツの日", "11-03 文化の日", "11-23 勤労感謝の日", "11-24 振替休日",
            ]
        },
        {
            2026,
            [
                "01-01 元日", "01-12 成人の日", "02-11 建国記念の日", "02-23 天皇誕生日", "03-20 春分の日",
                "04-29 昭和の日", "05-03 憲法記念日", "05-04 みどりの日", "05-05 こどもの日", "05-06 振替休日",
                "07-20 海の日", "08-11 山の日", "09-21 敬老の日", "09-22 国民の休日", "09-23 秋分の日",
                "10-12 スポーツの日", "11-03 文化の日", "11-23 勤労感謝の日",
            ]
        },
        {
            2027,
            [
                "01-01 元日", "01-11 成人の日", "02-11 建国記念の日", "02-23 天皇誕生日", "03-21 春分の日",
                "03-22 振替休日", "04-29 昭和の日", "05-03 憲法記念日", "05-04 みどりの日", "05-05 こどもの日",
                "07-19 海の日", "08-11 山の日", "09-20 敬老の日", "09-23 秋分の日", "10-11 スポーツの日",
                "11-03 文化の日", "11-23 勤労感謝の日",
            ]
        },
    };

    [Theory]
    [MemberData(nameof(CabinetOfficeLists))]
    public void For_KnownYear_MatchesCabinetOfficeList(int year, string[] expected)
    {
        JapaneseHolidays.For(year)
            .Select(h => $"{h.Date.Month:00}-{h.Date.Day:00} {h.Name}")
            .ShouldBe(expected);
    }

    [Theory]
    [MemberData(nameof(CabinetOfficeLists))]
    public void NameOf_EveryDayOfKnownYear_AgreesWithList(int year, string[] expected)
    {
        var byDay = expected.ToDictionary(e => e[..5], e => e[6..]);
        for (var day = new DateOnly(year, 1, 1); day.Year == year; day = day.AddDays(1))
        {
            string? name = byDay.GetValueOrDefault($"{day.Month:00}-{day.Day:00}");
            JapaneseHolidays.NameOf(day).ShouldBe(name, day.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            JapaneseHolidays.IsHoliday(day).ShouldBe(name is not null);
        }
    }

    [Theory]
    // floor(20.8431 + 0.242194(y−1980)) − floor((y−1980)/4) and the same with 23.2488, worked by hand:
    [InlineData(2024, 20, 22)] // 31.4996 − 11, 33.9053 − 11
    [InlineData(2025, 20, 23)] // 31.7418 − 11, 34.1475 − 11
    [InlineData(2026, 20, 23)] // 31.9840 − 11, 34.3897 − 11
    [InlineData(2027, 21, 23)] // 32.2262 − 11, 34.6319 − 11
    [InlineData(2020, 20, 22)]
    [InlineData(2021, 20, 23)]
    [InlineData(2032, 20, 22)]
    [InlineData(2037, 20, 23)]
    [InlineData(2099, 20, 23)]
    public void EquinoxDays_Year_MatchFormula(int year, int spring, int autumn)
    {
        JapaneseHolidays.VernalEquinoxDay(year).ShouldBe(spring);
        JapaneseHolidays.AutumnalEquinoxDay(year).ShouldBe(autumn);
        JapaneseHolidays.NameOf(new DateOnly(year, 3, spring)).ShouldBe("春分の日");
        JapaneseHolidays.NameOf(new DateOnly(year, 9, autumn)).ShouldBe("秋分の日");
    }

    [Fact]
    public void For_2020_HasOlympicMoves()
    {
        JapaneseHolidays.NameOf(new DateOnly(2020, 7, 23)).ShouldBe("海の日");
        JapaneseHolidays.NameOf(new DateOnly(2020, 7, 24)).ShouldBe("スポーツの日");
        JapaneseHolidays.NameOf(new DateOnly(2020, 8, 10)).ShouldBe("山の日");
        JapaneseHolidays.IsHoliday(new DateOnly(2020, 7, 20)).ShouldBeFalse(); // 3rd Monday of July
        JapaneseHolidays.IsHoliday(new DateOnly(2020, 8, 11)).ShouldBeFalse();
        JapaneseHolidays.IsHoliday(new DateOnly(2020, 10, 12)).ShouldBeFalse(); // 2nd Monday of October
        JapaneseHolidays.For(2020).Count.ShouldBe(18);
    }

    [Fact]
    public void For_2021_HasOlympicMovesAndMountainDaySubstitute()
    {
        JapaneseHolidays.NameOf(new DateOnly(2021, 7, 22)).ShouldBe("海の日");
        JapaneseHolidays.NameOf(new DateOnly(2021, 7, 23)).ShouldBe("スポーツの日");
        JapaneseHolidays.NameOf(new DateOnly(2021, 8, 8)).ShouldBe("山の日");
        JapaneseHolidays.NameOf(new DateOnly(2021, 8, 9)).ShouldBe(JapaneseHolidays.SubstituteHolidayName);
        JapaneseHolidays.IsHoliday(new DateOnly(2021, 7, 19)).ShouldBeFalse();
        JapaneseHolidays.IsHoliday(new DateOnly(2021, 8, 11)).ShouldBeFalse();
        JapaneseHolidays.IsHoliday(new DateOnly(2021, 10, 11)).ShouldBeFalse();
        JapaneseHolidays.For(2021).Count.ShouldBe(17);
    }

    [Theory]
    [InlineData(2026, 9, 22)]
    [InlineData(2032, 9, 21)]
    [InlineData(2037, 9, 22)]
    public void NameOf_DayBetweenRespectForTheAgedAndAutumnalEquinox_IsCitizensHoliday(int year, int month, int day)
    {
        var date = new DateOnly(year, month, day);
        date.DayOfWeek.ShouldBe(DayOfWeek.Tuesday);
        JapaneseHolidays.NameOf(date.AddDays(-1)).ShouldBe("敬老の日");
        JapaneseHolidays.NameOf(date).ShouldBe(JapaneseHolidays.CitizensHolidayName);
        JapaneseHolidays.NameOf(date.AddDays(1)).ShouldBe("秋分の日");
    }

    [Fact]
    public void For_2020To2099_CitizensHolidaysOnlyInSeptember()
    {
        for (int year = JapaneseHolidays.FirstSupportedYear; year <= JapaneseHolidays.LastSupportedYear; year++)
        {
            foreach (var (date, _) in JapaneseHolidays.For(year).Where(h => h.Name == JapaneseHolidays.CitizensHolidayName))
            {
                date.Month.ShouldBe(9);
                date.DayOfWeek.ShouldBe(DayOfWeek.Tuesday);
            }
        }
    }

    [Theory]
    [InlineData(2023, 1, 1, 2023, 1, 2)] // 元日 on Sunday
    [InlineData(2025, 2, 23, 2025, 2, 24)] // 天皇誕生日 on Sunday
    [InlineData(2025, 5, 4, 2025, 5, 6)] // Sunday, and Monday 5/5 is itself a holiday → Tuesday
    [InlineData(2026, 5, 3, 2026, 5, 6)] // Sunday, then 5/4 and 5/5 → Wednesday
    [InlineData(2024, 9, 22, 2024, 9, 23)] // 秋分の日 on Sunday
    [InlineData(2025, 11, 23, 2025, 11, 24)] // 勤労感謝の日 on Sunday
    public void NameOf_DayAfterSundayHolidayRun_IsSubstituteHoliday(int y, int m, int d, int sy, int sm, int sd)
    {
        var sunday = new DateOnly(y, m, d);
        var substitute = new DateOnly(sy, sm, sd);
        sunday.DayOfWeek.ShouldBe(DayOfWeek.Sunday);
        JapaneseHolidays.NameOf(substitute).ShouldBe(JapaneseHolidays.SubstituteHolidayName);
        for (DateOnly between = sunday.AddDays(1); between < substitute; between = between.AddDays(1))
        {
            JapaneseHolidays.NameOf(between).ShouldNotBe(JapaneseHolidays.SubstituteHolidayName);
            JapaneseHolidays.IsHoliday(between).ShouldBeTrue();
        }
    }

    [Theory]
    [InlineData(2024, 11, 23)] // 勤労感謝の日 on Saturday: no substitute
    [InlineData(2026, 2, 23)] // Monday, nothing to substitute
    public void IsHoliday_DayAfterNonSundayHoliday_IsFalse(int y, int m, int d)
    {
        JapaneseHolidays.IsHoliday(new DateOnly(y, m, d)).ShouldBeTrue();
        JapaneseHolidays.IsHoliday(new DateOnly(y, m, d).AddDays(1)).ShouldBeFalse();
    }

    [Theory]
    // 16 国民の祝日 plus the 振替休日 / 国民の休日 of the year (worked out by hand, weekday by weekday).
    [InlineData(2028, 16, new string[0])]
    [InlineData(2029, 19, new[] { "02-12", "04-30", "09-24" })] // 2/11, 4/29, 9/23 on Sundays
    [InlineData(2030, 19, new[] { "05-06", "08-12", "11-04" })] // 5/5, 8/11, 11/3 on Sundays
    [InlineData(2031, 19, new[] { "02-24", "05-06", "11-24" })] // 2/23, 5/4, 11/23 on Sundays
    [InlineData(2032, 17, new[] { "09-21" })] // 国民の休日
    [InlineData(2033, 17, new[] { "03-21" })] // 春分の日 3/20 on Sunday
    [InlineData(2034, 17, new[] { "01-02" })] // 元日 on Sunday
    [InlineData(2035, 19, new[] { "02-12", "04-30", "09-24" })]
    public void For_2028To2035_CountsAndExtraDaysAsExpected(int year, int count, string[] extraDays)
    {
        var holidays = JapaneseHolidays.For(year);

        holidays.Count.ShouldBe(count);
        holidays
            .Where(h => h.Name is JapaneseHolidays.SubstituteHolidayName or JapaneseHolidays.CitizensHolidayName)
            .Select(h => $"{h.Date.Month:00}-{h.Date.Day:00}")
            .ShouldBe(extraDays);
    }

    [Fact]
    public void For_EverySupportedYear_CountIsPlausible()
    {
        // At least the 16 国民の祝日; at most 21 as in 2024 (five of them moved off a Sunday).
        for (int year = JapaneseHolidays.FirstSupportedYear; year <= JapaneseHolidays.LastSupportedYear; year++)
        {
            JapaneseHolidays.For(year).Count.ShouldBeInRange(16, 21, $"{year}");
        }
    }

    [Fact]
    public void For_EverySupportedYear_HasSixteenNamedHolidaysInOrderAndNoSundaySubstitutes()
    {
        for (int year = JapaneseHolidays.FirstSupportedYear; year <= JapaneseHolidays.LastSupportedYear; year++)
        {
            var holidays = JapaneseHolidays.For(year);
            holidays.Count(h => h.Name is not (JapaneseHolidays.SubstituteHolidayName or JapaneseHolidays.CitizensHolidayName))
                .ShouldBe(16, $"{year}");
            holidays.Select(h => h.Date).ShouldBeInOrder(SortDirection.Ascending);
            holidays.Select(h => h.Date).Distinct().Count().ShouldBe(holidays.Count);
            holidays.ShouldAllBe(h => h.Date.Year == year);
            holidays.Where(h => h.Name == JapaneseHolidays.SubstituteHolidayName)
                .ShouldAllBe(h => h.Date.DayOfWeek != DayOfWeek.Sunday);
        }
    }

    [Fact]
    public void IsHoliday_YearEndAndNewYearClosure_OnlyNewYearsDay()
    {
        JapaneseHolidays.IsHoliday(new DateOnly(2025, 12, 29)).ShouldBeFalse();
        JapaneseHolidays.IsHoliday(new DateOnly(2025, 12, 31)).ShouldBeFalse();
        JapaneseHolidays.IsHoliday(new DateOnly(2026, 1, 1)).ShouldBeTrue();
        JapaneseHolidays.IsHoliday(new DateOnly(2026, 1, 2)).ShouldBeFalse();
        JapaneseHolidays.IsHoliday(new DateOnly(2026, 1, 3)).ShouldBeFalse();
    }

    [Theory]
    [InlineData(2019)]
    [InlineData(2100)]
    [InlineData(1)]
    public void For_UnsupportedYear_Throws(int year)
    {
        Should.Throw<ArgumentOutOfRangeException>(() => JapaneseHolidays.For(year)).ParamName.ShouldBe("year");
        Should.Throw<ArgumentOutOfRangeException>(() => JapaneseHolidays.IsHoliday(new DateOnly(year, 1, 1)))
            .ParamName.ShouldBe("date");
        Should.Throw<ArgumentOutOfRangeException>(() => JapaneseHolidays.NameOf(new DateOnly(year, 1, 1)));
    }

    [Fact]
    public void For_ReturnedList_CannotBeModified()
    {
        JapaneseHolidays.For(2025).ShouldBeAssignableTo<System.Collections.ObjectModel.ReadOnlyCollection<(DateOnly, string)>>();
    }
}
