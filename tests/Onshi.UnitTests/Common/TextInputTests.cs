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
