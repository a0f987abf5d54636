namespace Onshi.Core.Features.Qualifications;

/// <summary>資格有効性 (SPEC §11.2), the wire code <c>QualificationValidity</c> is the number.</summary>
public enum QualificationValidity
{
    /// <summary>1 有効.</summary>
    Valid = 1,

    /// <summary>2 無効.</summary>
    Invalid = 2,

    /// <summary>3 無効（新しい資格あり）.</summary>
    InvalidNewerExists = 3,

    /// <summary>4 該当資格なし.</summary>
    NotFound = 4,

    /// <summary>5 複数該当.</summary>
    Multiple = 5,
}

/// <summary>被保険者証区分 <c>InsuredCardClassification</c> (the wire code is the two-digit number).</summary>
public enum InsuredCardClassification
{
    General = 1,
    Retired = 2,
    ShortTermGeneral = 3,
    ShortTermRetired = 4,
    EligibilityCertificate = 5,
    SpecialRetired = 6,
    SelfDefenseOfficial = 7,
}

/// <summary>本人・家族 <c>PersonalFamilyClassification</c>.</summary>
public enum PersonalFamily
{
    Insured = 1,
    Family = 2,
}

/// <summary>性別 <c>Sex1</c>/<c>Sex2</c>.</summary>
public enum Sex
{
    Male = 1,
    Female = 2,
    Unset = 3,
}

/// <summary>喪失事由 <c>ReasonOfLoss</c> (two digits on the wire).</summary>
public enum ReasonOfLoss
{
    Death = 1,
    PublicAssistance = 2,
    OtherInsurance = 3,
    Other = 99,
}

/// <summary>限度額適用認定証の区分 <c>LimitApplicationCertificateClassification</c> (two digits).</summary>
public enum LimitCertificateKind
{
    Limit = 1,
    LimitAndMealReduction = 2,
    MealReduction = 3,
}

/// <summary>特定疾病 <c>SpecificDiseasesDiseaseCategory</c>.</summary>
public enum SpecificDisease
{
    Dialysis = 1,
    Hemophilia = 2,
    Hiv = 3,
}

/// <summary>The wire codes and the Japanese words of §11.3's code lists, in one place.</summary>
public static class QualificationCodes
{
    public static string Label(QualificationValidity v) => v switch
    {
        QualificationValidity.Valid => "有効",
        QualificationValidity.Invalid => "無効",
        QualificationValidity.InvalidNewerExists => "無効（新しい資格あり）",
        QualificationValidity.NotFound => "該当資格なし",
        QualificationValidity.Multiple => "複数該当",
        _ => throw new ArgumentOutOfRangeException(nameof(v)),
    };

    public static string Label(InsuredCardClassification c) => c switch
    {
        InsuredCardClassification.General => "一般",
        InsuredCardClassification.Retired => "退職",
        InsuredCardClassification.ShortTermGeneral => "短期（一般）",
        InsuredCardClassification.ShortTermRetired => "短期（退職）",
        InsuredCardClassification.EligibilityCertificate => "資格証明書",
        InsuredCardClassification.SpecialRetired => "特例退職",
        InsuredCardClassification.SelfDefenseOfficial => "自衛官",
        _ => throw new ArgumentOutOfRangeException(nameof(c)),
    };

    public static string Label(PersonalFamily p) => p == PersonalFamily.Insured ? "本人" : "家族";

    public static string Label(Sex s) => s switch
    {
        Sex.Male => "男",
        Sex.Female => "女",
        _ => "未設定",
    };

    public static string Label(ReasonOfLoss r) => r switch
    {
        ReasonOfLoss.Death => "死亡",
        ReasonOfLoss.PublicAssistance => "生活保護受給開始",
        ReasonOfLoss.OtherInsurance => "医療保険等の資格取得",
        _ => "その他",
    };

    public static string Label(LimitCertificateKind k) => k switch
    {
        LimitCertificateKind.Limit => "限度額適用認定証",
        LimitCertificateKind.LimitAndMealReduction => "限度額適用・標準負担額減額認定証",
        LimitCertificateKind.MealReduction => "標準負担額減額認定証",
        _ => throw new ArgumentOutOfRangeException(nameof(k)),
    };

    public static string Label(SpecificDisease d) => d switch
    {
        SpecificDisease.Dialysis => "人工腎臓を実施している慢性腎不全（透析）",
        SpecificDisease.Hemophilia => "血友病",
        SpecificDisease.Hiv => "抗ウイルス剤を投与している後天性免疫不全症候群（HIV）",
        _ => throw new ArgumentOutOfRangeException(nameof(d)),
    };

    /// <summary>
    /// 限度額適用認定証の適用区分 <c>LimitApplicationCertificateClassificationFlag</c>: A01–A06 for under 70, B01–B10 for 70 and
    /// over, with the words printed on the certificate.
    /// </summary>
    public static IReadOnlyDictionary<string, string> LimitClassificationFlags { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["A01"] = "ア",
        ["A02"] = "イ",
        ["A03"] = "ウ",
        ["A04"] = "エ",
        ["A05"] = "オ",
        ["A06"] = "オ（境）",
        ["B01"] = "現役並みⅢ",
        ["B02"] = "現役並みⅡ",
        ["B03"] = "現役並みⅠ",
        ["B04"] = "一般",
        ["B05"] = "低所得Ⅱ",
        ["B06"] = "低所得Ⅰ",
        ["B07"] = "低所得Ⅰ（老福）",
        ["B08"] = "低所得Ⅰ（境）",
        ["B09"] = "一般Ⅱ",
        ["B10"] = "一般Ⅰ",
    };

    /// <summary>Two-digit wire code of a code list value (<c>01</c>, <c>99</c>).</summary>
    public static string Wire2(int code) => code.ToString("00", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>一部負担金割合 on the wire: percent in three digits (<c>030</c> = 3割).</summary>
    public static string RatioWire(int percent) => percent.ToString("000", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>一部負担金割合 in words: 30 → 「3割」.</summary>
    public static string RatioLabel(int percent) => percent % 10 == 0
        ? $"{percent / 10}割"
        : $"{percent}%";
}
