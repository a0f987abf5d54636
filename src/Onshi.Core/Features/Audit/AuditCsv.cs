using System.Globalization;
using System.Text;
using Onshi.Core.Common;

namespace Onshi.Core.Features.Audit;

/// <summary>
/// The 操作ログ CSV of both screens: UTF-8 with a BOM (Excel opens it as UTF-8), CRLF line ends, RFC 4180 quoting,
/// Japanese headers, JST times, and cells that a spreadsheet would run as a formula (starting with = + - @ TAB CR)
/// prefixed with an apostrophe. Written row by row to the response, never built in memory.
/// </summary>
public static class AuditCsv
{
    /// <summary>At most this many rows are exported; the screen says so.</summary>
    public const int MaxRows = 100_000;

    /// <summary>The header row.</summary>
    public static IReadOnlyList<string> Headers { get; } =
        ["日時（JST）", "医療機関等コード", "環境", "操作者", "権限区分", "操作", "操作コード", "対象", "結果", "詳細", "端末証明書シリアル", "接続元"];

    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>The cells of one row, in the order of <see cref="Headers"/>.</summary>
    public static IReadOnlyList<string> Cells(AuditRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return
        [
            Jst.Seconds(row.OccurredAt), row.InstitutionCode, row.EnvironmentLabel, row.Actor, row.ActorKindLabel, row.ActionLabel, row.Action,
            row.Target, row.OutcomeLabel, row.DetailLabel, row.CertificateSerial, row.ClientAddress,
        ];
    }

    /// <summary>One cell, formula-neutralized and quoted when it holds a comma, a quote, CR or LF.</summary>
    public static string Cell(string? value)
    {
        var v = value ?? "";
        if (v.Length > 0 && v[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            v = "'" + v;
        }

        return v.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + v.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : v;
    }

    /// <summary>One line, CRLF included.</summary>
    public static string Line(IEnumerable<string> cells) => string.Join(',', cells.Select(Cell)) + "\r\n";

    /// <summary>Writes the BOM, the header and every row to <paramref name="output"/>, flushing as it goes.</summary>
    public static async Task<int> WriteAsync(Stream output, IAsyncEnumerable<AuditRow> rows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(rows);
        await output.WriteAsync(Bom, cancellationToken);
        await using var writer = new StreamWriter(output, Utf8, bufferSize: 16 * 1024, leaveOpen: true) { NewLine = "\r\n" };
        await writer.WriteAsync(Line(Headers));
        var count = 0;
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            await writer.WriteAsync(Line(Cells(row)));
            if (++count % 500 == 0)
            {
                await writer.FlushAsync(cancellationToken);
            }
        }

        await writer.FlushAsync(cancellationToken);
        return count;
    }

    /// <summary><c>操作ログ_{scope}_{yyyyMMdd}.csv</c> and its ASCII fallback <c>audit_{ascii scope}_{yyyyMMdd}.csv</c>.</summary>
    public static (string FileName, string AsciiFileName) FileNames(string scope, string asciiScope, DateOnly jstToday) =>
        (string.Create(CultureInfo.InvariantCulture, $"操作ログ_{scope}_{jstToday:yyyyMMdd}.csv"),
            string.Create(CultureInfo.InvariantCulture, $"audit_{asciiScope}_{jstToday:yyyyMMdd}.csv"));
}
