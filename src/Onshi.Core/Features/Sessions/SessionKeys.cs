using System.Security.Cryptography;
using System.Text;

namespace Onshi.Core.Features.Sessions;

/// <summary>
/// Session keys: 32 random bytes, base64url, held only by the cookie. The database keeps <see cref="Hash"/> of the key
/// (SHA-256, lower-case hex) and looks sessions up by it, so a copy of the database or a backup does not hold a key that
/// opens a session. A plain hash is enough here: the key is 256 bits of CSPRNG output, so there is nothing to guess
/// from the hash and no dictionary to try (a slow or salted hash protects low-entropy secrets such as passwords).
/// </summary>
public static class SessionKeys
{
    /// <summary>The longest key a cookie may present; anything longer is refused before hashing.</summary>
    public const int MaxLength = 64;

    /// <summary>A new random key (43 base64url characters).</summary>
    public static string NewKey() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>What the database stores for <paramref name="key"/>: SHA-256 of its UTF-8 bytes, 64 lower-case hex digits.</summary>
    public static string Hash(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }

    /// <summary>Whether a cookie's value can be a key at all (present and not over-long).</summary>
    public static bool IsPlausible(string? key) => !string.IsNullOrEmpty(key) && key.Length <= MaxLength;
}
