using System.Globalization;
using Onshi.Core.Data;

namespace Onshi.Operator.Hosting;

/// <summary>How the console shows values: times in JST, Japanese labels.</summary>
public static class OperatorDisplay
{
    private static readonly TimeSpan Offset = TimeSpan.FromHours(9);

    public static DateTime ToJst(DateTime utc) => DateTime.SpecifyKind(DateTime.SpecifyKind(utc, DateTimeKind.Utc) + Offset, DateTimeKind.Unspecified);

    public static string Time(DateTime? utc) =>
        utc is { } v ? ToJst(v).ToString("yyyy/MM/dd HH:mm", CultureInfo.InvariantCulture) : "－";

    public static string Seconds(DateTime utc) => ToJst(utc).ToString("yyyy/MM/dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Date(DateTime utc) => ToJst(utc).ToString("yyyy/MM/dd", CultureInfo.InvariantCulture);

    public static string Environment(OqsEnvironment environment) => environment == OqsEnvironment.Production ? "本番環境" : "接続確認環境";

    public static string Kind(AccountKind kind) => kind switch
    {
        AccountKind.Master => "マスタ",
        AccountKind.MasterReset => "マスタリセット用",
        _ => kind.ToString(),
    };
}
