using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Onshi.Core.Data;
using Onshi.Core.Features.Secrets;

namespace Onshi.Core.Features.Certificates;

/// <summary>What <see cref="CertificateRevocationListWriter.WriteAsync"/> wrote.</summary>
/// <param name="Path">The CRL file.</param>
/// <param name="CrlNumber">Its CRL number.</param>
/// <param name="Entries">Revoked certificates listed.</param>
/// <param name="ThisUpdate">Its thisUpdate.</param>
/// <param name="NextUpdate">Its nextUpdate.</param>
public sealed record CrlWritten(string Path, BigInteger CrlNumber, int Entries, DateTimeOffset ThisUpdate, DateTimeOffset NextUpdate);

/// <summary>
/// Writes our CA's certificate revocation list for a TLS proxy (nginx <c>ssl_crl</c>): every revoked terminal certificate in
/// the database, signed by the CA key. The database stays the authority: the OQS reads revocation on every request, the CRL
/// only lets the proxy refuse a revoked certificate in the handshake as well. Scoped.
/// </summary>
public sealed class CertificateRevocationListWriter(OnshiDbContext db, CertificateAuthority authority, TimeProvider time)
{
    /// <summary>Default validity of a CRL (its nextUpdate): a proxy refuses every certificate once the CRL it holds has expired.</summary>
    public static readonly TimeSpan DefaultValidity = TimeSpan.FromDays(7);

    /// <summary>
    /// Writes the CRL in PEM to <paramref name="path"/> atomically (a temporary file in the same directory, then a rename),
    /// mode 0644. Its CRL number is the current Unix time in milliseconds, or one more than the number of the CRL already at
    /// <paramref name="path"/> if that is not smaller, so it increases from one CRL to the next even if the clock steps back.
    /// </summary>
    public async Task<CrlWritten> WriteAsync(string path, TimeSpan validity, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(validity, TimeSpan.Zero);
        path = System.IO.Path.GetFullPath(path);

        var revoked = await db.TerminalCertificates.AsNoTracking()
            .Where(c => c.RevokedAt != null)
            .OrderBy(c => c.Id)
            .Select(c => new { c.SerialNumber, c.RevokedAt })
            .ToListAsync(cancellationToken);

        DateTimeOffset now = time.GetUtcNow();
        BigInteger number = new(now.ToUnixTimeMilliseconds());
        if (PreviousNumber(path) is { } previous && previous >= number)
        {
            number = previous + 1;
        }

        byte[] der = authority.BuildCrl(
            revoked.Select(r => (Convert.FromHexString(r.SerialNumber), new DateTimeOffset(DateTime.SpecifyKind(r.RevokedAt!.Value, DateTimeKind.Utc)))),
            number, now, now + validity);
        string pem = new(PemEncoding.Write("X509 CRL", der));
        SecretFiles.WriteAtomically(path, Encoding.ASCII.GetBytes(PemText.ForFile(pem)), secret: false);
        return new CrlWritten(path, number, revoked.Count, now, now + validity);
    }

    /// <summary>The CRL number of the CRL at <paramref name="path"/>, or null when there is none (or it cannot be read).</summary>
    private static BigInteger? PreviousNumber(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            CertificateRevocationListBuilder.LoadPem(File.ReadAllText(path), out BigInteger number);
            return number;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
