using System.Text;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Shouldly;

namespace Onshi.UnitTests.Features.Audit;

public sealed class AuditCsvTests
{
    private static AuditRow Row(string detail = "", string target = "", DateTime? at = null) =>
        new(1, at ?? new DateTime(2026, 11, 23, 15, 0, 0, DateTimeKind.Utc), "1310000059", OqsEnvironment.Production, "ADMIN01",
            AccountKind.Admin, AuditActions.Login, target, AuditOutcomes.Success, detail, "0A1B", "127.0.0.1");

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("line1\nline2", "\"line1\nline2\"")]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("+81", "'+81")]
    [InlineData("-2", "'-2")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("\rx", "\"'\rx\"")]
    [InlineData("=a,b", "\"'=a,b\"")]
    [InlineData("", "")]
    public void Cell_QuotesAndNeutralizesFormulas(string value, string expected) => AuditCsv.Cell(value).ShouldBe(expected);

    [Fact]
    public async Task WriteAsync_BomHeaderCrlfJst_AndParsesBack()
    {
        using var stream = new MemoryStream();
        var rows = new[] { Row(detail: "a,\"b\"\nc", target: "=cmd"), Row(at: new DateTime(2026, 11, 23, 14, 59, 59, DateTimeKind.Utc)) };

        var count = await AuditCsv.WriteAsync(stream, rows.ToAsyncEnumerable());

        count.ShouldBe(2);
        var bytes = stream.ToArray();
        bytes[..3].ShouldBe(new byte[] { 0xEF, 0xBB, 0xBF });
        var text = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3);
        text.ShouldStartWith("日時（JST）,医療機関等コード,環境,操作者,権限区分,操作,操作コード,対象,結果,詳細,端末証明書シリアル,接続元\r\n");
        text.ShouldEndWith("\r\n");
        var records = Rfc4180.Parse(text);
        records.Count.ShouldBe(3);
        records[1][0].ShouldBe("2026/11/24 00:00:00"); // 15:00 UTC = next day 00:00 JST
        records[2][0].ShouldBe("2026/11/23 23:59:59");
        records[1][5].ShouldBe("ログイン");
        records[1][6].ShouldBe("login");
        records[1][7].ShouldBe("'=cmd");
        records[1][8].ShouldBe("成功");
        records[1][9].ShouldBe("a、\"b\"\nc");
        records[1][2].ShouldBe("本番");
        records[1][4].ShouldBe("管理者");
    }

    [Fact]
    public void FileNames_JapaneseAndAscii()
    {
        var (name, ascii) = AuditCsv.FileNames("1310000059", "1310000059", new DateOnly(2026, 11, 24));
        name.ShouldBe("操作ログ_1310000059_20261124.csv");
        ascii.ShouldBe("audit_1310000059_20261124.csv");
    }
}

/// <summary>A strict RFC 4180 reader for the tests (quoted fields, doubled quotes, CRLF records, line breaks inside quotes).</summary>
public static class Rfc4180
{
    public static List<List<string>> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var records = new List<List<string>>();
        var record = new List<string>();
        var field = new StringBuilder();
        var i = 0;
        var quoted = false;
        while (i < text.Length)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i += 2;
                    continue;
                }

                if (c == '"')
                {
                    quoted = false;
                    i++;
                    continue;
                }

                field.Append(c);
                i++;
                continue;
            }

            switch (c)
            {
                case '"' when field.Length == 0:
                    quoted = true;
                    i++;
                    break;
                case ',':
                    record.Add(field.ToString());
                    field.Clear();
                    i++;
                    break;
                case '\r' when i + 1 < text.Length && text[i + 1] == '\n':
                    record.Add(field.ToString());
                    field.Clear();
                    records.Add(record);
                    record = [];
                    i += 2;
                    break;
                case '\r' or '\n':
                    throw new FormatException($"Bare line break at {i}");
                default:
                    field.Append(c);
                    i++;
                    break;
            }
        }

        if (field.Length > 0 || record.Count > 0)
        {
            record.Add(field.ToString());
            records.Add(record);
        }

        return records;
    }
}
