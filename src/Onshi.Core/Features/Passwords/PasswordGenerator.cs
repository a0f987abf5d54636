using System.Security.Cryptography;

using Microsoft.Extensions.Options;

namespace Onshi.Core.Features.Passwords;

/// <summary>
/// Makes the temporary passwords shown at registration and パスワード初期化 (SPEC §5): cryptographically
/// random, at least one upper-case letter, lower-case letter, digit and symbol, the rest uniform over all
/// allowed characters. Characters that are easy to misread on screen or paper (0 O o 1 l I |, quotes,
/// backslash, space) are never used, and symbols are ones easy to type on a Japanese keyboard.
/// Every result passes <see cref="PasswordPolicy.Validate"/>.
/// </summary>
public sealed class PasswordGenerator
{
    internal const string Upper = "ABCDEFGHJKLMNPQRSTUVWXYZ";
    internal const string Lower = "abcdefghijkmnpqrstuvwxyz";
    internal const string Digits = "23456789";
    internal const string Symbols = "@-$#%&*+=!?";
    internal const string All = Upper + Lower + Digits + Symbols;

    private const int MaxAttempts = 1000;

    private readonly PasswordOptions _options;
    private readonly PasswordPolicy _policy;

    public PasswordGenerator(IOptions<PasswordOptions> options, PasswordPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(policy);
        _options = options.Value;
        _policy = policy;
    }

    /// <summary>Generates a temporary password of <paramref name="length"/> characters (default <see cref="PasswordOptions.GeneratedLength"/>).</summary>
    public string Generate(int? length = null) => GenerateCore(userId: null, length);

    /// <summary>
    /// Generates a temporary password for the account <paramref name="userId"/>: as <see cref="Generate(int?)"/>,
    /// drawn again in the rare case that the random characters happen to contain the user ID.
    /// </summary>
    public string Generate(string userId, int? length = null)
    {
        ArgumentNullException.ThrowIfNull(userId);
        return GenerateCore(userId, length);
    }

    /// <summary>
    /// Generates the secret of a 連携アプリ用 / Web API用 account (SPEC §12): as <see cref="Generate(string, int?)"/>, of
    /// <see cref="PasswordOptions.MachineSecretLength"/> characters (at least 13, so it is exempt from expiry).
    /// </summary>
    public string GenerateMachineSecret(string userId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        return GenerateCore(userId, Math.Max(_options.MachineSecretLength, PasswordOptionsValidator.MinMachineSecretLength));
    }

    private string GenerateCore(string? userId, int? length)
    {
        int size = length ?? _options.GeneratedLength;
        ArgumentOutOfRangeException.ThrowIfLessThan(size, Math.Max(4, _options.MinLength), nameof(length));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, _options.MaxLength, nameof(length));

        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            string candidate = Draw(size);
            if (_policy.Validate(userId, candidate).Count == 0)
            {
                return candidate;
            }
        }

        // Unreachable in practice: a draw fails the policy far less than once in a thousand.
        throw new InvalidOperationException("Could not generate a password that satisfies the policy.");
    }

    private static string Draw(int size)
    {
        char[] chars = new char[size];
        chars[0] = Pick(Upper);
        chars[1] = Pick(Lower);
        chars[2] = Pick(Digits);
        chars[3] = Pick(Symbols);
        for (int i = 4; i < size; i++)
        {
            chars[i] = Pick(All);
        }

        // Fisher–Yates, so the guaranteed classes are not at fixed positions.
        for (int i = size - 1; i > 0; i--)
        {
            int j = RandomNumberGenerator.GetInt32(i + 1);
            (chars[i], chars[j]) = (chars[j], chars[i]);
        }

        string result = new(chars);
        Array.Clear(chars);
        return result;
    }

    private static char Pick(string alphabet) => alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
}
