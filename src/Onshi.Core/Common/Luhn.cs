namespace Onshi.Core.Common;

/// <summary>
/// The check digit both Japanese numbering systems of this product use (SPEC §2 医療機関等コード, §11.1 保険者番号 and
/// 公費負担者番号): from the right of the digits it covers, weights 2, 1, 2, 1 …, the digits of each product summed,
/// check = (10 − sum mod 10) mod 10 — the Luhn algorithm.
/// </summary>
public static class Luhn
{
    /// <summary>The check digit for <paramref name="digits"/> (ASCII digits only, the check digit not included).</summary>
    /// <exception cref="ArgumentException"><paramref name="digits"/> is empty or holds a character other than 0–9.</exception>
    public static char CheckDigit(ReadOnlySpan<char> digits)
    {
        if (digits.IsEmpty)
        {
            throw new ArgumentException("No digits.", nameof(digits));
        }

        var sum = 0;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if (d is < 0 or > 9)
            {
                throw new ArgumentException("Only ASCII digits have a check digit.", nameof(digits));
            }

            // The rightmost covered digit stands next to the check digit, so it has weight 2.
            if ((digits.Length - 1 - i) % 2 == 0)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
        }

        return (char)('0' + (10 - sum % 10) % 10);
    }

    /// <summary>Whether the last character of <paramref name="number"/> is the check digit of the ones before it.</summary>
    public static bool IsValid(ReadOnlySpan<char> number)
    {
        if (number.Length < 2)
        {
            return false;
        }

        foreach (var c in number)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return number[^1] == CheckDigit(number[..^1]);
    }
}
