using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Onshi.Web.Hosting;

/// <summary>
/// The TLS every site offers (docs/security.md "TLS"): TLS 1.2 with ECDHE and an AEAD cipher only (AES-GCM,
/// ChaCha20-Poly1305: forward secrecy, no CBC), TLS 1.3's own suites unchanged; and a site that asks for client
/// certificates (the OQS) names our CA as the one acceptable issuer in its CertificateRequest, so a terminal's browser
/// offers only this system's 認証用の証明書 (seed P2), not every certificate it holds.
/// </summary>
public static class TlsPolicy
{
    /// <summary>The suites offered: TLS 1.3's three, then TLS 1.2's ECDHE + AEAD ones (ECDSA first: our server keys are ECDSA).</summary>
    public static IReadOnlyList<TlsCipherSuite> CipherSuites { get; } =
    [
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ];

    /// <summary>
    /// Applies the policy to a site's HTTPS options, after the site set its own (<see cref="HttpsConnectionAdapterOptions.ClientCertificateMode"/>):
    /// one certificate context built once, carrying our CA as the trust sent in the handshake when the site asks for
    /// client certificates, and the cipher suites (where the platform lets us choose them: Linux, the deployment target).
    /// </summary>
    public static void Apply(HttpsConnectionAdapterOptions https, X509Certificate2 serverCertificate, X509Certificate2 caCertificate)
    {
        ArgumentNullException.ThrowIfNull(https);
        ArgumentNullException.ThrowIfNull(serverCertificate);
        ArgumentNullException.ThrowIfNull(caCertificate);
        var trust = https.ClientCertificateMode == ClientCertificateMode.NoCertificate ? null
            : SslCertificateTrust.CreateForX509Collection([caCertificate], sendTrustInHandshake: true);
        var context = SslStreamCertificateContext.Create(serverCertificate, [caCertificate], offline: true, trust);
        var suites = OperatingSystem.IsLinux() ? new CipherSuitesPolicy(CipherSuites) : null;
        var siteOwn = https.OnAuthenticate;
        https.OnAuthenticate = (connection, ssl) =>
        {
            siteOwn?.Invoke(connection, ssl);
            ssl.ServerCertificate = null;
            ssl.ServerCertificateContext = context;
            if (OperatingSystem.IsLinux() && suites is not null)
            {
                ssl.CipherSuitesPolicy = suites;
            }
        };
    }
}
