using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Onshi.Core.Data;
using Onshi.Core.Features.Qualifications;

namespace Onshi.Cli.Seeding;

/// <summary>A demo patient as demo.json lists it (<c>"insured"</c>): the keys a receptionist types and the answer to expect.</summary>
/// <param name="InsurerNumber">保険者番号.</param>
/// <param name="Symbol">記号 (empty when none).</param>
/// <param name="Number">番号.</param>
/// <param name="Branch">枝番, or null where the entry is meant to be looked up without it (複数該当).</param>
/// <param name="Birthdate">生年月日, yyyyMMdd.</param>
/// <param name="Validity">The 資格有効性 a lookup today answers (1–5).</param>
/// <param name="Name">氏名 (or what the entry shows).</param>
public sealed record DemoInsuredEntry(string InsurerNumber, string Symbol, string Number, string? Branch, string Birthdate, int Validity, string Name);

/// <summary>
/// The demo's patients: a few members made by hand so that a lookup <em>today</em> gives each 資格有効性 1–5 and shows the
/// desk's special cases (a ratio that disagrees with the age, 限度額 and 特定疾病, a name outside JIS X 0208), plus a small
/// synthetic population from <see cref="InsuredGenerator"/>. Their person ids lie in their own range
/// (<see cref="PersonBase"/>), so seed-insured counts them as synthetic but not as its own.
/// </summary>
internal static class DemoInsured
{
    public const long PersonBase = 9_900_000_000_000L;

    /// <summary>The synthetic members the demo adds around the hand-made ones.</summary>
    public const int Population = 2_000;

    public static string Kyokai => InsurerNumber.WithCheckDigit("0113001");

    public static string Union => InsurerNumber.WithCheckDigit("0613101");

    public static string National => InsurerNumber.WithCheckDigit("13001");

    public static string LateElderly => InsurerNumber.WithCheckDigit("3913001");

