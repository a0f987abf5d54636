using Microsoft.Extensions.Logging;

namespace Onshi.Core.Features.Certificates;

/// <summary>Source-generated log messages of the certificate feature (event ids 4100–4199). Ids and serials only, never key material.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Terminal certificate {SerialNumber} issued to institution {InstitutionId}, terminal {TerminalName}, by {IssuedBy}")]
    public static partial void TerminalCertificateIssued(ILogger logger, string serialNumber, long institutionId, string terminalName, string issuedBy);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "Terminal certificate {SerialNumber} renewed; previous {PreviousSerialNumber} stays valid until it expires")]
    public static partial void TerminalCertificateRenewed(ILogger logger, string serialNumber, string previousSerialNumber);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Information, Message = "Terminal certificate {SerialNumber} revoked by {RevokedBy}")]
    public static partial void TerminalCertificateRevoked(ILogger logger, string serialNumber, string revokedBy);

    [LoggerMessage(EventId = 4110, Level = LogLevel.Warning, Message = "Client certificate rejected: {Status}, thumbprint {Thumbprint}")]
    public static partial void CertificateRejected(ILogger logger, CertificateCheckStatus status, string thumbprint);
}
