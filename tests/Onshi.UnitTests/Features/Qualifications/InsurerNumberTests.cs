using Onshi.Core.Common;
using Onshi.Core.Features.Qualifications;
using Shouldly;

namespace Onshi.UnitTests.Features.Qualifications;

public sealed class InsurerNumberTests
{
    [Theory]
    [InlineData("33120015", "33120015", InsurerScheme.Employee)] // SPEC §11.1's example
    [InlineData("54016027", "54016027", InsurerScheme.Employee)] // SPEC §11.1's example
    [InlineData("01130012", "01130012", InsurerScheme.Employee)] // 協会けんぽ 東京
    [InlineData("39130018", "39130018", InsurerScheme.LateElderly)] // 後期高齢者医療広域連合 東京
    [InlineData("138107", "138107", InsurerScheme.NationalHealthInsurance)]
    [InlineData("00138107", "138107", InsurerScheme.NationalHealthInsurance)] // 国保 padded with zeros
    [InlineData("  138107", "138107", InsurerScheme.NationalHealthInsurance)] // 国保 padded with spaces
    [InlineData(" 33120015 ", "33120015", InsurerScheme.Employee)]
    public void TryParse_Valid_GivesTheCanonicalNumber(string input, string canonical, InsurerScheme scheme)
    {
        InsurerNumber.TryParse(input, out var number, out var parsedScheme, out var error).ShouldBeTrue(error?.Message);
        number.ShouldBe(canonical);
        parsedScheme.ShouldBe(scheme);
    }

    [Theory]
    [InlineData(null, "insurer_number.required")]
    [InlineData("   ", "insurer_number.required")]
    [InlineData("3312001", "insurer_number.format")]
    [InlineData("331200150", "insurer_number.format")]
    [InlineData("3312-015", "insurer_number.format")]
    [InlineData("33480015", "insurer_number.prefecture")] // 都道府県番号 48
    [InlineData("33000015", "insurer_number.prefecture")]
    [InlineData("488107", "insurer_number.prefecture")]
    [InlineData("33120016", "insurer_number.check_digit")]
    [InlineData("54016028", "insurer_number.check_digit")]
    [InlineData("138108", "insurer_number.check_digit")]
    [InlineData("00138108", "insurer_number.check_digit")]
    public void TryParse_Invalid_SaysWhichPart(string? input, string code)
    {
        InsurerNumber.TryParse(input, out var number, out _, out var error).ShouldBeFalse();
        number.ShouldBeNull();
        error.ShouldNotBeNull().Code.ShouldBe(code);
        error.Field.ShouldBe(InsurerNumber.FieldName);
    }

    [Fact]
    public void EverySingleDigitChangeIsCaught()
    {
        const string valid = "33120015";
        for (var i = 0; i < valid.Length; i++)
        {
            for (var d = '0'; d <= '9'; d++)
            {
                if (d == valid[i])
                {
                    continue;
                }

                var changed = valid[..i] + d + valid[(i + 1)..];
                Luhn.IsValid(changed).ShouldBeFalse(changed);
            }
        }
    }

    [Fact]
    public void WithCheckDigit_AndPadding()
    {
        InsurerNumber.WithCheckDigit("3312001").ShouldBe("33120015");
        InsurerNumber.WithCheckDigit("13810").ShouldBe("138107");
        InsurerNumber.PaddedToEight("138107").ShouldBe("00138107");
        InsurerNumber.PaddedToEight("33120015").ShouldBe("33120015");
    }
}
