using System.Globalization;
using Onshi.Core.Data;
using Onshi.Core.Features.Qualifications;

namespace Onshi.Cli.Seeding;

/// <summary>The rows of one chunk of synthetic members (ids not yet given: the writer numbers them).</summary>
internal sealed class InsuredChunk
{
    public List<InsuredQualification> Qualifications { get; } = [];

    /// <summary>Certificates with the index of their qualification in <see cref="Qualifications"/>.</summary>
    public List<(int Qualification, LimitCertificate Certificate)> Limits { get; } = [];

    public List<(int Qualification, SpecificDiseaseCertificate Certificate)> Diseases { get; } = [];

    public int Persons { get; set; }
}

/// <summary>
/// The synthetic population of the simulated 中間サーバー (SPEC §11.1, docs/qualification.md). Deterministic: chunk
/// <c>k</c> of seed <c>s</c> is the same everywhere, whatever ran before it, so a killed run resumes at the first chunk not
/// committed. Chunk k holds persons <see cref="SyntheticPersonBase"/> + k·<see cref="ChunkPersons"/> onwards, in households:
/// 75+ members of 後期高齢者医療 alone (a household in three, so that 16 % of people are 75+ as in Japan), and households under 被用者保険 (本人 and 家族 under one 記号・番号) or 国保, with
/// twins that share everything but the 枝番, job changes that end one qualification and start another, the move to
/// 後期高齢者医療 on the 75th birthday, deaths, 生活保護 starts, 高齢受給者証 for 70–74, 限度額適用認定証 and 特定疾病療養受療証
/// holders, and a few insurer records whose 一部負担金割合 disagrees with the age (the warning at the desk).
/// </summary>
internal sealed class InsuredGenerator(long seed, DateOnly asOf)
{
    /// <summary>Persons per chunk (one transaction); fixed, so that a person's id says its chunk.</summary>
    public const int ChunkPersons = 10_000;

    /// <summary>Synthetic persons have ids from here; imported members keep ids below it.</summary>
    public const long SyntheticPersonBase = 9_000_000_000_000L;

    /// <summary>The date the synthetic data is "as of" unless told otherwise: ages, histories and card periods count from it.</summary>
    public static readonly DateOnly DefaultAsOf = new(2026, 12, 1);

    private const ulong Stream = 0x1A5E_D000UL;

    public DateOnly AsOf => asOf;

    /// <summary>The insurers: per prefecture 協会けんぽ, five 健康保険組合, a 共済組合, four 国保 and the 後期高齢者医療広域連合; and 自衛官's.</summary>
    public static IReadOnlyList<Insurer> Insurers { get; } = BuildInsurers();

    private static readonly Insurer SelfDefense = Insurers.Single(i => i.Number.Length == 8 && i.Number.StartsWith("07", StringComparison.Ordinal));
    private static readonly Insurer[] Kyokai = [.. Insurers.Where(i => i.Number.Length == 8 && i.Number.StartsWith("01", StringComparison.Ordinal))];
    private static readonly Insurer[] Employee = [.. Insurers.Where(i => i.Scheme == InsurerScheme.Employee && i != SelfDefense)];
    private static readonly Insurer[] National = [.. Insurers.Where(i => i.Scheme == InsurerScheme.NationalHealthInsurance)];
    private static readonly Insurer[] LateElderly = [.. Insurers.Where(i => i.Scheme == InsurerScheme.LateElderly)];

    /// <summary>Age of the oldest person (the youngest is born on <see cref="AsOf"/>).</summary>
    public const int MaxAge = 105;

    public InsuredChunk Generate(int chunk, int persons)
    {
        var rng = SyntheticRandom.For(seed, chunk, Stream);
        var result = new InsuredChunk();
        var personId = SyntheticPersonBase + (long)chunk * ChunkPersons;
        var household = 0;
        while (result.Persons < persons)
        {
            var householdNumber = (long)chunk * ChunkPersons + household++ + 1;
            var left = persons - result.Persons;
            var added = rng.Chance(0.31)
                ? LateElderlyMember(rng, result, personId, householdNumber)
                : Household(rng, result, personId, householdNumber, left);
            personId += added;
            result.Persons += added;
        }

        return result;
    }

