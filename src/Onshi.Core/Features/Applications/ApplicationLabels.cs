using System.Globalization;
using Onshi.Core.Common;
using Onshi.Core.Data;

namespace Onshi.Core.Features.Applications;

/// <summary>The Japanese words the portal and the console show for the applications' states and kinds.</summary>
public static class ApplicationLabels
{
    /// <summary>申請中 / 承認 / 差戻し.</summary>
    public static string Status(ReviewStatus status) => status switch
    {
        ReviewStatus.Pending => "申請中",
        ReviewStatus.Approved => "承認",
        ReviewStatus.SentBack => "差戻し",
        _ => "",
    };

    /// <summary>申請区分: 新規 / 変更.</summary>
    public static string Kind(ApplicationKind kind) => kind switch
    {
        ApplicationKind.New => "新規",
        ApplicationKind.Change => "変更",
        _ => "",
    };

    /// <summary>本番環境 / 接続確認環境; empty for a document not tied to an environment.</summary>
    public static string Environment(OqsEnvironment? environment) => environment switch
    {
        OqsEnvironment.Production => "本番環境",
        OqsEnvironment.Verification => "接続確認環境",
        _ => "",
    };

    /// <summary>The environments of a set, 本番 first.</summary>
    public static IReadOnlyList<OqsEnvironment> Split(EnvironmentSet set)
    {
        var list = new List<OqsEnvironment>(2);
        if (set.HasFlag(EnvironmentSet.Production))
        {
            list.Add(OqsEnvironment.Production);
        }

        if (set.HasFlag(EnvironmentSet.Verification))
        {
            list.Add(OqsEnvironment.Verification);
        }

        return list;
    }

    /// <summary>「本番環境・接続確認環境」.</summary>
    public static string Environments(EnvironmentSet set) => string.Join("・", Split(set).Select(e => Environment(e)));

    /// <summary>The 「1~N 件目 / M 件」 line of a paged list.</summary>
    public static string Range(int first, int last, int total) =>
        string.Create(CultureInfo.InvariantCulture, $"{first}~{last} 件目 / {total} 件");

    /// <summary>The portal's date format (<see cref="Jst.IsoDate(DateOnly)"/>: 決定通知書取込日 2024-06-21 in the guide).</summary>
    public static string Date(DateOnly date) => Jst.IsoDate(date);

    /// <summary>A yen amount with separators: 1,234,000円.</summary>
    public static string Yen(long amount) => amount.ToString("#,0", CultureInfo.InvariantCulture) + "円";

    internal static DateOnly JapanDate(DateTime utc) => DateOnly.FromDateTime(Documents.JapanTime.ToJst(utc));

    internal static EnvironmentSet ToSet(OqsEnvironment environment) =>
        environment == OqsEnvironment.Production ? EnvironmentSet.Production : EnvironmentSet.Verification;
}
