using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Onshi.Core.Features.Certificates;

/// <summary>The outcome of checking a presented client certificate against the CA, without the database.</summary>
public enum CertificateValidationStatus
{
    /// <summary>Chains to our CA, is within its validity period and is a client-authentication certificate.</summary>
    Valid = 0,

    /// <summary>No certificate was presented.</summary>
    Missing,

    /// <summary>Does not chain to our CA (another CA, self-signed, bad signature, or the CA certificate itself).</summary>
    Untrusted,

    /// <summary>Issued by our CA but past its NotAfter (or the CA itself has expired).</summary>
    Expired,

    /// <summary>Issued by our CA but before its NotBefore.</summary>
    NotYetValid,

    /// <summary>Issued by our CA but not for client authentication (e.g. the server certificate).</summary>
    WrongUsage,
}

/// <summary>
/// Pure validation of a presented client certificate: chain to our CA only, validity period, key usage.
/// Revocation is not checked here: the database is the revocation list (see <see cref="TerminalCertificateService.CheckAsync"/>).
/// </summary>
/// <remarks>
/// Every OQS request is checked, and building the chain (an ECDSA signature verification in OpenSSL) was the largest
/// single cost of a signed-in page (~1.3 ms of ~3.5 ms CPU, bench/). So a <b>Valid</b> outcome is remembered for the
/// exact certificate bytes (SHA-256) under the exact CA (SHA-256): the signature, the chain and the key usage are
/// properties of those bytes and cannot change. The one thing that can — time — is checked again on every call against
/// the remembered window (the leaf's and the CA's validity periods intersected); outside it, the full validation runs.
/// Nothing but <see cref="CertificateValidationStatus.Valid"/> is remembered, and revocation is never cached (it is the
/// caller's database read). At most <see cref="CacheCapacity"/> entries; when full, the cache starts over.
/// </remarks>
public static class CertificateValidator
{
    /// <summary>How many validated certificates are remembered (a terminal each; then the cache is emptied).</summary>
    public const int CacheCapacity = 10_000;

    private static readonly ConcurrentDictionary<(string Ca, string Leaf), (DateTime From, DateTime Until)> ValidWindows = new();
    /// <summary>The clientAuth extended key usage, 1.3.6.1.5.5.7.3.2.</summary>
    public const string ClientAuthenticationOid = "1.3.6.1.5.5.7.3.2";

    // Flags that mean "not our certificate" are everything except these, which are decided separately.
    private const X509ChainStatusFlags DecidedSeparately = X509ChainStatusFlags.NotTimeValid | X509ChainStatusFlags.NotValidForUsage;

    /// <summary>Validates <paramref name="presented"/> as a terminal certificate of the CA <paramref name="caCertificate"/> at <paramref name="nowUtc"/>.</summary>
    public static CertificateValidationStatus Validate(X509Certificate2? presented, X509Certificate2 caCertificate, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(caCertificate);
        if (presented is null)
        {
            return CertificateValidationStatus.Missing;
        }

        nowUtc = nowUtc.Kind == DateTimeKind.Local ? nowUtc.ToUniversalTime() : DateTime.SpecifyKind(nowUtc, DateTimeKind.Utc);
        var key = (Convert.ToHexString(caCertificate.GetCertHash(HashAlgorithmName.SHA256)), Convert.ToHexString(presented.GetCertHash(HashAlgorithmName.SHA256)));
        if (ValidWindows.TryGetValue(key, out var window) && nowUtc >= window.From && nowUtc <= window.Until)
        {
            return CertificateValidationStatus.Valid;
        }

        var status = ValidateUncached(presented, caCertificate, nowUtc);
        if (status == CertificateValidationStatus.Valid)
        {
            if (ValidWindows.Count >= CacheCapacity)
            {
                ValidWindows.Clear();
            }

            ValidWindows[key] = (Later(presented.NotBefore, caCertificate.NotBefore), Earlier(presented.NotAfter, caCertificate.NotAfter));
        }

        return status;
    }

    private static DateTime Later(DateTime a, DateTime b) => a.ToUniversalTime() > b.ToUniversalTime() ? a.ToUniversalTime() : b.ToUniversalTime();

    private static DateTime Earlier(DateTime a, DateTime b) => a.ToUniversalTime() < b.ToUniversalTime() ? a.ToUniversalTime() : b.ToUniversalTime();

    private static CertificateValidationStatus ValidateUncached(X509Certificate2 presented, X509Certificate2 caCertificate, DateTime nowUtc)
    {

        X509ChainStatusFlags flags = X509ChainStatusFlags.NoError;
        X509ChainStatusFlags leafFlags = X509ChainStatusFlags.NoError;
        int elementCount;
        using (X509Chain chain = new())
        {
            X509ChainPolicy policy = chain.ChainPolicy;
            policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            policy.CustomTrustStore.Add(caCertificate);
            policy.RevocationMode = X509RevocationMode.NoCheck;
            policy.DisableCertificateDownloads = true;
            policy.VerificationTime = nowUtc;
            policy.VerificationTimeIgnored = false;

            chain.Build(presented);
            elementCount = chain.ChainElements.Count;
            for (int i = 0; i < elementCount; i++)
            {
                X509ChainElement element = chain.ChainElements[i];
                foreach (X509ChainStatus status in element.ChainElementStatus)
                {
                    flags |= status.Status;
                    if (i == 0)
                    {
                        leafFlags |= status.Status;
                    }
                }

                // The chain hands out its own copies of the certificates.
                element.Certificate.Dispose();
            }

            foreach (X509ChainStatus status in chain.ChainStatus)
            {
                flags |= status.Status;
            }
        }

        // Only our CA is trusted, so a trusted chain ends at it; a chain of one is the CA certificate itself.
        if ((flags & ~DecidedSeparately) != X509ChainStatusFlags.NoError || elementCount < 2)
        {
            return CertificateValidationStatus.Untrusted;
        }

        if ((flags & X509ChainStatusFlags.NotTimeValid) != 0)
        {
            bool leafTooEarly = (leafFlags & X509ChainStatusFlags.NotTimeValid) != 0 && nowUtc < presented.NotBefore.ToUniversalTime();
            return leafTooEarly ? CertificateValidationStatus.NotYetValid : CertificateValidationStatus.Expired;
        }

        return HasClientAuthenticationUsage(presented) ? CertificateValidationStatus.Valid : CertificateValidationStatus.WrongUsage;
    }

    /// <summary>
    /// Requires an explicit clientAuth EKU (a certificate without the extension would otherwise be "valid for all
    /// uses") and, if key usage is present, digitalSignature.
    /// </summary>
    private static bool HasClientAuthenticationUsage(X509Certificate2 certificate)
    {
        bool clientAuth = false;
        foreach (X509Extension extension in certificate.Extensions)
        {
            switch (extension)
            {
                case X509EnhancedKeyUsageExtension eku:
                    foreach (System.Security.Cryptography.Oid oid in eku.EnhancedKeyUsages)
                    {
                        clientAuth |= oid.Value == ClientAuthenticationOid;
                    }

                    break;
                case X509KeyUsageExtension ku when (ku.KeyUsages & X509KeyUsageFlags.DigitalSignature) == 0:
                    return false;
            }
        }

        return clientAuth;
    }
}