    private int LateElderlyMember(SyntheticRandom rng, InsuredChunk chunk, long personId, long householdNumber)
    {
        // 75–105, fewer with every year (the 75+ pyramid falls off roughly linearly to zero at 105).
        var age = 75 + (int)(30 * (1 - Math.Sqrt(rng.NextDouble())));
        var sex = rng.Chance(0.6) ? Sex.Female : Sex.Male;
        var birth = BirthFor(rng, age);
        var prefecture = rng.Next(47);
        var insurer = LateElderly[prefecture];
        var (name, kana) = PersonName(rng, sex, InsuredNames.Surnames[rng.Next(InsuredNames.Surnames.Length)]);
        var address = Address(rng, prefecture);
        var lateStart = JapaneseAge.LateElderlyStart(birth);

        // Before the 75th birthday: 国保 (ended the day 後期高齢者医療 began). 後期高齢者医療 exists since 2008-04-01.
        var start = lateStart < new DateOnly(2008, 4, 1) ? new DateOnly(2008, 4, 1) : lateStart;
        if (lateStart >= new DateOnly(2008, 4, 1))
        {
            var previous = Member(personId, National[prefecture], rng.Next(1, 100).ToString("00", CultureInfo.InvariantCulture) + "ろ",
                householdNumber, "00", birth, sex, name, kana, address, PersonalFamily.Insured, null, lateStart.AddYears(-rng.Next(5, 40)), 30);
            previous.DisqualificationDate = lateStart;
            previous.ReasonOfLoss = ReasonOfLoss.OtherInsurance;
            chunk.Qualifications.Add(previous);
        }

        var percent = rng.Chance(0.7) ? 10 : rng.Chance(0.67) ? 20 : 30;
        var current = Member(personId, insurer, "", 10_000_000 + householdNumber % 90_000_000, "00", birth, sex, name, kana, address,
            PersonalFamily.Insured, null, start, percent);
        current.CardExpirationDate = NextJuly31();
        if (rng.Chance(0.04))
        {
            current.DisqualificationDate = asOf.AddDays(-rng.Next(1, 700));
            current.ReasonOfLoss = ReasonOfLoss.Death;
        }

        AddCurrent(rng, chunk, current, age);
        return 1;
    }

