using System.Buffers;

using Onshi.Core.Features.Passwords;

using Shouldly;

using Xunit;

namespace Onshi.UnitTests.Features.Passwords;

public sealed class PasswordGeneratorTests
{
    private const int Runs = 10_000;

    // Misread on screen or paper (0/O/o, 1/l/I/|), or awkward to read out and type (quotes, backslash, space).
    private static readonly SearchValues<char> Ambiguous = SearchValues.Create("0Oo1lI|'\"`\\ ");

    private readonly PasswordGenerator _generator = PasswordTestOptions.Generator();
    private readonly PasswordPolicy _policy = PasswordTestOptions.Policy();

    [Fact]
    public void Generate_Default_EightCharacters()
    {
        _generator.Generate().Length.ShouldBe(8);
    }

    [Fact]
    public void GenerateMachineSecret_Default_TwentyCharacters_PassesPolicy_NeverExpires()
    {
        for (int i = 0; i < 200; i++)
        {
            string secret = _generator.GenerateMachineSecret("RECEAPP1");
            secret.Length.ShouldBe(20);
            _policy.Validate("RECEAPP1", secret).ShouldBeEmpty();
            _policy.ComputeExpiry(secret, DateTime.UtcNow).ShouldBeNull();
        }
    }

    [Fact]
    public void GenerateMachineSecret_ConfiguredLength_ThatLength()
    {
        PasswordTestOptions.Generator(o => o.MachineSecretLength = 32).GenerateMachineSecret("RECEAPP1").Length.ShouldBe(32);
    }

    [Theory]
    [InlineData(12)]
    [InlineData(64)]
    public void Generate_ExplicitLength_ThatLength(int length)
    {
        _generator.Generate(length).Length.ShouldBe(length);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(129)]
    public void Generate_LengthOutsidePolicy_Throws(int length)
    {
        Should.Throw<ArgumentOutOfRangeException>(() => _generator.Generate(length));
    }

    [Fact]
    public void Generate_TenThousandTimes_AllFourClassesInEach()
    {
        for (int i = 0; i < Runs; i++)
        {
            string password = _generator.Generate();
            password.ShouldContain(static c => char.IsAsciiLetterUpper(c));
            password.ShouldContain(static c => char.IsAsciiLetterLower(c));
            password.ShouldContain(static c => char.IsAsciiDigit(c));
            password.ShouldContain(static c => PasswordGenerator.Symbols.Contains(c, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Generate_TenThousandTimes_NoAmbiguousCharacters()
    {
        for (int i = 0; i < Runs; i++)
        {
            string password = _generator.Generate();
            password.AsSpan().IndexOfAny(Ambiguous).ShouldBe(-1, password);
            password.ShouldAllBe(static c => PasswordGenerator.All.Contains(c, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Generate_TenThousandTimes_AlwaysPassesPolicy()
    {
        for (int i = 0; i < Runs; i++)
        {
            string password = _generator.Generate("SAMPLE01");
            _policy.Validate("SAMPLE01", password).ShouldBeEmpty(password);
        }
    }

    [Fact]
    public void Generate_ShortUserIdMadeOfTheAlphabet_NeverContainsIt()
    {
        PasswordGenerator generator = PasswordTestOptions.Generator();
        for (int i = 0; i < 2_000; i++)
        {
            // "Ab" would be in ~1 of 300 draws if not redrawn; user IDs are 4+ characters, this is a stricter probe.
            generator.Generate("Ab").ShouldNotContain("ab", Case.Insensitive);
        }
    }

    [Fact]
    public void Generate_ManyPasswords_CharactersRoughlyUniform()
    {
        const int length = 8;
        Dictionary<char, int> counts = PasswordGenerator.All.ToDictionary(static c => c, static _ => 0);
        for (int i = 0; i < Runs; i++)
        {
            foreach (char c in _generator.Generate(length))
            {
                counts[c]++;
            }
        }

        // One character is forced from each class, the other length-4 are uniform over the union.
        double chiSquare = 0;
        foreach ((char c, int observed) in counts)
        {
            int classSize = ClassOf(c).Length;
            double expected = Runs * ((1.0 / classSize) + ((length - 4.0) / PasswordGenerator.All.Length));
            chiSquare += (observed - expected) * (observed - expected) / expected;
        }

        // 66 degrees of freedom: mean 66, standard deviation ~11.5. 200 is far beyond chance, still catches a real bias.
        chiSquare.ShouldBeLessThan(200);
    }

    [Fact]
    public void Generate_ManyPasswords_NoDuplicates()
    {
        HashSet<string> seen = [];
        for (int i = 0; i < Runs; i++)
        {
            seen.Add(_generator.Generate()).ShouldBeTrue();
        }
    }

    private static string ClassOf(char c) =>
        PasswordGenerator.Upper.Contains(c, StringComparison.Ordinal) ? PasswordGenerator.Upper
        : PasswordGenerator.Lower.Contains(c, StringComparison.Ordinal) ? PasswordGenerator.Lower
        : PasswordGenerator.Digits.Contains(c, StringComparison.Ordinal) ? PasswordGenerator.Digits
        : PasswordGenerator.Symbols;
}
