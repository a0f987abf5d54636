using Onshi.Core.Common;
using Onshi.Core.Features.Passwords;

using Shouldly;

using Xunit;

namespace Onshi.UnitTests.Features.Passwords;

public sealed class SecretNumberTests
{
    [Fact]
    public void GenerateSecretNumber_TenThousandTimes_FourHalfWidthDigitsNeverTrivial()
    {
        HashSet<string> seen = [];
        for (int i = 0; i < 10_000; i++)
        {
            string secret = SecretNumber.GenerateSecretNumber();
            secret.Length.ShouldBe(4);
            secret.ShouldAllBe(static c => c >= '0' && c <= '9');
            SecretNumber.ValidateSecretNumber(secret).ShouldBeEmpty(secret);
            seen.Add(secret);
        }

        // 10,000 draws over ~9,880 allowed values cover most of them, leading zeros included.
        seen.Count.ShouldBeGreaterThan(5_000);
        seen.ShouldContain(static s => s[0] == '0');
    }

    [Theory]
    [InlineData("１２３４")]
    [InlineData("１３５７")]
    [InlineData("135")]
    [InlineData("13579")]
    [InlineData("13a7")]
    [InlineData(" 1357")]
    [InlineData("")]
    [InlineData(null)]
    public void ValidateSecretNumber_NotFourHalfWidthDigits_FormatError(string? value)
    {
        OnshiError error = SecretNumber.ValidateSecretNumber(value).ShouldHaveSingleItem();

        error.Code.ShouldBe("secret.format");
        error.Field.ShouldBe("SecretNumber");
        error.Message.ShouldBe("秘密の番号は数字4桁で入力してください。");
    }

    [Theory]
    [InlineData("0000")]
    [InlineData("7777")]
    [InlineData("0123")]
    [InlineData("1234")]
    [InlineData("6789")]
    [InlineData("7890")]
    [InlineData("9012")]
    [InlineData("4321")]
    [InlineData("3210")]
    [InlineData("0987")]
    [InlineData("1212")]
    [InlineData("9090")]
    public void ValidateSecretNumber_Trivial_TrivialError(string value)
    {
        OnshiError error = SecretNumber.ValidateSecretNumber(value).ShouldHaveSingleItem();

        error.Code.ShouldBe("secret.trivial");
        error.Field.ShouldBe("SecretNumber");
    }

    [Theory]
    [InlineData("1357")]
    [InlineData("0472")]
    [InlineData("1123")]
    [InlineData("2580")]
    public void ValidateSecretNumber_Acceptable_NoErrors(string value)
    {
        SecretNumber.ValidateSecretNumber(value).ShouldBeEmpty();
    }
}