    private int Household(SyntheticRandom rng, InsuredChunk chunk, long personId, long householdNumber, int left)
    {
        // Head of household 20–74, more of them in the older half (as the population is).
        var headAge = rng.Chance(0.35) ? rng.Next(55, 75) : rng.Next(20, 55);
        var national = headAge >= 65 ? rng.Chance(0.7) : rng.Chance(0.25);
        var prefecture = rng.Next(47);
        var selfDefense = !national && rng.Chance(0.005);
        var insurer = national ? National[prefecture * 4 + rng.Next(4)]
            : selfDefense ? SelfDefense
            : rng.Chance(0.55) ? Kyokai[prefecture] : Employee[rng.Next(Employee.Length)];
        var surname = InsuredNames.Surnames[rng.Next(InsuredNames.Surnames.Length)];
        var address = Address(rng, prefecture);
        var symbol = national
            ? rng.Next(1, 100).ToString("00", CultureInfo.InvariantCulture) + "あいうえおかきくけこ"[rng.Next(10)]
            : rng.Next(1, 100_000).ToString(CultureInfo.InvariantCulture);
        var headSex = rng.Chance(0.5) ? Sex.Male : Sex.Female;
        var headBirth = BirthFor(rng, headAge);
        var (headName, headKana) = PersonName(rng, headSex, surname);
        var jobStart = Min(asOf.AddDays(-rng.Next(0, 60)), Max(headBirth.AddYears(18 + rng.Next(0, 8)), asOf.AddYears(-rng.Next(0, 30))));

        // 生活保護 starts end the household's qualifications (国保 households, mostly).
        var welfare = national && rng.Chance(0.02) ? asOf.AddDays(-rng.Next(1, 1000)) : (DateOnly?)null;
        var members = new List<(DateOnly Birth, Sex Sex, string Name, string Kana, PersonalFamily Relation)>
        {
            (headBirth, headSex, headName, headKana, PersonalFamily.Insured),
        };
        if (left > 1 && headAge >= 25 && rng.Chance(0.55))
        {
            var sex = headSex == Sex.Male ? Sex.Female : Sex.Male;
            var birth = BirthFor(rng, Math.Clamp(headAge + rng.Next(-4, 5), 20, 74));
            var (n, k) = PersonName(rng, sex, surname);
            members.Add((birth, sex, n, k, PersonalFamily.Family));
        }

        if (headAge is >= 24 and <= 58)
        {
            var children = rng.Weighted([58, 78, 96, 100]);
            var oldest = Math.Min(headAge - 22, 22);
            for (var c = 0; c < children && members.Count < left; c++)
            {
                var sex = rng.Chance(0.5) ? Sex.Male : Sex.Female;
                var birth = BirthFor(rng, rng.Next(0, Math.Max(oldest, 0) + 1));
                var (n, k) = PersonName(rng, sex, surname);
                members.Add((birth, sex, n, k, PersonalFamily.Family));
                if (rng.Chance(0.02) && members.Count < left)
                {
                    // Twins: same 記号・番号 and 生年月日, only the 枝番 tells them apart (複数該当 without it).
                    var twinSex = rng.Chance(0.5) ? Sex.Male : Sex.Female;
                    var (tn, tk) = PersonName(rng, twinSex, surname);
                    members.Add((birth, twinSex, tn, tk, PersonalFamily.Family));
                }
            }
        }

        for (var i = 0; i < members.Count; i++)
        {
            var (birth, sex, name, kana, relation) = members[i];
            var id = personId + i;
            var age = JapaneseAge.On(birth, asOf);
            var acquired = Max(jobStart, birth);
            var percent = ExpectedPercent(birth, age, rng);
            var q = Member(id, insurer, symbol, householdNumber, i.ToString("00", CultureInfo.InvariantCulture), birth, sex, name, kana, address,
                national ? PersonalFamily.Insured : relation, national || relation == PersonalFamily.Insured ? null : headName, acquired, percent);
            if (selfDefense && i == 0)
            {
                q.CardClassification = InsuredCardClassification.SelfDefenseOfficial;
            }
            else if (national && rng.Chance(0.01))
            {
                q.CardClassification = InsuredCardClassification.ShortTermGeneral;
                q.CardExpirationDate = asOf.AddMonths(rng.Next(1, 6));
            }

            if (welfare is { } w && w > acquired)
            {
                q.DisqualificationDate = w;
                q.ReasonOfLoss = ReasonOfLoss.PublicAssistance;
            }
            else if (i == 0 && !national && rng.Chance(0.12) && jobStart > headBirth.AddYears(23))
            {
                // A job change: the previous employer's qualification ended the day this one began.
                var previousInsurer = Employee[rng.Next(Employee.Length)];
                if (previousInsurer.Number != insurer.Number)
                {
                    var previous = Member(id, previousInsurer, rng.Next(1, 100_000).ToString(CultureInfo.InvariantCulture),
                        householdNumber + 500_000_000_000L, "00", birth, sex, name, kana, address, PersonalFamily.Insured, null,
                        Max(birth.AddYears(18), jobStart.AddYears(-rng.Next(1, 15))), percent);
                    previous.DisqualificationDate = jobStart;
                    previous.ReasonOfLoss = ReasonOfLoss.OtherInsurance;
                    chunk.Qualifications.Add(previous);
                }
            }
            else if (age >= 60 && rng.Chance(0.01))
            {
                q.DisqualificationDate = asOf.AddDays(-rng.Next(1, 700));
                q.ReasonOfLoss = ReasonOfLoss.Death;
            }

            AddCurrent(rng, chunk, q, age);
        }

        return members.Count;
    }

