namespace Onshi.Portal.Pages;

/// <summary>A link of the portal's menus, with its seed wording.</summary>
public sealed record PortalLink(string Title, string Path, string Description = "");

/// <summary>The カテゴリ and the オンライン資格確認 items exactly as the seed (P4) shows them.</summary>
public static class PortalCategories
{
    public static IReadOnlyList<PortalLink> All { get; } =
    [
        new("オンライン資格確認", "/OnlineEligibility"),
        new("訪問診療等・オンライン診療等", "/Category/HomeVisit"),
        new("医療扶助", "/Category/MedicalAid"),
        new("電子処方箋管理サービス", "/Category/EPrescription"),
        new("オンライン請求", "/Category/OnlineBilling"),
    ];

    public static IReadOnlyList<PortalLink> OnlineEligibilityItems { get; } =
    [
        new("利用開始・変更申請", "/OnlineEligibility/Application", "こちらからオンライン資格確認の利用申請を実施いただけます。"),
        new("マスタアカウント情報ダウンロード", "/OnlineEligibility/MasterAccount", "こちらからオンライン資格確認のマスタアカウント情報がダウンロードいただけます。"),
        new("運用開始日登録", "/OnlineEligibility/OperationStart", "こちらからオンライン資格確認の運用開始日を登録いただけます。"),
        new("電子証明書発行申請", "/OnlineEligibility/Certificates", "こちらから電子証明書発行の個別申請・申請照会を実施いただけます。"),
        new("補助金申請", "/OnlineEligibility/Subsidy", "こちらからオンライン資格確認等の補助金を申請いただけます。"),
        new("交付決定通知書ダウンロード", "/OnlineEligibility/GrantNotices", "こちらからオンライン資格確認の交付決定通知書がダウンロードいただけます。"),
    ];

    /// <summary>The four categories served by other services: slug → (title, what it is).</summary>
    public static IReadOnlyDictionary<string, (string Title, string About)> Others { get; } = new Dictionary<string, (string, string)>(StringComparer.OrdinalIgnoreCase)
    {
        ["HomeVisit"] = ("訪問診療等・オンライン診療等", "訪問診療・訪問看護・オンライン診療等（居宅同意取得型）におけるオンライン資格確認の導入に関する情報です。"),
        ["MedicalAid"] = ("医療扶助", "生活保護の医療扶助におけるオンライン資格確認の導入に関する情報です。"),
        ["EPrescription"] = ("電子処方箋管理サービス", "電子処方箋管理サービスの利用申請や導入に関する情報です。"),
        ["OnlineBilling"] = ("オンライン請求", "レセプトのオンライン請求の利用申請や導入に関する情報です。"),
    };
}
