using Onshi.Core.Common;
using Onshi.Core.Data;

namespace Onshi.Operator.Hosting;

/// <summary>How the console shows values: times in JST, Japanese labels.</summary>
public static class OperatorDisplay
{
    /// <summary><see cref="Jst.Minutes"/>, or 「－」.</summary>
    public static string Time(DateTime? utc) => utc is { } v ? Jst.Minutes(v) : Jst.None;

    public static string Seconds(DateTime utc) => Jst.Seconds(utc);

    public static string Date(DateTime utc) => Jst.Date(utc);

    public static string Environment(OqsEnvironment environment) => environment == OqsEnvironment.Production ? "本番環境" : "接続確認環境";

    public static string Kind(AccountKind kind) => kind switch
    {
        AccountKind.Master => "マスタ",
        AccountKind.MasterReset => "マスタリセット用",
        _ => kind.ToString(),
    };
}