    /// <summary>Adds the member's current qualification with its 高齢受給者証 (70–74) and its certificates.</summary>
    private void AddCurrent(SyntheticRandom rng, InsuredChunk chunk, InsuredQualification q, int age)
    {
        if (JapaneseAge.BandOn(q.Birthdate, asOf) == AgeBand.Elderly70To74)
        {
            var start = Max(JapaneseAge.ElderlyStart(q.Birthdate), FiscalAugust());
            q.ElderlyCertificateDate = start.AddDays(-10);
            q.ElderlyValidStartDate = start;
            q.ElderlyValidEndDate = Min(FiscalAugust().AddYears(1).AddDays(-1), JapaneseAge.LateElderlyStart(q.Birthdate).AddDays(-1));
            q.ElderlyContributionPercent = rng.Chance(0.1) ? 30 : 20;
            q.ContributionPercent = q.ElderlyContributionPercent.Value;
        }

        // One record in a thousand holds a ratio the age does not give (the desk's warning).
        if (rng.Chance(0.001))
        {
            q.ContributionPercent = q.ContributionPercent == 30 ? 20 : 30;
        }

        var index = chunk.Qualifications.Count;
        chunk.Qualifications.Add(q);
        if (q.DisqualificationDate is not null)
        {
            return;
        }

        if (age >= 18 && rng.Chance(0.025))
        {
            var flags = age >= 70 ? new[] { "B01", "B02", "B03", "B05", "B06" } : ["A01", "A02", "A03", "A04", "A05"];
            var flag = rng.Pick(flags);
            var from = FiscalAugust();
            chunk.Limits.Add((index, new LimitCertificate
            {
                Kind = flag is "B05" or "B06" or "A05" ? LimitCertificateKind.LimitAndMealReduction : LimitCertificateKind.Limit,
                ClassificationFlag = flag,
                IssuanceDate = from.AddDays(-7),
                ValidStartDate = from,
                ValidEndDate = from.AddYears(1).AddDays(-1),
                LongTermDate = rng.Chance(0.1) ? from.AddMonths(rng.Next(1, 4)) : null,
            }));
        }

        var disease = rng.NextDouble();
        if (disease < 0.0035)
        {
            var category = disease < 0.003 ? SpecificDisease.Dialysis : disease < 0.0033 ? SpecificDisease.Hemophilia : SpecificDisease.Hiv;
            var from = Max(q.QualificationDate, asOf.AddYears(-rng.Next(0, 10)));
            chunk.Diseases.Add((index, new SpecificDiseaseCertificate
            {
                Category = category,
                IssuanceDate = from,
                ValidStartDate = from,
                ValidEndDate = null,
                SelfPay = category == SpecificDisease.Dialysis && age < 70 && rng.Chance(0.2) ? 20_000 : 10_000,
            }));
        }
    }

    private static InsuredQualification Member(long personId, Insurer insurer, string symbol, long number, string branch, DateOnly birth, Sex sex,
        string name, string kana, string address, PersonalFamily relation, string? insuredName, DateOnly acquired, int percent) => new()
        {
            PersonId = personId,
            InsurerNumber = insurer.Number,
            Symbol = symbol,
            Number = number.ToString(CultureInfo.InvariantCulture),
            Branch = branch,
            Birthdate = birth,
            PersonalFamily = relation,
            InsuredName = insuredName,
            Name = name,
            NameKana = kana,
            Sex = sex,
            PostNumber = PostNumber(personId),
            Address = address,
            QualificationDate = acquired,
            CardIssuanceDate = acquired.AddDays((int)(personId % 14)),
            CardValidDate = acquired,
            ContributionPercent = percent,
        };

