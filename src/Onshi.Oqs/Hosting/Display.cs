using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.AccountManagement;

namespace Onshi.Oqs.Hosting;

/// <summary>How values are shown: times in JST, Japanese status words.</summary>
public static class Display
{
    /// <summary><see cref="Jst.Minutes"/>, or 「－」.</summary>
    public static string Time(DateTime? utc) => utc is { } v ? Jst.Minutes(v) : Jst.None;

    /// <summary><see cref="Jst.Date(DateTime)"/>.</summary>
    public static string Date(DateTime utc) => Jst.Date(utc);

    public static string Status(AccountRow r) => r.Locked ? "ロック中" : r.Status == AccountStatus.Active ? "有効" : "無効";

    public static string StatusClass(AccountRow r) => r.Locked ? "status--locked" : r.Status == AccountStatus.Active ? "" : "status--disabled";

    public static string Expiry(AccountRow r) => r.Kind == AccountKind.MasterReset
        ? "－"
        : r.PasswordExpiresAt is { } e ? Time(e) + (r.MustChangePassword ? "（仮パスワード）" : "") : "無期限";
}
