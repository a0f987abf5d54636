using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Onshi.IntegrationTests.Oqs;

namespace Onshi.IntegrationTests.Infrastructure;

/// <summary>HTTP clients for the tests: trusting only our CA, keeping cookies, optionally presenting a terminal certificate.</summary>
public static class TestTls
{
    /// <summary>A handler that trusts exactly <paramref name="ca"/> and follows no redirect itself.</summary>
    public static SocketsHttpHandler Handler(X509Certificate2 ca, X509Certificate2? clientCertificate = null, CookieContainer? cookies = null) => new()
    {
        CookieContainer = cookies ?? new CookieContainer(),
        UseCookies = true,
        AllowAutoRedirect = false,
        SslOptions = new SslClientAuthenticationOptions
        {
            ClientCertificates = clientCertificate is null ? null : new X509CertificateCollection { clientCertificate },
            LocalCertificateSelectionCallback = clientCertificate is null ? null : (_, _, _, _, _) => clientCertificate,
            // Our CA only; the name is not checked here, because the tests forge Host names on purpose (the product's clients check it).
            RemoteCertificateValidationCallback = (_, cert, _, errors) =>
                Onshi.Core.Features.Certificates.ServerCertificateTrust.IsTrusted(cert, errors & ~SslPolicyErrors.RemoteCertificateNameMismatch, ca),
        },
    };

    /// <summary>A browser-like client of the site at <paramref name="baseAddress"/>, keeping its cookies in <paramref name="cookies"/> (a new jar if null).</summary>
    public static OqsClient Client(Uri baseAddress, X509Certificate2 ca, X509Certificate2? clientCertificate = null, CookieContainer? cookies = null) =>
        new(new HttpClient(Handler(ca, clientCertificate, cookies)) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) });
}
