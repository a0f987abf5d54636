using Onshi.Core.Features.MemberImports;
using Shouldly;

namespace Onshi.UnitTests.Features.MemberImports;

public sealed class CsvRecordReaderTests
{
    private static List<CsvRecord> Read(string text)
    {
        var reader = new CsvRecordReader(new StringReader(text));
        var list = new List<CsvRecord>();
        while (reader.Read() is { } r)
        {
            list.Add(r);
        }

        return list;
    }

    [Fact]
    public void Rfc4180_QuotedCommasLineBreaksAndDoubledQuotes()
    {
        var rows = Read("a,b,c\r\n\"大阪府, 北区\",\"1行目\r\n2行目\",\"彼は\"\"髙\"\"と\"\r\nx,,\r\n");
        rows.Count.ShouldBe(3);
        rows[1].Fields.ShouldBe(["大阪府, 北区", "1行目\r\n2行目", "彼は\"髙\"と"]);
        rows[1].Row.ShouldBe(2);
        rows[2].Row.ShouldBe(3); // a quoted line break is not a new row
        rows[2].Fields.ShouldBe(["x", "", ""]);
        rows.ShouldAllBe(r => r.Error == null);
    }

    [Fact]
    public void LfAndCrLineEnds_BlankLines_AndNoFinalLineBreak()
    {
        var rows = Read("a,b\n1,2\r\n\n3,4");
        rows.Select(r => r.Row).ShouldBe([1, 2, 3, 4]);
        rows[2].IsBlank.ShouldBeTrue();
        rows[3].Fields.ShouldBe(["3", "4"]);
    }

    [Theory]
    [InlineData("a,\"b\"c\r\n", CsvRecordReader.TextAfterQuote)]
    [InlineData("a,b\"c\r\n", CsvRecordReader.QuoteInField)]
    [InlineData("a,\"bc\r\nd,e\r\n", CsvRecordReader.UnterminatedQuote)]
    public void MalformedRecords_SayWhy(string text, string error) => Read(text)[0].Error.ShouldBe(error);

    [Fact]
    public void AMalformedRecord_DoesNotStopTheNextOnes()
    {
        var rows = Read("a,b\"c\r\nd,e\r\n");
        rows[0].Error.ShouldNotBeNull();
        rows[1].Error.ShouldBeNull();
        rows[1].Fields.ShouldBe(["d", "e"]);
    }

    [Fact]
    public void AnUnterminatedQuote_CannotSwallowTheFile()
    {
        var rows = Read("\"" + new string('x', 5000));
        rows.ShouldHaveSingleItem().Error.ShouldBe(CsvRecordReader.UnterminatedQuote);
        rows[0].Fields[0].Length.ShouldBe(CsvRecordReader.MaxFieldLength);
    }
}
