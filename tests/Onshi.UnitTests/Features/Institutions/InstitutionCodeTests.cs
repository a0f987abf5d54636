using Onshi.Core.Features.Institutions;
using Shouldly;

namespace Onshi.UnitTests.Features.Institutions;

public sealed class InstitutionCodeTests
{
    private const string CheckDigitCode = "institution_code.check_digit";

    /// <summary>The same institution number <c>123456</c> in prefectures and 点数表 of the 10-digit rule.</summary>
    private static readonly string[] TenDigitRuleSamples = ["101123456", "151123456", "271123456", "273123456", "471123456"];

    [Theory]
    [InlineData("0110112489", InstitutionKind.Medical)] // SPEC §2's example: 北海道, Luhn over all 10 digits
    [InlineData("1310000018", InstitutionKind.Medical)] // SPEC §2's example: 東京, Luhn over the 7-digit part
    [InlineData("0131234569", InstitutionKind.Dental)]
    [InlineData("4741234563", InstitutionKind.Pharmacy)]
    [InlineData("2760000006", InstitutionKind.HomeVisitNursing)]
    [InlineData(" 1310000018 ", InstitutionKind.Medical)]
    public void TryParse_ValidCode_ReturnsCodeAndKind(string input, InstitutionKind kind)
    {
        InstitutionCode.TryParse(input, out var code, out var parsedKind, out var error).ShouldBeTrue();
        code.ShouldBe(input.Trim());
        parsedKind.ShouldBe(kind);
        error.ShouldBeNull();
    }

    [Theory]
    [InlineData("", "institution_code.required")]
    [InlineData(null, "institution_code.required")]
    [InlineData("0123456789", "institution_code.kind")] // the seed's illustration: prefecture 01 is fine, 点数表 2 is not
    [InlineData("0023456789", "institution_code.prefecture")]
    [InlineData("4811234567", "institution_code.prefecture")]
    [InlineData("1321234567", "institution_code.kind")]
    [InlineData("1351234567", "institution_code.kind")]
    [InlineData("1301234567", "institution_code.kind")]
    [InlineData("131123456", "institution_code.format")]
    [InlineData("13112345678", "institution_code.format")]
    [InlineData("13112345a7", "institution_code.format")]
    [InlineData("13-1123456", "institution_code.format")]
    [InlineData("１３１１２３４５６８", CheckDigitCode)] // full-width is read as half-width, then checked like any code
    [InlineData("1310000017", CheckDigitCode)] // SPEC §2: fails (the 検証番号 of 1310000018 is 8)
    [InlineData("1310000011", CheckDigitCode)] // what the 10-digit rule would give: 東京 uses the 7-digit one
    [InlineData("0110112487", CheckDigitCode)] // what the 7-digit rule would give: 北海道 uses the 10-digit one
    public void TryParse_InvalidCode_ExplainsWhy(string? input, string errorCode)
    {
        InstitutionCode.TryParse(input, out var code, out _, out var error).ShouldBeFalse();
        code.ShouldBeNull();
        error.ShouldNotBeNull().Code.ShouldBe(errorCode);
        error.Message.ShouldNotBeNullOrWhiteSpace();
        error.Field.ShouldBe(InstitutionCode.FieldName);
    }

    [Fact]
    public void TryParse_OnlyTheCheckDigitWrong_NamesTheCheckDigit()
    {
        InstitutionCode.TryParse("1310000017", out _, out var kind, out var error).ShouldBeFalse();

        kind.ShouldBe(default);
        error.ShouldNotBeNull().Code.ShouldBe(CheckDigitCode);
        error.Message.ShouldBe("医療機関等コードの検証番号（末尾の1桁）が正しくありません。コードをもう一度ご確認ください。");
    }

    [Theory]
    [InlineData("4811234568", "institution_code.prefecture")] // the 10-digit Luhn holds, prefecture 48 does not exist
    [InlineData("4811234567", "institution_code.prefecture")] // both wrong: the structure is named, not the 検証番号
    [InlineData("1321234566", "institution_code.kind")] // the 7-digit Luhn holds, 点数表 2 does not exist
    [InlineData("1321234567", "institution_code.kind")]
    [InlineData("13100000188", "institution_code.format")]
    [InlineData("131000001", "institution_code.format")]
    public void TryParse_StructureWrong_StructuralMessageWinsOverTheCheckDigit(string input, string errorCode)
    {
        InstitutionCode.TryParse(input, out _, out _, out var error).ShouldBeFalse();
        error.ShouldNotBeNull().Code.ShouldBe(errorCode);
        error.Message.ShouldNotContain("検証番号");
    }

