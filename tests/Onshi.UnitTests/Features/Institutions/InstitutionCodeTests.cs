using Onshi.Core.Features.Institutions;
using Shouldly;

namespace Onshi.UnitTests.Features.Institutions;

public sealed class InstitutionCodeTests
{
    [Theory]
    [InlineData("1311234567", InstitutionKind.Medical)]
    [InlineData("0131234567", InstitutionKind.Dental)]
    [InlineData("4741234567", InstitutionKind.Pharmacy)]
    [InlineData("2760000001", InstitutionKind.HomeVisitNursing)]
    [InlineData(" 1311234567 ", InstitutionKind.Medical)]
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
    [InlineData("１３１１２３４５６７", "institution_code.fullwidth")]
    public void TryParse_InvalidCode_ExplainsWhy(string? input, string errorCode)
    {
        InstitutionCode.TryParse(input, out var code, out _, out var error).ShouldBeFalse();
        code.ShouldBeNull();
        error.ShouldNotBeNull().Code.ShouldBe(errorCode);
        error.Message.ShouldNotBeNullOrWhiteSpace();
        error.Field.ShouldBe(InstitutionCode.FieldName);
    }

    [Fact]
    public void TryParse_EveryPrefectureAndKind_Accepted()
    {
        for (var p = 1; p <= 47; p++)
        {
            foreach (var k in "1346")
            {
                InstitutionCode.IsValid($"{p:00}{k}1234567").ShouldBeTrue();
            }
        }
    }
}
