using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Onshi.Core.Features.Certificates;

/// <summary>
/// A freshly issued terminal certificate with its secrets, handed out exactly once (SPEC §8: the PKCS#12 file is
/// downloadable once, the passphrase shown once). Only <see cref="CertificatePem"/> is ever stored.
/// </summary>
/// <remarks>
/// <see cref="ToString"/> deliberately prints only the serial number and thumbprint, so that logging the record by
/// accident cannot leak <see cref="Passphrase"/>, <see cref="PrivateKeyPem"/> or <see cref="Pkcs12"/>.
/// </remarks>
public sealed record IssuedTerminalCertificate : IDisposable
{
    /// <summary>The certificate, public part only.</summary>
    public required X509Certificate2 Certificate { get; init; }

    /// <summary>Certificate and private key as PKCS#12 (PBES2, AES-256-CBC, HMAC-SHA256), protected by <see cref="Passphrase"/>.</summary>
#pragma warning disable CA1819 // The bytes are the file the user downloads; a copy per access would only add garbage.
    public required byte[] Pkcs12 { get; init; }
#pragma warning restore CA1819

    /// <summary>The generated PKCS#12 passphrase: 16 characters from an alphabet without look-alike characters.</summary>
    public required string Passphrase { get; init; }

    /// <summary>The certificate in PEM.</summary>
    public required string CertificatePem { get; init; }

    /// <summary>The private key, unencrypted PKCS#8 PEM (for curl, Playwright and the demo). Never store or log it.</summary>
    public required string PrivateKeyPem { get; init; }

    /// <summary>Serial number, upper-case hex.</summary>
    public required string SerialNumber { get; init; }

    /// <summary>SHA-256 thumbprint, upper-case hex.</summary>
    public required string Thumbprint { get; init; }

    /// <inheritdoc />
    public void Dispose() => Certificate.Dispose();

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("SerialNumber = ").Append(SerialNumber).Append(", Thumbprint = ").Append(Thumbprint);
        return true;
    }
}
