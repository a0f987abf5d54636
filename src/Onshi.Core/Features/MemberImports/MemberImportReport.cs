using System.Text;

namespace Onshi.Core.Features.MemberImports;

/// <summary>The error report of a refused file: CSV, UTF-8 with BOM (so Excel opens it as Japanese), 行番号, 列, 内容.</summary>
public static class MemberImportReport
{
    public static byte[] Build(IReadOnlyList<MemberRowError> errors, int totalErrors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var text = new StringBuilder();
        text.Append("行番号,列,内容\r\n");
        foreach (var e in errors)
        {
            text.Append(e.Row.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(',')
                .Append(Field(e.Column)).Append(',').Append(Field(e.Message)).Append("\r\n");
        }

        if (totalErrors > errors.Count)
        {
            text.Append(",,").Append(Field($"ほかに {totalErrors - errors.Count:N0} 件の誤りがあります（この一覧は最初の {errors.Count:N0} 件です）。")).Append("\r\n");
        }

        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text.ToString())];
    }

    /// <summary>The report's file name: 加入者データ取込_エラー_12.csv.</summary>
    public static string FileName(long importId) => $"member-import-{importId}-errors.csv";

    private static string Field(string value) =>
        value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
