using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Onshi.Core.Data;
using Onshi.Core.Features.Accounts;

namespace Onshi.Oqs.Hosting;

/// <summary>Why a temporary password was issued.</summary>
public enum IssueReason
{
    Initialized = 1,
    Registered = 2,
}

/// <summary>What the result screen and its PDF need; lives only inside a protected, session-bound, short-lived token.</summary>
public sealed record IssuedPasswordTicket(string SessionKey, long AccountId, string UserId, string DisplayName, AccountKind Kind,
    string Password, DateTime ExpiresAt, DateTime IssuedAt, IssueReason Reason);

/// <summary>
/// Carries a just-issued temporary password from the action to the result screen and to 「ダウンロード」 without
/// storing it anywhere: the value is encrypted with Data Protection, bound to the session, and expires in minutes.
/// </summary>
public sealed class IssuedPasswordTokens(IDataProtectionProvider provider, TimeProvider time)
{
    /// <summary>How long the result screen can still download the PDF.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly ITimeLimitedDataProtector protector =
        provider.CreateProtector("Onshi.Oqs.IssuedPassword.v1").ToTimeLimitedDataProtector();

    public string Protect(string sessionKey, IssuedPassword issued, IssueReason reason)
    {
        ArgumentNullException.ThrowIfNull(issued);
        var now = time.GetUtcNow();
        var ticket = new IssuedPasswordTicket(sessionKey, issued.AccountId, issued.UserId, issued.DisplayName, issued.Kind,
            issued.Password, issued.ExpiresAt, now.UtcDateTime, reason);
        return protector.Protect(JsonSerializer.Serialize(ticket), now + Lifetime);
    }

    /// <summary>The ticket, if the token is authentic, unexpired, and belongs to <paramref name="sessionKey"/>.</summary>
    public IssuedPasswordTicket? Unprotect(string? token, string sessionKey)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 4096)
        {
            return null;
        }

        try
        {
            var ticket = JsonSerializer.Deserialize<IssuedPasswordTicket>(protector.Unprotect(token, out var expiration));
            return ticket is not null && expiration > time.GetUtcNow()
                && string.Equals(ticket.SessionKey, sessionKey, StringComparison.Ordinal) ? ticket : null;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
