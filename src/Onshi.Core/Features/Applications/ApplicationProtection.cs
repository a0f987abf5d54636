using Microsoft.AspNetCore.DataProtection;

namespace Onshi.Core.Features.Applications;

/// <summary>
/// Data Protection for what the applications keep for a later download: the portal documents (a ユーザ設定情報 PDF
/// holds the master's initial password) and an issued certificate's PKCS#12 and passphrase. Every site that reads or
/// writes them must share one key ring and application name (the hosts set <c>SetApplicationName("Onshi")</c> and the
/// data directory's <c>keys/</c>).
/// </summary>
public sealed class ApplicationProtection(IDataProtectionProvider provider)
{
    /// <summary>The purpose of the portal documents' protector.</summary>
    public const string DocumentsPurpose = "Onshi.PortalDocuments.v1";

    /// <summary>The purpose of the certificate applications' protector.</summary>
    public const string CertificatesPurpose = "Onshi.CertificateApplications.v1";

    private readonly IDataProtector documents = provider.CreateProtector(DocumentsPurpose);
    private readonly IDataProtector certificates = provider.CreateProtector(CertificatesPurpose);

    public byte[] ProtectDocument(byte[] content) => documents.Protect(content);

    public byte[] UnprotectDocument(byte[] content) => documents.Unprotect(content);

    public byte[] ProtectPkcs12(byte[] pkcs12) => certificates.Protect(pkcs12);

    public byte[] UnprotectPkcs12(byte[] protectedPkcs12) => certificates.Unprotect(protectedPkcs12);

    public string ProtectPassphrase(string passphrase) => certificates.Protect(passphrase);

    public string UnprotectPassphrase(string protectedPassphrase) => certificates.Unprotect(protectedPassphrase);
}
