using Onshi.Core.Data;

namespace Onshi.Core.Features.Accounts;

/// <summary>Labels and groupings of the eight account kinds (SPEC §3).</summary>
public static class AccountKinds
{
    /// <summary>一般, 医療情報閲覧, 連携アプリ用, Web API用, 顔認証用.</summary>
    public static IReadOnlyList<AccountKind> StaffKinds { get; } =
        [AccountKind.General, AccountKind.MedicalInfo, AccountKind.LinkedApp, AccountKind.WebApi, AccountKind.FaceAuth];

    /// <summary>All kinds in display order.</summary>
    public static IReadOnlyList<AccountKind> All { get; } =
        [AccountKind.Master, AccountKind.MasterReset, AccountKind.Admin, .. StaffKinds];

    /// <summary>連携アプリ用 and Web API用: accounts of reception software, not of a person (SPEC §12); they hold no browser session.</summary>
    public static bool IsMachine(AccountKind kind) => kind is AccountKind.LinkedApp or AccountKind.WebApi;

    public static bool IsStaff(AccountKind kind) => kind is AccountKind.General or AccountKind.MedicalInfo
        or AccountKind.LinkedApp or AccountKind.WebApi or AccountKind.FaceAuth;

    /// <summary>The 権限区分 as shown on screen.</summary>
    public static string Label(AccountKind kind) => kind switch
    {
        AccountKind.Master => "マスタ",
        AccountKind.MasterReset => "マスタリセット用",
        AccountKind.Admin => "管理者",
        AccountKind.General => "一般",
        AccountKind.MedicalInfo => "医療情報閲覧",
        AccountKind.LinkedApp => "連携アプリ用",
        AccountKind.WebApi => "Web API用",
        AccountKind.FaceAuth => "顔認証用",
        _ => "",
    };

    /// <summary>The account kind's full name (マスタアカウント, 管理アカウント, ...).</summary>
    public static string AccountName(AccountKind kind) => kind switch
    {
        AccountKind.Master => "マスタアカウント",
        AccountKind.MasterReset => "マスタアカウントリセット用アカウント",
        AccountKind.Admin => "管理アカウント",
        AccountKind.General => "一般アカウント",
        AccountKind.MedicalInfo => "医療情報閲覧アカウント",
        AccountKind.LinkedApp => "連携アプリ用アカウント",
        AccountKind.WebApi => "Web API用アカウント",
        AccountKind.FaceAuth => "顔認証用アカウント",
        _ => "",
    };

    /// <summary>The short code used by <c>demo.json</c> and the CLI.</summary>
    public static string Code(AccountKind kind) => kind switch
    {
        AccountKind.Master => "master",
        AccountKind.MasterReset => "reset",
        AccountKind.Admin => "admin",
        AccountKind.General => "general",
        AccountKind.MedicalInfo => "medical",
        AccountKind.LinkedApp => "app",
        AccountKind.WebApi => "webapi",
        AccountKind.FaceAuth => "face",
        _ => "",
    };

    /// <summary>Whether the account's user ID is chosen by its creator (all but master and reset).</summary>
    public static bool HasChosenUserId(AccountKind kind) => kind is not (AccountKind.Master or AccountKind.MasterReset);
}