    private int ExpectedPercent(DateOnly birth, int age, SyntheticRandom rng) => JapaneseAge.BandOn(birth, asOf) switch
    {
        AgeBand.Preschool => 20,
        AgeBand.General => 30,
        AgeBand.Elderly70To74 => 20,
        _ => rng.Chance(0.7) ? 10 : 20,
    };

    private DateOnly BirthFor(SyntheticRandom rng, int age) => asOf.AddYears(-age).AddDays(-rng.Next(0, 365));

    private static (string Name, string Kana) PersonName(SyntheticRandom rng, Sex sex, (string Kanji, string Kana) surname)
    {
        var given = rng.Pick(sex == Sex.Male ? InsuredNames.MaleGivenNames : InsuredNames.FemaleGivenNames);
        return (surname.Kanji + "　" + given.Kanji, surname.Kana + "　" + given.Kana);
    }

    private static string Address(SyntheticRandom rng, int prefecture) => string.Create(CultureInfo.InvariantCulture,
        $"{SyntheticNames.Prefectures[prefecture]}{rng.Pick(InsuredNames.Towns)}{rng.Pick(InsuredNames.Districts)}{rng.Next(1, 6)}丁目{rng.Next(1, 30)}番{rng.Next(1, 20)}号");

    private static string PostNumber(long personId) => (1_000_000 + (personId * 7919 % 9_000_000)).ToString(CultureInfo.InvariantCulture);

    /// <summary>1 August of the current fiscal certificate year (高齢受給者証 and 限度額 run August to July).</summary>
    private DateOnly FiscalAugust() => asOf.Month >= 8 ? new DateOnly(asOf.Year, 8, 1) : new DateOnly(asOf.Year - 1, 8, 1);

    private DateOnly NextJuly31() => FiscalAugust().AddYears(1).AddDays(-1);

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;

    private static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;

    private static Insurer[] BuildInsurers()
    {
        var list = new List<Insurer>();
        for (var p = 1; p <= 47; p++)
        {
            var pp = p.ToString("00", CultureInfo.InvariantCulture);
            var pref = SyntheticNames.Prefectures[p - 1];
            list.Add(new Insurer { Number = InsurerNumber.WithCheckDigit("01" + pp + "001"), Name = $"全国健康保険協会 {pref}支部", Scheme = InsurerScheme.Employee });
            for (var n = 1; n <= 5; n++)
            {
                list.Add(new Insurer
                {
                    Number = InsurerNumber.WithCheckDigit("06" + pp + "1" + n.ToString("00", CultureInfo.InvariantCulture)),
                    Name = InsuredNames.Companies[(p * 5 + n) % InsuredNames.Companies.Length] + "健康保険組合",
                    Scheme = InsurerScheme.Employee,
                });
            }

            list.Add(new Insurer { Number = InsurerNumber.WithCheckDigit("32" + pp + "001"), Name = $"地方職員共済組合 {pref}支部", Scheme = InsurerScheme.Employee });
            for (var n = 1; n <= 4; n++)
            {
                list.Add(new Insurer
                {
                    Number = InsurerNumber.WithCheckDigit(pp + "0" + n.ToString("00", CultureInfo.InvariantCulture)),
                    Name = pref + InsuredNames.Towns[(p * 4 + n) % InsuredNames.Towns.Length] + " 国民健康保険",
                    Scheme = InsurerScheme.NationalHealthInsurance,
                });
            }

            list.Add(new Insurer { Number = InsurerNumber.WithCheckDigit("39" + pp + "001"), Name = $"{pref}後期高齢者医療広域連合", Scheme = InsurerScheme.LateElderly });
        }

        list.Add(new Insurer { Number = InsurerNumber.WithCheckDigit("0713001"), Name = "防衛省共済組合（自衛官）", Scheme = InsurerScheme.Employee });
        return [.. list];
    }
}
