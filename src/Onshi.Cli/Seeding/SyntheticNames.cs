using Onshi.Core.Features.Institutions;

namespace Onshi.Cli.Seeding;

/// <summary>The word lists synthetic institutions and people are made of, and the weights of prefecture and 点数表.</summary>
internal static class SyntheticNames
{
    /// <summary>The 47 prefectures in code order (01 北海道 … 47 沖縄県).</summary>
    public static readonly string[] Prefectures =
    [
        "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県", "埼玉県", "千葉県",
        "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県", "岐阜県", "静岡県", "愛知県", "三重県",
        "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県", "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県",
        "香川県", "愛媛県", "高知県", "福岡県", "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
    ];

    /// <summary>Population of each prefecture in 10,000s (2020 census, rounded): institutions follow people.</summary>
    private static readonly int[] PrefectureWeights =
    [
        522, 124, 121, 230, 96, 107, 183, 287, 193, 194, 734, 628, 1405, 924, 220, 103, 113, 77, 81, 205, 198, 363, 754, 177,
        141, 258, 884, 547, 133, 92, 55, 67, 189, 280, 134, 72, 95, 134, 69, 513, 81, 131, 174, 113, 107, 159, 147,
    ];

    /// <summary>The four 点数表 kinds and their share (roughly: 医科 113k, 歯科 68k, 調剤 62k, 訪問看護 16k institutions).</summary>
    public static readonly InstitutionKind[] Kinds = [InstitutionKind.Medical, InstitutionKind.Dental, InstitutionKind.Pharmacy, InstitutionKind.HomeVisitNursing];

    private static readonly int[] KindWeights = [113, 68, 62, 16];

    public static readonly int[] PrefectureCumulative = Cumulative(PrefectureWeights);

    public static readonly int[] KindCumulative = Cumulative(KindWeights);

    public static readonly string[] Surnames =
    [
        "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田", "佐々木", "山口", "松本",
        "井上", "木村", "林", "斎藤", "清水", "山崎", "森", "池田", "橋本", "阿部", "石川", "山下", "中島", "石井", "小川",
    ];

    public static readonly string[] GivenNames =
    [
        "太郎", "花子", "一郎", "美咲", "健太", "陽子", "大輔", "由美", "翔太", "恵子", "拓也", "直子", "誠", "裕子", "亮",
        "真由美", "隆", "明美", "和也", "さくら", "浩二", "愛", "修", "千尋", "剛", "彩", "聡", "舞", "哲也", "優子",
    ];

    private static readonly string[] Places =
    [
        "さくら", "みどり", "ひまわり", "あおば", "中央", "駅前", "本町", "南", "北", "東", "西", "青空", "こもれび", "すずらん", "若葉",
    ];

    private static readonly string[] MedicalSuffixes =
        ["内科クリニック", "整形外科", "小児科医院", "眼科", "皮膚科クリニック", "耳鼻咽喉科医院", "病院", "記念病院", "診療所", "ファミリークリニック"];

    private static readonly string[] DentalSuffixes = ["歯科医院", "歯科クリニック", "デンタルクリニック"];

    private static readonly string[] PharmacySuffixes = ["薬局", "調剤薬局", "ファーマシー"];

    private static readonly string[] NursingSuffixes = ["訪問看護ステーション"];

    public static string InstitutionBaseName(SyntheticRandom rng, InstitutionKind kind)
    {
        var stem = rng.Chance(0.5) ? rng.Pick(Surnames) : rng.Pick(Places);
        var suffixes = kind switch
        {
            InstitutionKind.Dental => DentalSuffixes,
            InstitutionKind.Pharmacy => PharmacySuffixes,
            InstitutionKind.HomeVisitNursing => NursingSuffixes,
            _ => MedicalSuffixes,
        };
        return stem + rng.Pick(suffixes);
    }

    public static string PersonName(SyntheticRandom rng) => rng.Pick(Surnames) + " " + rng.Pick(GivenNames);

    private static int[] Cumulative(int[] weights)
    {
        var result = new int[weights.Length];
        var sum = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            sum += weights[i];
            result[i] = sum;
        }

        return result;
    }
}
