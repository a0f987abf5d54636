using Onshi.Core.Data;
using Onshi.Core.Features.Documents;

namespace Onshi.UnitTests.Features.Documents;

internal static class SampleDocuments
{
    public const string InstitutionCode = "1310123455";
    public const string InstitutionName = "テスト医科診療所";

    // 2025-01-15 10:30 JST.
    public static readonly DateTime IssuedAtUtc = new(2025, 1, 15, 1, 30, 0, DateTimeKind.Utc);

    public static AccountSettingsDocument AccountSettings(string password = "1QA@-rL$") => new(
        OqsEnvironment.Production,
        InstitutionCode,
        InstitutionName,
        "SAMPLE01",
        "山田 花子",
        "管理者",
        password,
        // 2025-01-23 00:30 JST: the UTC date is a day earlier, so a missing JST conversion shows.
        new DateTime(2025, 1, 22, 15, 30, 0, DateTimeKind.Utc),
        IssuedAtUtc,
        "0123456",
        "パスワード初期化");

    public static UserSettingsInformationDocument UserSettings(OqsEnvironment environment = OqsEnvironment.Production) => new(
        environment,
        InstitutionCode,
        InstitutionName,
        "0123456",
        InstitutionName,
        "Xk7#pQ2m",
        // 2025-04-16 00:30 JST.
        new DateTime(2025, 4, 15, 15, 30, 0, DateTimeKind.Utc),
        "R1234567",
        IssuedAtUtc);

    public static NoticeDocument Notice(IReadOnlyList<string>? notes = null) => new(
        "秘密の番号再発行のお知らせ",
        [InstitutionName + " 御中", "〒100-0001 東京都千代田区千代田1-1"],
        ["オンライン資格確認等システム 運用事務局"],
        [
            "平素よりオンライン資格確認等システムをご利用いただき、誠にありがとうございます。",
            "お申し出のありましたマスタアカウントリセット用アカウントの秘密の番号を、下記のとおり再発行しましたのでお知らせします。",
        ],
        [
            new DocumentField("医療機関等コード", InstitutionCode),
            new DocumentField("医療機関等名", InstitutionName),
            new DocumentField("リセット用ユーザID", "R1234567"),
            new DocumentField("秘密の番号", "4821"),
        ],
        notes ?? ["※ 秘密の番号は第三者に知られないよう厳重に管理してください。"],
        IssuedAtUtc,
        "オン資第2025-0001号",
        OqsEnvironment.Production);
}
