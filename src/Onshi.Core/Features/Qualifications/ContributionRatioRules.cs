using Onshi.Core.Common;

namespace Onshi.Core.Features.Qualifications;

/// <summary>The age bands that decide the 一部負担金割合 (健康保険法 §74, 国民健康保険法 §42, 高齢者医療確保法 §67).</summary>
public enum AgeBand
{
    /// <summary>義務教育就学前: 2割.</summary>
    Preschool,

    /// <summary>義務教育就学後から70歳の誕生月まで: 3割.</summary>
    General,

    /// <summary>70歳の誕生月の翌月（1日生まれはその月）から75歳の誕生日の前日まで: 2割、現役並み所得者は3割.</summary>
    Elderly70To74,

    /// <summary>75歳の誕生日から（後期高齢者医療）: 1割、2割または3割.</summary>
    LateElderly,
}

/// <summary>The 一部負担金割合 the age at 確認日 and the 高齢受給者証 allow, and why.</summary>
/// <param name="Band">The age band at 確認日.</param>
/// <param name="AllowedPercents">The ratios (percent) the rules allow for that band.</param>
/// <param name="ExpectedPercent">The one ratio expected, where the rules and the certificate decide it.</param>
/// <param name="Basis">Why, in words for the reception desk.</param>
public sealed record DerivedRatio(AgeBand Band, IReadOnlyList<int> AllowedPercents, int? ExpectedPercent, string Basis)
{
    /// <summary>Whether the ratio the insurer holds fits what the rules derive (a known source of wrong charges when not).</summary>
    public bool Agrees(int? heldPercent) =>
        heldPercent is { } held && (ExpectedPercent is { } expected ? held == expected : AllowedPercents.Contains(held));
}

/// <summary>
/// Age in Japanese law (年齢計算ニ関スル法律): one reaches an age at the end of the day before the birthday — which is why a
/// child born on 1 April starts school a year before one born on 2 April, and why one born on the 1st of a month becomes a
/// 高齢受給者 in the month of the birthday.
/// </summary>
public static class JapaneseAge
{
    /// <summary>The day at whose end one born on <paramref name="birth"/> reaches <paramref name="years"/> years.</summary>
    public static DateOnly DayReaching(DateOnly birth, int years) => birth.AddDays(-1).AddYears(years);

    /// <summary>Full years of age on <paramref name="date"/>: on the birthday one has the new age (for 29 February, from 1 March).</summary>
    public static int On(DateOnly birth, DateOnly date)
    {
        var age = date.Year - birth.Year;
        if (date <= DayReaching(birth, age))
        {
            age--;
        }

        return Math.Max(age, 0);
    }

    /// <summary>The first day of 義務教育: the first 1 April after the day one reaches 6.</summary>
    public static DateOnly SchoolEntry(DateOnly birth)
    {
        var reaches6 = DayReaching(birth, 6);
        var aprilFirst = new DateOnly(reaches6.Year, 4, 1);
        return aprilFirst > reaches6 ? aprilFirst : aprilFirst.AddYears(1);
    }

    /// <summary>The first day of the 70–74 ratio: the first of the month after the month in which one reaches 70.</summary>
    public static DateOnly ElderlyStart(DateOnly birth)
    {
        var reaches70 = DayReaching(birth, 70);
        return new DateOnly(reaches70.Year, reaches70.Month, 1).AddMonths(1);
    }

    /// <summary>The first day of 後期高齢者医療: the 75th birthday.</summary>
    public static DateOnly LateElderlyStart(DateOnly birth) => birth.AddYears(75);

    public static AgeBand BandOn(DateOnly birth, DateOnly date) =>
        date >= LateElderlyStart(birth) ? AgeBand.LateElderly
        : date >= ElderlyStart(birth) ? AgeBand.Elderly70To74
        : date < SchoolEntry(birth) ? AgeBand.Preschool
        : AgeBand.General;
}

/// <summary>Derives the 一部負担金割合 from the age at 確認日 and the 高齢受給者証 (SPEC §11.2).</summary>
public static class ContributionRatioRules
{
    /// <param name="birth">生年月日.</param>
    /// <param name="date">確認日.</param>
    /// <param name="elderlyCertificatePercent">The 高齢受給者証's ratio when one is valid at 確認日.</param>
    public static DerivedRatio Derive(DateOnly birth, DateOnly date, int? elderlyCertificatePercent)
    {
        var band = JapaneseAge.BandOn(birth, date);
        return band switch
        {
            AgeBand.Preschool => new(band, [20], 20,
                $"義務教育就学前（{Jst.Date(JapaneseAge.SchoolEntry(birth))}から就学）のため2割"),
            AgeBand.General => new(band, [30], 30, "義務教育就学後・70歳未満のため3割"),
            AgeBand.Elderly70To74 when elderlyCertificatePercent is 20 or 30 => new(band, [20, 30], elderlyCertificatePercent,
                $"70歳以上75歳未満（{Jst.Date(JapaneseAge.ElderlyStart(birth))}から）で、高齢受給者証の負担割合が{QualificationCodes.RatioLabel(elderlyCertificatePercent.Value)}"),
            AgeBand.Elderly70To74 => new(band, [20, 30], null,
                $"70歳以上75歳未満（{Jst.Date(JapaneseAge.ElderlyStart(birth))}から）のため2割（現役並み所得者は3割）。高齢受給者証の情報がありません"),
            _ => new(band, [10, 20, 30], null,
                $"75歳以上（{Jst.Date(JapaneseAge.LateElderlyStart(birth))}から後期高齢者医療）のため所得により1割・2割・3割"),
        };
    }

}
