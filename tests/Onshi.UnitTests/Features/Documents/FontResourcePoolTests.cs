using Onshi.Core.Features.Documents;

using Shouldly;

using UglyToad.PdfPig.Writer;

using Xunit;

namespace Onshi.UnitTests.Features.Documents;

public sealed class FontResourcePoolTests
{
    [Fact]
    public void Route_MoreThan255DistinctCharacters_AddsAnotherResource()
    {
        using PdfDocumentBuilder builder = new();
        FontResourcePool pool = new(builder, FontFace.Regular);
        string text = new(Enumerable.Range(0x3041, 86).Concat(Enumerable.Range(0x30A1, 90)).Concat(Enumerable.Range('!', 94)).Select(i => (char)i).ToArray());
        text.Distinct().Count().ShouldBe(270);

        List<(PdfDocumentBuilder.AddedFont Font, string Text)> pieces = pool.Route(text);

        pool.ResourceCount.ShouldBe(2);
        string.Concat(pieces.Select(p => p.Text)).ShouldBe(text);
        pieces.GroupBy(p => p.Font).ShouldAllBe(g => g.SelectMany(p => p.Text).Distinct().Count() <= FontResourcePool.MaxCharactersPerResource);
    }

    [Fact]
    public void Route_CharactersSeenBefore_ReusesTheirResource()
    {
        using PdfDocumentBuilder builder = new();
        FontResourcePool pool = new(builder, FontFace.Regular);
        pool.Route("テスト医科診療所");

        List<(PdfDocumentBuilder.AddedFont Font, string Text)> pieces = pool.Route("診療所テスト");

        pool.ResourceCount.ShouldBe(1);
        pieces.Count.ShouldBe(1);
    }
}
