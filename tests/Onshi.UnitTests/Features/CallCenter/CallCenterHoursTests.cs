using Microsoft.Extensions.Time.Testing;

using Onshi.Core.Features.CallCenter;

using Shouldly;

namespace Onshi.UnitTests.Features.CallCenter;

public sealed class CallCenterHoursTests
{
    /// <summary>A JST wall-clock time as the UTC instant the method takes.</summary>
    private static DateTime Jst(int year, int month, int day, int hour, int minute, int second = 0) =>
        new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).AddHours(-9);

    [Theory]
    // 2025-11-17 is a Monday, 11-15 a Saturday, 11-16 a Sunday; none is a holiday.
    [InlineData(2025, 11, 17, 7, 59, 59, false)]
    [InlineData(2025, 11, 17, 8, 0, 0, true)]
    [InlineData(2025, 11, 17, 12, 0, 0, true)]
    [InlineData(2025, 11, 17, 17, 59, 59, true)]
    [InlineData(2025, 11, 17, 18, 0, 0, false)]
    [InlineData(2025, 11, 15, 7, 59, 0, false)]
    [InlineData(2025, 11, 15, 8, 0, 0, true)]
    [InlineData(2025, 11, 15, 15, 59, 59, true)]
    [InlineData(2025, 11, 15, 16, 0, 0, false)]
    [InlineData(2025, 11, 16, 0, 0, 0, false)]
    [InlineData(2025, 11, 16, 12, 0, 0, false)]
    [InlineData(2025, 11, 16, 23, 59, 59, false)]
    public void StatusAt_JstTime_OpenOnlyWithinHours(int y, int mo, int d, int h, int mi, int s, bool open)
    {
        CallCenterHours.StatusAt(Jst(y, mo, d, h, mi, s)).IsOpen.ShouldBe(open);
    }

    [Fact]
    public void StatusAt_WeekdayOpen_SaysUntil1800AndNoNextOpening()
    {
        var status = CallCenterHours.StatusAt(Jst(2025, 11, 17, 8, 0));

        status.IsOpen.ShouldBeTrue();
        status.Message.ShouldBe("現在受付中です（本日は18:00まで）");
        status.NextOpeningUtc.ShouldBeNull();
        status.ClosesAtUtc.ShouldBe(Jst(2025, 11, 17, 18, 0));
    }

    [Fact]
    public void StatusAt_SaturdayOpen_SaysUntil1600()
    {
        var status = CallCenterHours.StatusAt(Jst(2025, 11, 15, 15, 59));

        status.IsOpen.ShouldBeTrue();
        status.Message.ShouldBe("現在受付中です（本日は16:00まで）");
        status.ClosesAtUtc.ShouldBe(Jst(2025, 11, 15, 16, 0));
    }

    [Fact]
    public void StatusAt_MondayBeforeOpening_NextOpeningIsToday()
    {
        var status = CallCenterHours.StatusAt(Jst(2025, 11, 17, 7, 59));

        status.IsOpen.ShouldBeFalse();
        status.Message.ShouldBe("現在は受付時間外です。次の受付開始は 11月17日（月）8:00 です。");
        status.NextOpeningUtc.ShouldBe(Jst(2025, 11, 17, 8, 0));
        status.NextOpeningUtc!.Value.Kind.ShouldBe(DateTimeKind.Utc);
        status.ClosesAtUtc.ShouldBeNull();
    }

    [Fact]
    public void StatusAt_WeekdayAfterClosing_NextOpeningIsTomorrow()
    {
        var status = CallCenterHours.StatusAt(Jst(2025, 11, 17, 18, 0));

        status.Message.ShouldBe("現在は受付時間外です。次の受付開始は 11月18日（火）8:00 です。");
        status.NextOpeningUtc.ShouldBe(Jst(2025, 11, 18, 8, 0));
    }

    [Fact]
    public void StatusAt_Sunday_NextOpeningIsMonday()
    {
        var status = CallCenterHours.StatusAt(Jst(2025, 11, 16, 10, 0));

        status.IsOpen.ShouldBeFalse();
        status.Message.ShouldBe("現在は受付時間外です。次の受付開始は 11月17日（月）8:00 です。");
        status.NextOpeningUtc.ShouldBe(Jst(2025, 11, 17, 8, 0));
    }

    [Fact]
    public void StatusAt_WeekdayHoliday_ClosedWithItsName()
    {
        // 2025-11-03 (月) 文化の日, in what would be opening hours.
        var status = CallCenterHours.StatusAt(Jst(2025, 11, 3, 10, 0));

        status.IsOpen.ShouldBeFalse();
        status.Message.ShouldBe("本日（文化の日）は休業日です。次の受付開始は 11月4日（火）8:00 です。");
        status.NextOpeningUtc.ShouldBe(Jst(2025, 11, 4, 8, 0));
    }

    [Fact]
    public void StatusAt_SaturdayHoliday_ClosedWithItsName()
    {
        // 2024-11-23 (土) 勤労感謝の日; 11-24 is Sunday.
        var status = CallCenterHours.StatusAt(Jst(2024, 11, 23, 9, 0));

        status.IsOpen.ShouldBeFalse();
        status.Message.ShouldBe("本日（勤労感謝の日）は休業日です。次の受付開始は 11月25日（月）8:00 です。");
        status.NextOpeningUtc.ShouldBe(Jst(2024, 11, 25, 8, 0));
    }

    [Fact]
    public void StatusAt_SubstituteHoliday_ClosedWithItsName()
    {
        var status = CallCenterHours.StatusAt(Jst(2025, 11, 24, 9, 0));

        status.IsOpen.ShouldBeFalse();
        status.Message.ShouldBe("本日（振替休日）は休業日です。次の受付開始は 11月25日（火）8:00 です。");
    }

    [Fact]
    public void StatusAt_SaturdayEveningBeforeThreeDayWeekend_NextOpeningIsTuesday()
    {
        // Sat 2025-11-01 after 16:00; Sun 11-02; Mon 11-03 文化の日.
        var status = CallCenterHours.StatusAt(Jst(2025, 11, 1, 16, 0));

        status.IsOpen.ShouldBeFalse();
        status.Message.ShouldBe("現在は受付時間外です。次の受付開始は 11月4日（火）8:00 です。");
        status.NextOpeningUtc.ShouldBe(Jst(2025, 11, 4, 8, 0));
    }

    [Fact]
    public void StatusAt_GoldenWeek_NextOpeningSkipsEveryHoliday()
    {
        // Sat 2026-05-02 evening; 5/3 (日) 5/4 5/5 and 5/6 振替休日 → Thu 5/7.
        var status = CallCenterHours.StatusAt(Jst(2026, 5, 2, 17, 0));

        status.Message.ShouldBe("現在は受付時間外です。次の受付開始は 5月7日（木）8:00 です。");
        status.NextOpeningUtc.ShouldBe(Jst(2026, 5, 7, 8, 0));
    }

    [Fact]
    public void StatusAt_YearEnd_OpenBecauseOnlyHolidaysAreExcluded()
    {
        CallCenterHours.StatusAt(Jst(2025, 12, 30, 10, 0)).IsOpen.ShouldBeTrue();
        var newYear = CallCenterHours.StatusAt(Jst(2026, 1, 1, 10, 0));
        newYear.Message.ShouldBe("本日（元日）は休業日です。次の受付開始は 1月2日（金）8:00 です。");
    }

    [Fact]
    public void StatusAt_UtcSundayNightIsJstMondayMorning_UsesJstDate()
    {
        // 2025-11-16 (Sun) 23:00 UTC = 2025-11-17 (Mon) 08:00 JST.
        var utc = new DateTime(2025, 11, 16, 23, 0, 0, DateTimeKind.Utc);

        var status = CallCenterHours.StatusAt(utc);

        status.IsOpen.ShouldBeTrue();
        status.ClosesAtUtc.ShouldBe(new DateTime(2025, 11, 17, 9, 0, 0, DateTimeKind.Utc));
        CallCenterHours.StatusAt(utc.AddSeconds(-1)).NextOpeningUtc.ShouldBe(utc);
    }

    [Fact]
    public void StatusAt_UtcMondayAfternoonIsJstTuesdayMorning_ClosedWithTuesdayOpening()
    {
        // 2025-11-17 (Mon) 15:30 UTC = 2025-11-18 (Tue) 00:30 JST; UTC would say Monday, which is open till 18:00 UTC.
        var status = CallCenterHours.StatusAt(new DateTime(2025, 11, 17, 15, 30, 0, DateTimeKind.Utc));

        status.IsOpen.ShouldBeFalse();
        status.Message.ShouldBe("現在は受付時間外です。次の受付開始は 11月18日（火）8:00 です。");
        status.NextOpeningUtc.ShouldBe(new DateTime(2025, 11, 17, 23, 0, 0, DateTimeKind.Utc));
    }

    [Fact]
    public void StatusAt_HolidayInJstButNotInUtc_Closed()
    {
        // 2025-11-02 (Sun) 16:00 UTC = 2025-11-03 (Mon, 文化の日) 01:00 JST.
        var status = CallCenterHours.StatusAt(new DateTime(2025, 11, 2, 16, 0, 0, DateTimeKind.Utc));

        status.Message.ShouldStartWith("本日（文化の日）は休業日です。");
    }

    [Fact]
    public void StatusAt_UnspecifiedKind_TakenAsUtc()
    {
        var unspecified = new DateTime(2025, 11, 16, 23, 0, 0, DateTimeKind.Unspecified);

        CallCenterHours.StatusAt(unspecified).IsOpen.ShouldBeTrue();
    }

    [Fact]
    public void StatusAt_TimeProvider_UsesItsClock()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 11, 17, 8, 59, 0, TimeSpan.FromHours(9)));

        CallCenterHours.StatusAt(clock).IsOpen.ShouldBeTrue();
        clock.Advance(TimeSpan.FromHours(9) + TimeSpan.FromMinutes(1)); // 18:00 JST
        CallCenterHours.StatusAt(clock).IsOpen.ShouldBeFalse();
    }

    [Fact]
    public void StatusAt_EveryMinuteOfAWeek_OpenExactlyDuringHours()
    {
        int openMinutes = 0;
        for (DateTime t = Jst(2025, 11, 10, 0, 0); t < Jst(2025, 11, 17, 0, 0); t = t.AddMinutes(1))
        {
            if (CallCenterHours.StatusAt(t).IsOpen)
            {
                openMinutes++;
            }
        }

        // Mon–Fri 10 h + Sat 8 h; no holiday in that week.
        openMinutes.ShouldBe(((5 * 10) + 8) * 60);
    }
}
