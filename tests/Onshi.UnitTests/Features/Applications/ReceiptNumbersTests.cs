using Onshi.Core.Features.Applications;
using Shouldly;

namespace Onshi.UnitTests.Features.Applications;

public sealed class ReceiptNumbersTests
{
    /// <summary>2026-12-06 15:30 UTC is already 12月7日 in Japan: the day of a 受付番号 is the JST day.</summary>
    private static readonly DateTime LateEveningUtc = new(2026, 12, 6, 15, 30, 0, DateTimeKind.Utc);

    [Fact]
    public void Format_EachKind_LetterJstDayAndSixDigitId()
    {
        ReceiptNumbers.Usage(42, LateEveningUtc).ShouldBe("R-20261207-000042");
        ReceiptNumbers.Certificate(42, LateEveningUtc).ShouldBe("C-20261207-000042");
        ReceiptNumbers.Subsidy(1234567, LateEveningUtc).ShouldBe("S-20261207-1234567");
    }

    [Theory]
    [InlineData("R-20261207-000042", "R", 42)]
    [InlineData("Ｃ－２０２６１２０７－００００４２", "C", 42)] // full-width, as typed with the IME on
    [InlineData("s ー 20261207 ー 42", "S", 42)] // lower case, 「ー」 for the hyphen, spaces
    [InlineData("R20261207000042", "R", 42)] // no hyphens
    [InlineData("  S-20261207-1234567  ", "S", 1234567)]
    public void Parse_AsTyped_GivesKindDayAndId(string typed, string prefix, long id)
    {
        var number = ReceiptNumbers.Parse(typed).ShouldNotBeNull();
        (number.Prefix, number.Day, number.Id).ShouldBe((prefix, new DateOnly(2026, 12, 7), id));
        ReceiptNumbers.IdOf(typed).ShouldBe(id);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("X-20261207-000042")] // no such kind
    [InlineData("R-20261332-000042")] // no such day
    [InlineData("R-2026127-000042")] // 7 digits of day
    [InlineData("R-20261207-")]
    [InlineData("R-20261207-000000")] // id 0
    [InlineData("R-20261207-1234567890123456789")] // 19 digits: more than a long holds safely
    [InlineData("R-20261207-42x")]
    [InlineData("RR-20261207-000042")]
    public void Parse_NotAReceiptNumber_IsNull(string? typed) => ReceiptNumbers.Parse(typed).ShouldBeNull();

    [Fact]
    public void Parse_ReadsBackWhatFormatWrote()
    {
        foreach (var number in new[] { ReceiptNumbers.Usage(7, LateEveningUtc), ReceiptNumbers.Certificate(99999, LateEveningUtc), ReceiptNumbers.Subsidy(1, LateEveningUtc) })
        {
            var parsed = ReceiptNumbers.Parse(number).ShouldNotBeNull();
            (parsed.Prefix + "-" + parsed.Day.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture) + "-" + parsed.Id.ToString("D6", System.Globalization.CultureInfo.InvariantCulture))
                .ShouldBe(number);
        }
    }
}
