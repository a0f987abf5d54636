using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Onshi.Core.Data;

namespace Onshi.Core.Features.Login;

/// <summary>
/// A 強制ログイン question waiting for its answer: whose, with which stamp, and the newest session of the account when it
/// was asked (a newer one means the question was answered already, or the account logged in again since).
/// </summary>
public sealed record PendingForcedLogin(long AccountId, string SecurityStamp, long LastSessionId);

/// <summary>
/// The token the login page carries from the 強制ログイン question to its answer (SPEC §4.8), so that the password need
/// not be sent again: Data Protection, naming the account and its security stamp, bound to the terminal certificate that
/// asked, valid <see cref="Lifetime"/>. Its single use is enforced by <see cref="LoginService.ForceLoginAsync"/>.
/// </summary>
public sealed class ForcedLoginTokens(IDataProtectionProvider dataProtection, TimeProvider time)
{
    /// <summary>How long the question waits for its answer.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(3);

    private const int MaxTokenLength = 2048;
    private readonly IDataProtector protector = dataProtection.CreateProtector("Onshi.Oqs.ForcedLogin.v1");

    /// <summary>A token for <paramref name="account"/> asked from the certificate <paramref name="thumbprint"/> now.</summary>
    public string Protect(Account account, long lastSessionId, string thumbprint)
    {
        ArgumentNullException.ThrowIfNull(account);
        var expires = (time.GetUtcNow().UtcDateTime + Lifetime).Ticks;
        return protector.Protect(string.Create(CultureInfo.InvariantCulture,
            $"{account.Id}|{account.SecurityStamp}|{thumbprint}|{lastSessionId}|{expires}"));
    }

    /// <summary>The question behind <paramref name="token"/>, if authentic, unexpired at <paramref name="nowUtc"/> and of this certificate; else null.</summary>
    public PendingForcedLogin? Read(string? token, string thumbprint, DateTime nowUtc)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength)
        {
            return null;
        }

        string payload;
        try
        {
            payload = protector.Unprotect(token);
        }
        catch (CryptographicException)
        {
            return null;
        }
        catch (FormatException)
        {
            return null;
        }

        return payload.Split('|') is [var id, var stamp, var cert, var last, var expires]
            && long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var accountId)
            && long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var lastSessionId)
            && long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var expiresTicks)
            && nowUtc.Ticks < expiresTicks
            && string.Equals(cert, thumbprint, StringComparison.Ordinal)
            ? new PendingForcedLogin(accountId, stamp, lastSessionId)
            : null;
    }
}
