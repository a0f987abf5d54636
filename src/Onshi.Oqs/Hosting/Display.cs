using System.Globalization;
using Onshi.Core.Data;
using Onshi.Core.Features.AccountManagement;

namespace Onshi.Oqs.Hosting;

/// <summary>How values are shown: times in JST, Japanese status words.</summary>
public static class Display
{
    private static readonly TimeZoneInfo Jst = FindJst();

    public static DateTime ToJst(DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(System.DateTime.SpecifyKind(utc, DateTimeKind.Utc), Jst);

    public static string Time(DateTime? utc) =>
        utc is { } v ? ToJst(v).ToString("yyyy/MM/dd HH:mm", CultureInfo.InvariantCulture) : "－";

    public static string Date(DateTime utc) => ToJst(utc).ToString("yyyy年MM月dd日", CultureInfo.InvariantCulture);

    public static string Status(AccountRow r) => r.Locked ? "ロック中" : r.Status == AccountStatus.Active ? "有効" : "無効";

    public static string StatusClass(AccountRow r) => r.Locked ? "status--locked" : r.Status == AccountStatus.Active ? "" : "status--disabled";

    public static string Expiry(AccountRow r) => r.Kind == AccountKind.MasterReset
        ? "－"
        : r.PasswordExpiresAt is { } e ? Time(e) + (r.MustChangePassword ? "（仮パスワード）" : "") : "無期限";

    private static TimeZoneInfo FindJst()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
        }
        catch (TimeZoneNotFoundException)
        {
            return TimeZoneInfo.CreateCustomTimeZone("JST", TimeSpan.FromHours(9), "JST", "JST");
        }
    }
}
