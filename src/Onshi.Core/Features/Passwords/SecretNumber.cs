using System.Globalization;
using System.Security.Cryptography;

using Onshi.Core.Common;

namespace Onshi.Core.Features.Passwords;

/// <summary>
/// The 4-digit 秘密の番号 that is the マスタアカウントリセット用アカウント's password (SPEC §3). It is hashed
/// with <see cref="Argon2idPasswordHasher.Hash"/> exactly like a password. Only 10,000 values exist, so the
/// reset account's lockout (until unlocked) is what protects it; these helpers only keep out the values
/// people try first.
/// </summary>
public static class SecretNumber
{
    /// <summary>The number of digits.</summary>
    public const int Length = 4;

    /// <summary>A random 4-digit 秘密の番号 (half-width, may start with 0) that is never trivial.</summary>
    public static string GenerateSecretNumber()
    {
        while (true)
        {
            string candidate = RandomNumberGenerator.GetInt32(10_000).ToString("D4", CultureInfo.InvariantCulture);
            if (!IsTrivial(candidate))
            {
                return candidate;
            }
        }
    }

    /// <summary>
    /// Checks a 秘密の番号 chosen by a person: exactly four half-width digits (full-width digits, a common
    /// IME mistake, are refused with a message saying so) and not trivial. An empty list means acceptable.
    /// </summary>
    public static IReadOnlyList<OnshiError> ValidateSecretNumber(string? value)
    {
        if (value is null || value.Length != Length || !value.All(char.IsAsciiDigit))
        {
            return [PasswordErrors.SecretFormat()];
        }

        return IsTrivial(value) ? [PasswordErrors.SecretTrivial()] : [];
    }

    /// <summary>
    /// True for 4 half-width digits that are one digit repeated (1111), a run up or down, wrapping past 9
    /// (1234, 7890, 4321, 0987), or a repeated pair (1212).
    /// </summary>
    internal static bool IsTrivial(string value)
    {
        if (value.Length != Length || !value.All(char.IsAsciiDigit))
        {
            return false;
        }

        int[] d = [.. value.Select(static c => c - '0')];
        bool same = d[1] == d[0] && d[2] == d[0] && d[3] == d[0];
        bool ascending = true;
        bool descending = true;
        for (int i = 1; i < Length; i++)
        {
            ascending &= d[i] == (d[i - 1] + 1) % 10;
            descending &= d[i] == (d[i - 1] + 9) % 10;
        }

        bool pairs = d[2] == d[0] && d[3] == d[1];
        return same || ascending || descending || pairs;
    }
}
