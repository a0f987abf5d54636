using System.Globalization;
using Onshi.Cli.Seeding;
using Onshi.Core.Features.Institutions;
using Shouldly;

namespace Onshi.IntegrationTests.Seeding;

/// <summary>
/// The 医療機関等コード <c>onshi seed-scale</c> allocates (no database): valid (structure and 検証番号), marked, unique up to
/// the largest run allowed, and the same for the same seed.
/// </summary>
public sealed class SyntheticCodeTests
{
    [Fact]
    public void ExpectedCodes_LargestRun_AllValidMarkedAndUnique()
    {
        var seen = new HashSet<long>();
        var tokyoMedical = 0;
        foreach (var code in SyntheticGenerator.ExpectedCodes(1, SyntheticData.MaxInstitutions))
        {
            if (!InstitutionCode.IsValid(code) || code.Substring(3, 2) != SyntheticData.CodeMarker)
            {
                throw new ShouldAssertException("not a valid synthetic code: " + code);
            }

            if (!seen.Add(long.Parse(code, CultureInfo.InvariantCulture)))
            {
                throw new ShouldAssertException("allocated twice: " + code);
            }

            tokyoMedical += code.StartsWith("131", StringComparison.Ordinal) ? 1 : 0;
        }

        seen.Count.ShouldBe(SyntheticData.MaxInstitutions);
        tokyoMedical.ShouldBe(10_000); // a full prefecture and 点数表 (four counting digits) spilled into the next prefecture
    }

    [Fact]
    public void ExpectedCodes_SameSeed_SameCodes_OtherSeed_OtherCodes()
    {
        var first = SyntheticGenerator.ExpectedCodes(7, 3_000).ToList();

        SyntheticGenerator.ExpectedCodes(7, 3_000).ShouldBe(first);
        SyntheticGenerator.ExpectedCodes(8, 3_000).ShouldNotBe(first);
        foreach (var index in new[] { 0, 1, 999, 2_999 })
        {
            SyntheticGenerator.ExpectedCode(7, index).ShouldBe(first[index]);
        }
    }
}
