using Onshi.Core.Common;
using Shouldly;

namespace Onshi.UnitTests.Common;

/// <summary>
/// Regression (bad input corpus): a ユーザ名 posted as raw invalid UTF-8 arrived as U+FFFD and was stored; control characters
/// and U+FFFD are now refused by every text rule, line breaks only where a field is multi-line.
/// </summary>
public sealed class TextInputTests
{
    [Theory]
    [InlineData('\uFFFD')]
    [InlineData('\0')]
    [InlineData('\u0001')]
    [InlineData('\u007F')]
    [InlineData('\u0085')]
    public void ForbiddenEverywhere(char c)
    {
        TextInput.IsForbidden(c).ShouldBeTrue();
        TextInput.IsForbiddenMultiline(c).ShouldBeTrue();
    }

    [Theory]
    [InlineData('\n')]
    [InlineData('\r')]
    [InlineData('\t')]
    public void LineBreaks_OnlyInMultilineFields(char c)
    {
        TextInput.IsForbidden(c).ShouldBeTrue();
        TextInput.IsForbiddenMultiline(c).ShouldBeFalse();
    }

    [Theory]
    [InlineData('a')]
    [InlineData('あ')]
    [InlineData('１')]
    [InlineData('<')]
    [InlineData('\'')]
    public void OrdinaryText_IsAllowed(char c) => TextInput.IsForbidden(c).ShouldBeFalse();
}

/// <summary>Regression (bad input corpus): a 差戻し理由 with control characters was stored; now refused, line breaks kept.</summary>
public sealed class ReasonRuleTests
{
    [Fact]
    public void ControlCharacters_AreRefused() =>
        Onshi.Core.Features.Applications.InputRules.Reason("理由\u0001\u001b", out _).ShouldBe(Onshi.Core.Features.Applications.ApplicationErrors.ReasonInvalidCharacters);

    [Fact]
    public void InvalidUtf8_AsReplacementCharacter_IsRefused() =>
        Onshi.Core.Features.Applications.InputRules.Reason("理由\uFFFD", out _).ShouldBe(Onshi.Core.Features.Applications.ApplicationErrors.ReasonInvalidCharacters);

    [Fact]
    public void LineBreaks_AreKept() =>
        Onshi.Core.Features.Applications.InputRules.Reason("一行目\r\n二行目", out _).ShouldBeNull();
}

/// <summary>Issue 14 (7): what an IME types into a code or number field is read as the half-width value it means.</summary>
public sealed class NormalizeCodeTests
{
    [Theory]
    [InlineData("１３１００００１８", "131000018")]
    [InlineData("ＵＫＥＴＳＵＫＥ－０１", "UKETSUKE-01")]
    [InlineData("ｕｋｅｔｓｕｋｅ＿０１", "uketsuke_01")]
    [InlineData("０３－１２３４－５６７８", "03-1234-5678")]
    [InlineData("03ー1234ー5678", "03-1234-5678")] // 「ー」 long vowel mark (kana mode)
    [InlineData("03‐1234‐5678", "03-1234-5678")] // U+2010 hyphen
    [InlineData("03−1234−5678", "03-1234-5678")] // U+2212 minus
    [InlineData("03―1234―5678", "03-1234-5678")] // U+2015 horizontal bar
    [InlineData("03–1234—5678", "03-1234-5678")] // en and em dash
    [InlineData("03ｰ1234ｰ5678", "03-1234-5678")] // half-width ｰ
    [InlineData("03﹣1234⁃5678", "03-1234-5678")]
    [InlineData("１，２００，０００円", "1,200,000円")]
    [InlineData("３８７０", "3870")]
    [InlineData("　１２３４　", " 1234 ")] // ideographic space → space; trimming is the field's business
    [InlineData("1310000018", "1310000018")]
    [InlineData("", "")]
    public void NormalizeCode_FullWidthAndHyphenLookAlikes_BecomeHalfWidth(string typed, string expected) =>
        TextInput.NormalizeCode(typed).ShouldBe(expected);

    [Fact]
    public void NormalizeCode_Null_StaysNull() => TextInput.NormalizeCode(null).ShouldBeNull();

    [Fact]
    public void NormalizeCode_IsIdempotent()
    {
        var once = TextInput.NormalizeCode("ＡＢＣ－１２３ー４");
        TextInput.NormalizeCode(once).ShouldBe(once);
    }

    /// <summary>「ー」 is a letter in a katakana name: the normalizer is for code fields only, and the hyphen map says so.</summary>
    [Fact]
    public void HyphenMap_HasTheLongVowelMark_SoItMustNotBeUsedForNames()
    {
        TextInput.IsHyphenLike('ー').ShouldBeTrue();
        TextInput.IsHyphenLike('-').ShouldBeFalse();
        TextInput.IsHyphenLike('ア').ShouldBeFalse();
    }
}

/// <summary>Issue 14 (11): one date format per site, from one formatter.</summary>
public sealed class JstTests
{
    private static readonly DateTime Utc = new(2026, 11, 23, 15, 5, 3, DateTimeKind.Utc); // 2026-11-24 00:05:03 JST

    [Fact]
    public void OqsAndConsoleFormats() => (Jst.Date(Utc), Jst.Minutes(Utc), Jst.Seconds(Utc))
        .ShouldBe(("2026/11/24", "2026/11/24 00:05", "2026/11/24 00:05:03"));

    [Fact]
    public void PortalFormats_AsTheGuideShowsThem() => (Jst.IsoDate(Utc), Jst.IsoMinutes(Utc), Jst.IsoDate(new DateOnly(2024, 6, 21)))
        .ShouldBe(("2026-11-24", "2026-11-24 00:05", "2024-06-21"));
}
