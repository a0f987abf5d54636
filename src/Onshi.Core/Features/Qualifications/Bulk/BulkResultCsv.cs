using System.Globalization;
using Onshi.Core.Data;

namespace Onshi.Core.Features.Qualifications.Bulk;

/// <summary>
/// A 一括照会's result as a CSV for people (「結果をCSVでダウンロード」): one row per patient in the order sent, the keys as sent,
/// 処理結果 and 資格有効性 in words, the name and 一部負担金割合 of the answer, its 照会番号 (the 資格確認結果 kept for it), and for
/// a patient whose keys were wrong the message that says which. UTF-8 with BOM, like the 資格確認結果 export.
/// </summary>
public static class BulkResultCsv
{
    public static IReadOnlyList<string> Headers { get; } =
        ["行", "保険者番号", "記号", "番号", "枝番", "生年月日", "処理結果", "資格有効性", "氏名", "一部負担金割合", "照会番号", "エラー内容"];

    public static byte[] Build(IReadOnlyList<BulkConfirmUnit> units)
    {
        ArgumentNullException.ThrowIfNull(units);
        return QualificationResultQuery.CsvDocument(Headers, units.Select((u, i) => Cells(u, i + 1)));
    }

    /// <summary>The cells of the patient at <paramref name="row"/> (1 = the first patient of the request).</summary>
    public static IReadOnlyList<string> Cells(BulkConfirmUnit unit, int row)
    {
        ArgumentNullException.ThrowIfNull(unit);
        var sent = unit.QualificationConfirmSearchInfo ?? new QualificationConfirmSearchInfo();
        var answer = unit.ResultOfQualificationConfirmation;
        var normal = unit.ProcessingResultStatus == "1";
        var validity = int.TryParse(unit.QualificationValidity, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && Enum.IsDefined((QualificationValidity)v)
            ? QualificationCodes.Label((QualificationValidity)v)
            : "";
        return
        [
            row.ToString(CultureInfo.InvariantCulture),
            sent.InsurerNumber ?? "",
            sent.InsuredCardSymbol ?? "",
            sent.InsuredIdentificationNumber ?? "",
            // The 枝番 sent, or the one the answer found when none was sent.
            string.IsNullOrEmpty(sent.InsuredBranchNumber) ? answer?.InsuredBranchNumber ?? "" : sent.InsuredBranchNumber,
            QualificationResultQuery.WireSlash(sent.Birthdate) is { Length: > 0 } born ? born : sent.Birthdate ?? "",
            normal ? "正常終了" : "エラー",
            validity,
            answer?.Name ?? "",
            QualificationResultQuery.RatioWords(answer?.InsuredPartialContributionRatio),
            unit.ReferenceNumber ?? "",
            normal ? "" : unit.ProcessingResultMessage ?? "",
        ];
    }
}