    public static async Task<List<DemoInsuredEntry>> AddAsync(OnshiDbContext db, DateOnly today, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var known = (await db.Insurers.Select(i => i.Number).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        db.Insurers.AddRange(InsuredGenerator.Insurers.Where(i => !known.Contains(i.Number))
            .Select(i => new Insurer { Number = i.Number, Name = i.Name, Scheme = i.Scheme }));

        var entries = new List<DemoInsuredEntry>();
        var person = PersonBase + await db.InsuredQualifications.CountAsync(q => q.PersonId >= PersonBase, cancellationToken);
        if (person > PersonBase)
        {
            // Already added (demo --reuse keeps the database): list what is there.
            return Entries(today);
        }

        static InsuredQualification Q(long personId, string insurer, string symbol, string number, string branch, DateOnly birth, Sex sex, string name,
            string kana, DateOnly acquired, int percent, PersonalFamily relation = PersonalFamily.Insured, string? insuredName = null) => new()
            {
                PersonId = personId,
                InsurerNumber = insurer,
                Symbol = symbol,
                Number = number,
                Branch = branch,
                Birthdate = birth,
                Sex = sex,
                Name = name,
                NameKana = kana,
                PersonalFamily = relation,
                InsuredName = insuredName,
                PostNumber = "1000013",
                Address = "東京都千代田区霞が関１－２－２",
                QualificationDate = acquired,
                CardIssuanceDate = acquired.AddDays(7),
                CardValidDate = acquired,
                ContributionPercent = percent,
            };

        // 1 有効: a 本人 and the family under the same 記号・番号, one of them a preschooler (2割), two of them twins (複数該当).
        var yamada = Q(person, Kyokai, "2468", "13579", "00", new DateOnly(1985, 4, 12), Sex.Male, "山田　太郎", "ヤマダ　タロウ", new DateOnly(2015, 4, 1), 30);
        var spouse = Q(person + 1, Kyokai, "2468", "13579", "01", new DateOnly(1987, 9, 20), Sex.Female, "山田　花子", "ヤマダ　ハナコ", new DateOnly(2015, 4, 1), 30,
            PersonalFamily.Family, "山田　太郎");
        var twinBirth = today.AddYears(-4).AddDays(-45);
        var twinA = Q(person + 2, Kyokai, "2468", "13579", "02", twinBirth, Sex.Male, "山田　蓮", "ヤマダ　レン", twinBirth, 20, PersonalFamily.Family, "山田　太郎");
        var twinB = Q(person + 3, Kyokai, "2468", "13579", "03", twinBirth, Sex.Female, "山田　葵", "ヤマダ　アオイ", twinBirth, 20, PersonalFamily.Family, "山田　太郎");

        // 1 有効 with the warning: 72 years old, 高齢受給者証 2割, but the insurer holds 3割. A name outside JIS X 0208 (髙).
        var elderlyBirth = new DateOnly(today.Year - 72, 3, 15);
        var takahashi = Q(person + 4, National, "12あ", "24680", "00", elderlyBirth, Sex.Female, "髙橋　ハル", "タカハシ　ハル", new DateOnly(2010, 4, 1), 30);
        takahashi.ElderlyCertificateDate = JapaneseAge.ElderlyStart(elderlyBirth).AddDays(-10);
        takahashi.ElderlyValidStartDate = JapaneseAge.ElderlyStart(elderlyBirth);
        takahashi.ElderlyValidEndDate = JapaneseAge.LateElderlyStart(elderlyBirth).AddDays(-1);
        takahashi.ElderlyContributionPercent = 20;

        // 2 無効: 生活保護 began two months ago.
        var welfare = Q(person + 5, National, "34い", "11223", "00", new DateOnly(1968, 11, 30), Sex.Male, "佐藤　一郎", "サトウ　イチロウ", new DateOnly(1999, 4, 1), 30);
        welfare.DisqualificationDate = today.AddMonths(-2);
        welfare.ReasonOfLoss = ReasonOfLoss.PublicAssistance;

        // 3 無効（新しい資格あり）: changed jobs 60 days ago; the old card is still in the wallet.
        var changed = Q(person + 6, Union, "777", "8642", "00", new DateOnly(1990, 7, 7), Sex.Female, "鈴木　美咲", "スズキ　ミサキ", new DateOnly(2013, 4, 1), 30);
        changed.DisqualificationDate = today.AddDays(-60);
        changed.ReasonOfLoss = ReasonOfLoss.OtherInsurance;
        var changedNew = Q(person + 6, Kyokai, "3333", "97531", "00", new DateOnly(1990, 7, 7), Sex.Female, "鈴木　美咲", "スズキ　ミサキ", today.AddDays(-60), 30);

        // 1 有効, 後期高齢者医療 with 限度額 and 特定疾病 (透析); a name outside the BMP (𠮷).
        var lateBirth = new DateOnly(today.Year - 84, 8, 15);
        var yoshida = Q(person + 7, LateElderly, "", "12345678", "00", lateBirth, Sex.Female, "𠮷田　トメ", "ヨシダ　トメ", JapaneseAge.LateElderlyStart(lateBirth), 10);
        db.InsuredQualifications.AddRange(yamada, spouse, twinA, twinB, takahashi, welfare, changed, changedNew, yoshida);
        await db.SaveChangesAsync(cancellationToken);
        var august = today.Month >= 8 ? new DateOnly(today.Year, 8, 1) : new DateOnly(today.Year - 1, 8, 1);
        db.LimitCertificates.Add(new LimitCertificate
        {
            QualificationId = yoshida.Id,
            Kind = LimitCertificateKind.LimitAndMealReduction,
            ClassificationFlag = "B05",
            IssuanceDate = august.AddDays(-7),
            ValidStartDate = august,
            ValidEndDate = august.AddYears(1).AddDays(-1),
        });
        db.SpecificDiseaseCertificates.Add(new SpecificDiseaseCertificate
        {
            QualificationId = yoshida.Id,
            Category = SpecificDisease.Dialysis,
            IssuanceDate = new DateOnly(2020, 4, 1),
            ValidStartDate = new DateOnly(2020, 4, 1),
            SelfPay = 10_000,
        });
        await db.SaveChangesAsync(cancellationToken);
        return Entries(today);
    }

    /// <summary>What demo.json lists: at least one entry for each 資格有効性.</summary>
    public static List<DemoInsuredEntry> Entries(DateOnly today)
    {
        static string W(DateOnly d) => d.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var twinBirth = today.AddYears(-4).AddDays(-45);
        return
        [
            new(Kyokai, "2468", "13579", "00", "19850412", 1, "山田　太郎"),
            new(Kyokai, "2468", "13579", "02", W(twinBirth), 1, "山田　蓮"),
            new(National, "12あ", "24680", "00", W(new DateOnly(today.Year - 72, 3, 15)), 1, "髙橋　ハル"),
            new(LateElderly, "", "12345678", "00", W(new DateOnly(today.Year - 84, 8, 15)), 1, "𠮷田　トメ"),
            new(National, "34い", "11223", "00", "19681130", 2, "佐藤　一郎"),
            new(Union, "777", "8642", "00", "19900707", 3, "鈴木　美咲"),
            new(Kyokai, "2468", "99999", "00", "20000101", 4, "（該当なし）"),
            new(Kyokai, "2468", "13579", null, W(twinBirth), 5, "山田　蓮／山田　葵（双子）"),
        ];
    }
}
