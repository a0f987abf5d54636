using Onshi.Core.Features.Qualifications;
using Shouldly;

namespace Onshi.UnitTests.Features.Qualifications;

/// <summary>The 資格有効性 on every shape of history (SPEC §11.2).</summary>
public sealed class QualificationRulesTests
{
    private static readonly DateOnly Today = new(2026, 12, 6);

    private static QualificationSpan Q(long id, long person, string acquired, string? lost = null, ReasonOfLoss? reason = null) =>
        new(id, person, DateOnly.Parse(acquired, System.Globalization.CultureInfo.InvariantCulture),
            lost is null ? null : DateOnly.Parse(lost, System.Globalization.CultureInfo.InvariantCulture), reason);

    [Fact]
    public void NoMatch_IsNotFound()
    {
        var v = QualificationRules.Evaluate([], [], Today);
        v.Validity.ShouldBe(QualificationValidity.NotFound);
        v.Chosen.ShouldBeNull();
    }

    [Fact]
    public void Ongoing_IsValid()
    {
        var q = Q(1, 10, "2020-04-01");
        QualificationRules.Evaluate([q], [q], Today).ShouldSatisfyAllConditions(
            v => v.Validity.ShouldBe(QualificationValidity.Valid),
            v => v.Chosen.ShouldBe(q));
    }

    [Fact]
    public void LostOnTheDay_IsInvalidThatDay_AndValidTheDayBefore()
    {
        var q = Q(1, 10, "2020-04-01", "2026-12-06", ReasonOfLoss.Other);
        QualificationRules.Evaluate([q], [q], Today).Validity.ShouldBe(QualificationValidity.Invalid);
        QualificationRules.Evaluate([q], [q], Today.AddDays(-1)).Validity.ShouldBe(QualificationValidity.Valid);
    }

    [Fact]
    public void AcquiredOnTheDay_IsValid_AndTheDayBeforeIsInvalidWithWhy()
    {
        var q = Q(1, 10, "2026-12-06");
        QualificationRules.Evaluate([q], [q], Today).Validity.ShouldBe(QualificationValidity.Valid);
        var before = QualificationRules.Evaluate([q], [q], Today.AddDays(-1));
        before.Validity.ShouldBe(QualificationValidity.Invalid);
        before.Explanation.ShouldContain("取得日");
    }

    [Fact]
    public void Death_IsInvalid_AndSaysSo()
    {
        var q = Q(1, 10, "1990-04-01", "2026-10-03", ReasonOfLoss.Death);
        var v = QualificationRules.Evaluate([q], [q], Today);
        v.Validity.ShouldBe(QualificationValidity.Invalid);
        v.Explanation.ShouldContain("2026/10/03");
        v.Explanation.ShouldContain("死亡");
    }

    [Fact]
    public void JobChange_TheOldCardIsInvalidWithANewerQualification()
    {
        var old = Q(1, 10, "2015-04-01", "2026-10-01", ReasonOfLoss.OtherInsurance);
        var next = Q(2, 10, "2026-10-01"); // under another insurer: not among the matches of the old card's key
        var v = QualificationRules.Evaluate([old], [old, next], Today);
        v.Validity.ShouldBe(QualificationValidity.InvalidNewerExists);
        v.Chosen.ShouldBe(old);
        v.Explanation.ShouldContain("新しい資格");
        // Before the change, the old card was valid.
        QualificationRules.Evaluate([old], [old, next], new DateOnly(2026, 9, 30)).Validity.ShouldBe(QualificationValidity.Valid);
    }

    [Fact]
    public void NewerQualificationStartingLater_StillCounts()
    {
        var old = Q(1, 10, "2015-04-01", "2026-12-01", ReasonOfLoss.OtherInsurance);
        var next = Q(2, 10, "2027-01-01");
        QualificationRules.Evaluate([old], [old, next], Today).Validity.ShouldBe(QualificationValidity.InvalidNewerExists);
    }

    [Fact]
    public void PublicAssistance_IsInvalidWithoutNewer()
    {
        var q = Q(1, 10, "2001-04-01", "2026-11-01", ReasonOfLoss.PublicAssistance);
        var v = QualificationRules.Evaluate([q], [q], Today);
        v.Validity.ShouldBe(QualificationValidity.Invalid);
        v.Explanation.ShouldContain("生活保護受給開始");
    }

    [Fact]
    public void SameKeyReacquired_TheOngoingOneIsValid()
    {
        var first = Q(1, 10, "2010-04-01", "2015-04-01", ReasonOfLoss.Other);
        var again = Q(2, 10, "2020-04-01");
        QualificationRules.Evaluate([first, again], [first, again], Today).Chosen.ShouldBe(again);
        // Between the two, the latest begun is the one that is 無効, and a newer one exists.
        var between = QualificationRules.Evaluate([first, again], [first, again], new DateOnly(2017, 1, 1));
        between.Validity.ShouldBe(QualificationValidity.InvalidNewerExists);
        between.Chosen.ShouldBe(first);
    }

    [Fact]
    public void TwinsWithoutBranch_AreMultiple()
    {
        var a = Q(1, 10, "2024-05-01");
        var b = Q(2, 11, "2024-05-01");
        var v = QualificationRules.Evaluate([a, b], [], Today);
        v.Validity.ShouldBe(QualificationValidity.Multiple);
        v.Chosen.ShouldBeNull();
        v.Explanation.ShouldContain("枝番");
    }
}
