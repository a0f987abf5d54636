using Onshi.Core.Data;

namespace Onshi.Core.Features.Certificates;

/// <summary>The outcome of checking a presented client certificate against the CA and the system of record.</summary>
public enum CertificateCheckStatus
{
    /// <summary>Valid, known and not revoked: the request may proceed.</summary>
    Valid = 0,

    /// <summary>No certificate was presented.</summary>
    Missing,

    /// <summary>Not a certificate of our CA.</summary>
    Untrusted,

    /// <summary>Past its expiry.</summary>
    Expired,

    /// <summary>Before its validity period.</summary>
    NotYetValid,

    /// <summary>Not a client-authentication certificate.</summary>
    WrongUsage,

    /// <summary>Signed by our CA but not recorded in the database: treated as untrusted.</summary>
    Unknown,

    /// <summary>Recorded and revoked (失効).</summary>
    Revoked,
}

/// <summary>The result of <see cref="TerminalCertificateService.CheckAsync"/>.</summary>
/// <param name="Status">What was found.</param>
/// <param name="Certificate">The database row, when the certificate is known (also for <see cref="CertificateCheckStatus.Revoked"/>).</param>
/// <param name="Institution">The institution the certificate belongs to, when known.</param>
public sealed record CertificateCheck(CertificateCheckStatus Status, TerminalCertificate? Certificate = null, Institution? Institution = null)
{
    /// <summary>True when the request may proceed.</summary>
    public bool IsValid => Status == CertificateCheckStatus.Valid;

    internal static CertificateCheck From(CertificateValidationStatus status) => new(status switch
    {
        CertificateValidationStatus.Valid => CertificateCheckStatus.Valid,
        CertificateValidationStatus.Missing => CertificateCheckStatus.Missing,
        CertificateValidationStatus.Untrusted => CertificateCheckStatus.Untrusted,
        CertificateValidationStatus.Expired => CertificateCheckStatus.Expired,
        CertificateValidationStatus.NotYetValid => CertificateCheckStatus.NotYetValid,
        CertificateValidationStatus.WrongUsage => CertificateCheckStatus.WrongUsage,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    });
}
