using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Onshi.Core.Features.Applications;

namespace Onshi.Portal.Pages.OnlineEligibility.Certificates;

/// <summary>What the one-time result screen needs; lives only inside a protected, session-bound, short-lived token.</summary>
public sealed record CertificateDownloadTicket(long SessionId, long UserId, long ApplicationId, string FileName, string Pkcs12Base64, string Passphrase)
{
    /// <summary>Prints neither the file nor the passphrase.</summary>
    public override string ToString() => $"{nameof(CertificateDownloadTicket)} {{ FileName = {FileName} }}";
}

/// <summary>
/// Carries the PKCS#12 file and its passphrase, taken from the database by the one download, from the POST to the result
/// screen (shown once) and to its 「証明書ファイルを保存」 button, without storing them anywhere: the value is encrypted
/// with Data Protection, bound to the portal session, and expires in minutes (like the OQS's issued-password tokens).
/// </summary>
public sealed class CertificateDownloadTokens(IDataProtectionProvider provider, TimeProvider time)
{
    /// <summary>How long the result screen can still save the file.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly ITimeLimitedDataProtector protector =
        provider.CreateProtector("Onshi.Portal.CertificateDownload.v1").ToTimeLimitedDataProtector();

    public string Protect(long sessionId, long userId, long applicationId, CertificateDownload download)
    {
        ArgumentNullException.ThrowIfNull(download);
        var ticket = new CertificateDownloadTicket(sessionId, userId, applicationId, download.FileName, Convert.ToBase64String(download.Pkcs12), download.Passphrase);
        return protector.Protect(JsonSerializer.Serialize(ticket), time.GetUtcNow() + Lifetime);
    }

    /// <summary>The ticket, if the token is authentic, unexpired, and belongs to this session and user.</summary>
    public CertificateDownloadTicket? Unprotect(string? token, long sessionId, long userId)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 64 * 1024)
        {
            return null;
        }

        try
        {
            var ticket = JsonSerializer.Deserialize<CertificateDownloadTicket>(protector.Unprotect(token, out var expiration));
            return ticket is not null && expiration > time.GetUtcNow() && ticket.SessionId == sessionId && ticket.UserId == userId ? ticket : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
