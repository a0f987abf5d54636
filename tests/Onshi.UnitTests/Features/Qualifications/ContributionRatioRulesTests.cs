using Onshi.Core.Features.Qualifications;
using Shouldly;

namespace Onshi.UnitTests.Features.Qualifications;

public sealed class ContributionRatioRulesTests
{
    private static DateOnly D(string s) => DateOnly.ParseExact(s, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("2020-04-01", "2026-04-01")] // born 1 April: reaches 6 at the end of 31 March 2026, school from 1 April 2026
    [InlineData("2020-04-02", "2027-04-01")] // born 2 April: reaches 6 on 1 April 2026, so school from 2027
    [InlineData("2020-03-31", "2026-04-01")]
    [InlineData("2020-02-29", "2026-04-01")]
    [InlineData("2019-12-31", "2026-04-01")]
    public void SchoolEntry_FollowsTheLawOnAge(string birth, string entry) =>
        JapaneseAge.SchoolEntry(D(birth)).ShouldBe(D(entry));

    [Theory]
    [InlineData("1956-12-01", "2026-12-01")] // born on the 1st: from the month of the 70th birthday
    [InlineData("1956-12-02", "2027-01-01")] // otherwise from the month after
    [InlineData("1956-12-31", "2027-01-01")]
    [InlineData("1956-01-01", "2026-01-01")]
    [InlineData("1956-03-01", "2026-03-01")]
    public void ElderlyStart_FirstOfTheMonthAfterReaching70(string birth, string start) =>
        JapaneseAge.ElderlyStart(D(birth)).ShouldBe(D(start));

    [Theory]
    [InlineData("2020-04-02", "2027-03-31", AgeBand.Preschool, 20)]
    [InlineData("2020-04-02", "2027-04-01", AgeBand.General, 30)]
    [InlineData("2020-04-01", "2026-03-31", AgeBand.Preschool, 20)]
    [InlineData("2020-04-01", "2026-04-01", AgeBand.General, 30)]
    [InlineData("1956-12-02", "2026-12-31", AgeBand.General, 30)] // 70 already, but the month after is not yet here
    [InlineData("1951-12-06", "2026-12-05", AgeBand.Elderly70To74, null)] // the day before the 75th birthday
    [InlineData("1951-12-06", "2026-12-06", AgeBand.LateElderly, null)] // the 75th birthday itself
    public void Derive_AtTheBoundaries(string birth, string date, AgeBand band, int? expected)
    {
        var derived = ContributionRatioRules.Derive(D(birth), D(date), elderlyCertificatePercent: null);
        derived.Band.ShouldBe(band);
        derived.ExpectedPercent.ShouldBe(expected);
        derived.Basis.ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public void Elderly_TheCertificateDecides()
    {
        var withCertificate = ContributionRatioRules.Derive(D("1955-05-10"), D("2026-12-06"), 30);
        withCertificate.ExpectedPercent.ShouldBe(30);
        withCertificate.Agrees(30).ShouldBeTrue();
        withCertificate.Agrees(20).ShouldBeFalse();

        var without = ContributionRatioRules.Derive(D("1955-05-10"), D("2026-12-06"), null);
        without.Agrees(20).ShouldBeTrue();
        without.Agrees(30).ShouldBeTrue();
        without.Agrees(10).ShouldBeFalse();
        without.Basis.ShouldContain("高齢受給者証の情報がありません");
    }

    [Fact]
    public void Disagreement_IsDetected()
    {
        ContributionRatioRules.Derive(D("2022-06-01"), D("2026-12-06"), null).Agrees(30).ShouldBeFalse(); // a preschooler charged 3割
        ContributionRatioRules.Derive(D("1980-06-01"), D("2026-12-06"), null).Agrees(20).ShouldBeFalse();
        ContributionRatioRules.Derive(D("1940-06-01"), D("2026-12-06"), null).Agrees(10).ShouldBeTrue();
        ContributionRatioRules.Derive(D("1980-06-01"), D("2026-12-06"), null).Agrees(null).ShouldBeFalse();
    }

    [Theory]
    [InlineData("2000-02-29", "2026-02-28", 25)]
    [InlineData("2000-02-29", "2026-03-01", 26)]
    [InlineData("2000-12-06", "2026-12-05", 25)]
    [InlineData("2000-12-06", "2026-12-06", 26)]
    public void AgeOn(string birth, string date, int age) => JapaneseAge.On(D(birth), D(date)).ShouldBe(age);
}