    [Theory]
    [InlineData("011011248", '9')] // SPEC §2
    [InlineData("131000001", '8')] // SPEC §2
    [InlineData("101000001", '4')] // 10: just before the group, 10-digit rule
    [InlineData("111000001", '8')] // 11 埼玉, 12 千葉, 13 東京, 14 神奈川: 7-digit rule
    [InlineData("121000001", '8')]
    [InlineData("141000001", '8')]
    [InlineData("151000001", '9')] // 15: just after the group, 10-digit rule
    [InlineData("271000001", '5')]
    [InlineData("471000001", '1')]
    public void CheckDigit_FirstNineDigits_IsTheDigitThatMakesTheCodeValid(string first9, char expected)
    {
        InstitutionCode.CheckDigit(first9).ShouldBe(expected);
        InstitutionCode.WithCheckDigit(first9).ShouldBe(first9 + expected);
        InstitutionCode.IsValid(first9 + expected).ShouldBeTrue();
    }

    [Fact]
    public void CheckDigit_SevenDigitRulePrefectures_DependsOnTheInstitutionNumberOnly()
    {
        // In 11–14 the prefecture and 点数表 digits are outside the Luhn sum; elsewhere they are inside it.
        foreach (var p in new[] { 11, 12, 13, 14 })
        {
            foreach (var k in "1346")
            {
                InstitutionCode.CheckDigit($"{p}{k}123456").ShouldBe('6');
            }
        }

        TenDigitRuleSamples.Select(InstitutionCode.CheckDigit).Distinct().Count().ShouldBeGreaterThan(1);
        Enumerable.Range(1, 47).Where(InstitutionCode.IsSevenDigitRulePrefecture).ShouldBe([11, 12, 13, 14]);
    }

    [Theory]
    [InlineData("0110112489")]
    [InlineData("2741234567")]
    [InlineData("4760000010")]
    public void TryParse_TenDigitRule_EverySingleDigitChangeIsRefused(string valid)
    {
        InstitutionCode.IsValid(valid).ShouldBeTrue();
        foreach (var mistyped in SingleDigitChanges(valid, 0))
        {
            InstitutionCode.IsValid(mistyped).ShouldBeFalse(mistyped);
        }
    }

    [Theory]
    [InlineData("1310000018")]
    [InlineData("1131234566")]
    [InlineData("1240000018")]
    [InlineData("1469876541")]
    public void TryParse_SevenDigitRule_EverySingleDigitChangeOfTheInstitutionNumberIsRefused(string valid)
    {
        InstitutionCode.IsValid(valid).ShouldBeTrue();
        foreach (var mistyped in SingleDigitChanges(valid, 3))
        {
            InstitutionCode.TryParse(mistyped, out _, out _, out var error).ShouldBeFalse(mistyped);
            error.ShouldNotBeNull().Code.ShouldBe(CheckDigitCode);
        }
    }

    [Fact]
    public void TryParse_SevenDigitRule_PrefectureWithinTheGroupOrKindNotCoveredByTheCheckDigit()
    {
        // The rule of the real lists, and its limit: the 検証番号 of 11–14 does not see digits 1–3, so a code moved to
        // another prefecture of the group or another 点数表 still passes. Only the institution number is protected.
        foreach (var other in new[] { "1110000018", "1210000018", "1410000018", "1330000018", "1340000018", "1360000018" })
        {
            InstitutionCode.IsValid(other).ShouldBeTrue(other);
        }
    }

    [Fact]
    public void TryParse_EveryPrefectureAndKind_AcceptedWithItsCheckDigit()
    {
        for (var p = 1; p <= 47; p++)
        {
            foreach (var k in "1346")
            {
                var code = InstitutionCode.WithCheckDigit($"{p:00}{k}123456");
                InstitutionCode.IsValid(code).ShouldBeTrue(code);
                InstitutionCode.IsValid(code[..9] + (char)('0' + (code[9] - '0' + 1) % 10)).ShouldBeFalse(code);
            }
        }
    }

    [Theory]
    [InlineData("13100000")]
    [InlineData("1310000018")]
    [InlineData("13100000a")]
    [InlineData("１３１０００００１")]
    public void CheckDigit_NotNineAsciiDigits_Throws(string first9)
    {
        Should.Throw<ArgumentException>(() => InstitutionCode.CheckDigit(first9));
        Should.Throw<ArgumentException>(() => InstitutionCode.WithCheckDigit(first9));
    }

    /// <summary>Every code that differs from <paramref name="code"/> in exactly one digit at index <paramref name="from"/> or later.</summary>
    private static IEnumerable<string> SingleDigitChanges(string code, int from)
    {
        for (var i = from; i < code.Length; i++)
        {
            foreach (var d in "0123456789".Where(d => d != code[i]))
            {
                yield return string.Concat(code.AsSpan(0, i), d.ToString(), code.AsSpan(i + 1));
            }
        }
    }
}
