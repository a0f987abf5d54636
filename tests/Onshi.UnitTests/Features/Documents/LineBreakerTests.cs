using Onshi.Core.Features.Documents;

using Shouldly;

using Xunit;

namespace Onshi.UnitTests.Features.Documents;

public sealed class LineBreakerTests
{
    // Every character one unit wide keeps the expectations readable.
    private static List<string> Wrap(string text, double width) => LineBreaker.Wrap(text, width, s => s.Length);

    [Fact]
    public void Wrap_JapaneseText_BreaksBetweenCharacters() =>
        Wrap("あいうえおかきくけこ", 4).ShouldBe(["あいうえ", "おかきく", "けこ"]);

    [Theory]
    [InlineData("あいうえ。かき", new[] { "あいう", "え。かき" })]
    [InlineData("あいうえ、かき", new[] { "あいう", "え、かき" })]
    [InlineData("あいうえ」かき", new[] { "あいう", "え」かき" })]
    [InlineData("あいうえ）かき", new[] { "あいう", "え）かき" })]
    public void Wrap_ClosingPunctuationAtLineStart_PushesPreviousCharacterDown(string text, string[] expected) =>
        Wrap(text, 4).ShouldBe(expected);

    [Fact]
    public void Wrap_OpeningBracketAtLineEnd_MovesToNextLine() =>
        Wrap("あいう「えお」", 4).ShouldBe(["あいう", "「えお」"]);

    [Fact]
    public void Wrap_AsciiWord_StaysWholeWhenItFits() =>
        Wrap("ユーザIDSAMPLE01です", 10).ShouldBe(["ユーザ", "IDSAMPLE01", "です"]);

    [Fact]
    public void Wrap_AsciiWordLongerThanLine_SplitsByCharacter() =>
        Wrap("ABCDEFGHIJ", 4).ShouldBe(["ABCD", "EFGH", "IJ"]);

    [Fact]
    public void Wrap_ExplicitNewline_StartsNewLine() =>
        Wrap("あい\nう", 10).ShouldBe(["あい", "う"]);

    [Fact]
    public void Wrap_SpaceAtBreak_IsDropped() =>
        Wrap("abc def", 4).ShouldBe(["abc", "def"]);
}
