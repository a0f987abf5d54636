using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Onshi.Core.Data;
using Onshi.Core.Features.Accounts;

namespace Onshi.Oqs.Hosting;

/// <summary>Why a temporary password (or a machine account's secret) was issued.</summary>
public enum IssueReason
{
    Initialized = 1,
    Registered = 2,

    /// <summary>シークレットの更新（ローテーション）of a 連携アプリ用 / Web API用 account.</summary>
    Rotated = 3,
}

/// <summary>
/// What the result screen and its PDF need; lives only inside a protected, session-bound, short-lived token.
/// <paramref name="ExpiresAt"/> is null for a secret that does not expire; <paramref name="PreviousValidUntil"/> is set after a rotation.
/// </summary>
public sealed record IssuedPasswordTicket(string SessionKey, long AccountId, string UserId, string DisplayName, AccountKind Kind,
    string Password, DateTime? ExpiresAt, DateTime IssuedAt, IssueReason Reason, DateTime? PreviousValidUntil = null)
{
    /// <summary>A 連携アプリ用 / Web API用 account's secret (SPEC §12): the screens call it シークレット.</summary>
    public bool IsMachineSecret => AccountKinds.IsMachine(Kind);

    /// <summary>What the result completes: 「アカウント登録」, 「パスワード初期化」 or 「シークレットの更新」.</summary>
    public string Operation => Reason switch
    {
        IssueReason.Registered => "アカウント登録",
        IssueReason.Rotated => "シークレットの更新",
        _ => "パスワード初期化",
    };

    /// <summary>Redacts the password so a record printed by mistake reveals nothing.</summary>
    public override string ToString() => $"{nameof(IssuedPasswordTicket)} {{ UserId = {UserId}, Reason = {Reason} }}";
}

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
            issued.Password, issued.ExpiresAt, now.UtcDateTime, reason, issued.PreviousValidUntil);
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
