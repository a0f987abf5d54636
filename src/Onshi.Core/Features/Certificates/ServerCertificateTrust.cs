using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Onshi.Core.Features.Certificates;

/// <summary>
/// How a client of ours (the 連携アプリ, the checks and tools) trusts an Onshi server: its certificate must name the host asked
/// for and chain to our CA alone — never to the system's roots. The one callback for every such client.
/// </summary>
public static class ServerCertificateTrust
{
    /// <summary>A <see cref="RemoteCertificateValidationCallback"/> body: true when <paramref name="certificate"/> is our CA's for this host.</summary>
    public static bool IsTrusted(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2 ca)
    {
        ArgumentNullException.ThrowIfNull(ca);
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(leaf);
    }
}
