using System.Globalization;
using System.Net;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Onshi.Core.Features.Secrets;

namespace Onshi.Core.Features.Certificates;

/// <summary>
/// The system's own certificate authority: it signs the OQS server certificate and the terminal certificates
/// (認証用の証明書), and its certificate is the only trust anchor of the OQS endpoint.
/// </summary>
/// <remarks>
/// A concrete class rather than an interface: there is one CA implementation and the tests use it on a temporary
/// directory. Key storage is isolated in <see cref="LoadKey"/> / <see cref="SaveKey"/>: the key is stored as encrypted
/// PKCS#8 (PBES2, AES-256-CBC, PBKDF2-SHA256) under a password derived from the <see cref="MasterKey"/>, and a plain key
/// an older version wrote is rewritten encrypted on load. Thread-safe; register it as a singleton.
/// Never logs, and never puts key material or passphrases into exception messages.
/// </remarks>
public sealed class CertificateAuthority : IDisposable
{
    /// <summary>Validity of the CA certificate.</summary>
    public const int CaValidityYears = 20;

    /// <summary>Validity of the server certificate (the CA/Browser Forum maximum).</summary>
    public const int ServerValidityDays = 397;

    /// <summary>A stored server certificate closer than this to expiry is replaced.</summary>
    public const int ServerRenewBeforeDays = 30;

    /// <summary>Validity of a terminal certificate: 3年3か月 (SPEC §8).</summary>
    public const int TerminalValidityMonths = 39;

    /// <summary>Certificates are back-dated this much so a slightly slow clock elsewhere still accepts them.</summary>
    public static readonly TimeSpan ClockSkewAllowance = TimeSpan.FromMinutes(5);

    internal const string CaSubjectCommonName = "Onshi オンライン資格確認等システム 認証局";

    /// <summary>Names the server certificate always carries, so local access and tests work.</summary>
    internal static readonly string[] DefaultServerNames = ["localhost", "127.0.0.1", "::1"];

    // The passphrase alphabet leaves out look-alikes (0/O/o, 1/I/l) because a person types it from the screen.
    private const string PassphraseAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    private const int PassphraseLength = 16;

    private static readonly Oid ServerAuthOid = new("1.3.6.1.5.5.7.3.1", "Server Authentication");
    private static readonly Oid ClientAuthOid = new("1.3.6.1.5.5.7.3.2", "Client Authentication");

    private const string KeyIdHeader = "Onshi-Master-Key-Id: ";
    private const string CaKeyPurpose = "ca-private-key";
    private const string ServerPfxPurpose = "tls-server-pfx";

    private readonly ECDsa _key;
    private readonly TimeProvider _time;
    private readonly string _serverPfxPassword;
    private readonly string _serverPfxPath;
    private readonly byte[] _subjectKeyIdentifier;

    // .NET does not promise that one ECDsa instance may sign on several threads at once, and issuing is rare.
    private readonly Lock _signLock = new();

    private CertificateAuthority(X509Certificate2 certificate, ECDsa key, string certificatePath, string dataDirectory, TimeProvider time, MasterKey masterKey)
    {
        _serverPfxPassword = ServerPfxPassword(masterKey);
        Certificate = certificate;
        CertificatePath = certificatePath;
        _key = key;
        _time = time;
        _serverPfxPath = Path.Combine(dataDirectory, "tls", "server.pfx");
        _subjectKeyIdentifier = Convert.FromHexString(
            certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifier!);
    }

    /// <summary>The CA certificate, public part only.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Full path of the CA certificate in PEM (<c>DIR/ca/ca.crt</c>); what clients add to their trust store.</summary>
    public string CertificatePath { get; }

    /// <summary>
    /// Loads the CA from <c>DIR/ca/ca.crt</c> and <c>DIR/ca/ca.key</c>, or creates it there on first start.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// Only one of the two files exists, or the key does not belong to the certificate. The CA is never silently
    /// re-created: that would orphan every certificate already issued.
    /// </exception>
    public static CertificateAuthority LoadOrCreate(string dataDirectory, TimeProvider time) =>
        LoadOrCreate(dataDirectory, time, MasterKey.Resolve(dataDirectory));

    /// <summary>
    /// Loads the CA from <c>DIR/ca/ca.crt</c> and <c>DIR/ca/ca.key</c> (decrypting the key with <paramref name="masterKey"/>,
    /// encrypting it first if an older version left it plain), or creates it there on first start.
    /// </summary>
    /// <exception cref="OnshiStartupException">The key was encrypted with another master key, or cannot be decrypted.</exception>
    /// <exception cref="InvalidOperationException">
    /// Only one of the two files exists, or the key does not belong to the certificate. The CA is never silently
    /// re-created: that would orphan every certificate already issued.
    /// </exception>
    public static CertificateAuthority LoadOrCreate(string dataDirectory, TimeProvider time, MasterKey masterKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(masterKey);

        string fullDirectory = Path.GetFullPath(dataDirectory);
        string caDirectory = Path.Combine(fullDirectory, "ca");
        string certPath = Path.Combine(caDirectory, "ca.crt");
        string keyPath = Path.Combine(caDirectory, "ca.key");

        bool certExists = File.Exists(certPath);
        bool keyExists = File.Exists(keyPath);
        if (certExists != keyExists)
        {
            throw new OnshiStartupException(
                $"認証局 (CA) のファイルが揃っていません ({caDirectory})。バックアップから両方を復元してください。 / The CA in '{caDirectory}' is incomplete (certificate {(certExists ? "present" : "missing")}, key {(keyExists ? "present" : "missing")}). " +
                "Restore both files from backup; the CA is not re-created automatically.");
        }

        if (!certExists)
        {
            Create(caDirectory, certPath, keyPath, time, masterKey);
        }

        X509Certificate2 certificate = X509Certificate2.CreateFromPem(File.ReadAllText(certPath));
        ECDsa key;
        try
        {
            key = LoadKey(keyPath, masterKey);
        }
        catch
        {
            certificate.Dispose();
            throw;
        }

        try
        {
            using ECDsa? publicKey = certificate.GetECDsaPublicKey();
            if (publicKey is null
                || !publicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
            {
                throw new OnshiStartupException(
                    $"認証局 (CA) の鍵が証明書と一致しません ({caDirectory})。 / The CA key in '{caDirectory}' does not belong to the CA certificate.");
            }

            return new CertificateAuthority(certificate, key, certPath, fullDirectory, time, masterKey);
        }
        catch
        {
            key.Dispose();
            certificate.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Returns the OQS server certificate with its private key, ready for Kestrel or <see cref="System.Net.Security.SslStream"/>.
    /// The one stored in <c>DIR/tls/server.pfx</c> is reused unless it expires within 30 days, lacks one of
    /// <paramref name="hostNames"/>, or was signed by another CA; then a new one is issued and stored.
    /// <c>localhost</c>, <c>127.0.0.1</c> and <c>::1</c> are always included.
    /// </summary>
    /// <returns>A new instance each call; the caller owns (and may dispose) it.</returns>
    public X509Certificate2 GetOrIssueServerCertificate(IEnumerable<string> hostNames)
    {
        List<string> names = ServerNames(hostNames);
        lock (_signLock)
        {
            DateTimeOffset now = _time.GetUtcNow();
            if (File.Exists(_serverPfxPath))
            {
                X509Certificate2? existing = null;
                try
                {
                    existing = X509CertificateLoader.LoadPkcs12FromFile(_serverPfxPath, _serverPfxPassword);
                }
                catch (CryptographicException)
                {
                    // A plain PKCS#12 an older version wrote, or one under another master key: issue a new one.
                }

                if (existing is not null && IsReusableServerCertificate(existing, names, now))
                {
                    return existing;
                }

                existing?.Dispose();
            }

            byte[] pfx = CreateServerPfx(names, now);
            SecretFiles.WriteAtomically(_serverPfxPath, pfx, secret: true);
            return X509CertificateLoader.LoadPkcs12(pfx, _serverPfxPassword);
        }
    }

    /// <summary>
    /// Issues a server certificate for <paramref name="hostNames"/> (plus <c>localhost</c>, <c>127.0.0.1</c>, <c>::1</c>), exactly
    /// like the one <see cref="GetOrIssueServerCertificate"/> stores, but stores nothing: for a TLS proxy in front of the
    /// instances (<c>onshi cert server</c>). ECDSA P-256, EKU serverAuth, 397 days.
    /// </summary>
    /// <returns>The certificate with its (exportable) private key; the caller owns it.</returns>
    public X509Certificate2 IssueServerCertificate(IEnumerable<string> hostNames)
    {
        List<string> names = ServerNames(hostNames);
        byte[] pfx;
        lock (_signLock)
        {
            pfx = CreateServerPfx(names, _time.GetUtcNow());
        }

        return X509CertificateLoader.LoadPkcs12(pfx, _serverPfxPassword, X509KeyStorageFlags.Exportable);
    }

    /// <summary>
    /// A certificate revocation list (X.509 v2 CRL, DER) signed by this CA: one entry per serial (big-endian bytes, as in the
    /// certificate) with its revocation time, the CRL number, thisUpdate and nextUpdate, and the CA's authority key identifier.
    /// </summary>
    public byte[] BuildCrl(IEnumerable<(byte[] Serial, DateTimeOffset RevokedAt)> revoked, BigInteger crlNumber, DateTimeOffset thisUpdate,
        DateTimeOffset nextUpdate)
    {
        ArgumentNullException.ThrowIfNull(revoked);
        ArgumentOutOfRangeException.ThrowIfNegative(crlNumber);
        if (nextUpdate <= thisUpdate)
        {
            throw new ArgumentOutOfRangeException(nameof(nextUpdate), "nextUpdate must be after thisUpdate.");
        }

        CertificateRevocationListBuilder builder = new();
        foreach ((byte[] serial, DateTimeOffset revokedAt) in revoked)
        {
            builder.AddEntry(serial, TruncateToSeconds(revokedAt));
        }

        lock (_signLock)
        {
            return builder.Build(
                Certificate.SubjectName,
                X509SignatureGenerator.CreateForECDsa(_key),
                crlNumber,
                TruncateToSeconds(nextUpdate),
                HashAlgorithmName.SHA384,
                X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(_subjectKeyIdentifier),
                TruncateToSeconds(thisUpdate));
        }
    }

    /// <summary>
    /// Issues a terminal certificate (認証用の証明書): ECDSA P-256, subject
    /// <c>CN=terminal, OU=医療機関等コード, O=医療機関等名, C=JP</c>, EKU clientAuth, valid 3年3か月 from now.
    /// Records nothing: persisting it is <see cref="TerminalCertificateService"/>'s job.
    /// </summary>
    public IssuedTerminalCertificate IssueTerminalCertificate(string institutionCode, string institutionName, string terminalName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(institutionCode);
        ArgumentException.ThrowIfNullOrWhiteSpace(institutionName);
        ArgumentException.ThrowIfNullOrWhiteSpace(terminalName);

        // Built with the DN builder, never by string concatenation, so a name containing "," or "=" cannot
        // inject another RDN. The builder encodes in reverse order of the calls, so this is encoded C, O, OU, CN
        // (the usual order) and printed CN=..., OU=..., O=..., C=JP.
        X500DistinguishedNameBuilder subject = new();
        subject.AddCommonName(terminalName);
        subject.AddOrganizationalUnitName(institutionCode);
        subject.AddOrganizationName(institutionName);
        subject.AddCountryOrRegion("JP");

        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        CertificateRequest request = new(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ClientAuthOid], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));

        DateTimeOffset now = TruncateToSeconds(_time.GetUtcNow());
        X509Certificate2 certificate = Sign(request, now - ClockSkewAllowance, now.AddMonths(TerminalValidityMonths));

        string passphrase = RandomNumberGenerator.GetString(PassphraseAlphabet, PassphraseLength);
        byte[] pkcs12;
        using (X509Certificate2 withKey = certificate.CopyWithPrivateKey(key))
        {
            // PBES2 with AES-256 and SHA-256: what OpenSSL 3, Chromium/NSS and Node accept without legacy providers.
            pkcs12 = withKey.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, passphrase);
        }

        return new IssuedTerminalCertificate
        {
            Certificate = certificate,
            Pkcs12 = pkcs12,
            Passphrase = passphrase,
            CertificatePem = certificate.ExportCertificatePem(),
            PrivateKeyPem = key.ExportPkcs8PrivateKeyPem(),
            SerialNumber = certificate.SerialNumber,
            Thumbprint = certificate.GetCertHashString(HashAlgorithmName.SHA256),
        };
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _key.Dispose();
        Certificate.Dispose();
    }

    private static void Create(string caDirectory, string certPath, string keyPath, TimeProvider time, MasterKey masterKey)
    {
        SecretFiles.CreatePrivateDirectory(caDirectory);

        X500DistinguishedNameBuilder subject = new();
        subject.AddCommonName(CaSubjectCommonName);
        subject.AddOrganizationName("Onshi");
        subject.AddCountryOrRegion("JP");

        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        CertificateRequest request = new(subject.Build(), key, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));

        DateTimeOffset now = TruncateToSeconds(time.GetUtcNow());
        using X509Certificate2 certificate = request.CreateSelfSigned(now - ClockSkewAllowance, now.AddYears(CaValidityYears));

        // Key first: a certificate without its key is unusable, and LoadOrCreate refuses either half alone.
        SaveKey(keyPath, key, masterKey);
        SecretFiles.WriteAtomically(certPath, Encoding.ASCII.GetBytes(PemText.ForFile(certificate.ExportCertificatePem())), secret: false);
    }

    /// <summary>The default names and <paramref name="hostNames"/> (trimmed, without duplicates), in that order.</summary>
    private static List<string> ServerNames(IEnumerable<string> hostNames)
    {
        ArgumentNullException.ThrowIfNull(hostNames);
        List<string> names = [.. DefaultServerNames];
        foreach (string raw in hostNames)
        {
            string name = raw?.Trim() ?? "";
            if (name.Length > 0 && !names.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                names.Add(name);
            }
        }

        return names;
    }

    /// <summary>The password of <c>DIR/tls/server.pfx</c> under <paramref name="masterKey"/> (a derived key, never stored).</summary>
    internal static string ServerPfxPassword(MasterKey masterKey) => Convert.ToBase64String(masterKey.Derive(ServerPfxPurpose));

    /// <summary>
    /// <c>DIR/ca/ca.key</c> re-encrypted from <paramref name="current"/> to <paramref name="next"/>, in memory (for
    /// <see cref="MasterKeyRotation"/>): the new file content, or null when the file is already under
    /// <paramref name="next"/> (an interrupted rotation run again). Writes nothing.
    /// </summary>
    /// <exception cref="OnshiStartupException">The key is under another master key, or cannot be read.</exception>
    internal static byte[]? RewrapKeyFile(string keyPath, MasterKey current, MasterKey next)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(next);
        string text = File.ReadAllText(keyPath);
        if (string.Equals(KeyIdOf(text), next.KeyId, StringComparison.Ordinal))
        {
            using ECDsa already = ReadKey(text, keyPath, next, out _);
            return null;
        }

        using ECDsa key = ReadKey(text, keyPath, current, out _);
        return KeyFileContent(key, next);
    }

    /// <summary>
    /// <c>DIR/tls/server.pfx</c> re-encrypted from <paramref name="current"/> to <paramref name="next"/>, in memory: the new
    /// file content, or null when it does not open under <paramref name="current"/> (already under <paramref name="next"/>,
    /// or from an older version: the next start issues a new one anyway). Writes nothing.
    /// </summary>
    internal static byte[]? RewrapServerPfx(string pfxPath, MasterKey current, MasterKey next)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(next);
        if (!File.Exists(pfxPath))
        {
            return null;
        }

        try
        {
            using X509Certificate2 certificate = X509CertificateLoader.LoadPkcs12FromFile(pfxPath, ServerPfxPassword(current), X509KeyStorageFlags.Exportable);
            return certificate.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, ServerPfxPassword(next));
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>
    /// Reads the CA private key: encrypted PKCS#8 under the master key's CA password; a plain PKCS#8 (or SEC1) key an
    /// older version wrote is read and immediately rewritten encrypted.
    /// </summary>
    private static ECDsa LoadKey(string keyPath, MasterKey masterKey)
    {
        ECDsa key = ReadKey(File.ReadAllText(keyPath), keyPath, masterKey, out bool wasPlain);
        if (wasPlain)
        {
            // Migration: the key was plain; from now on it is stored encrypted.
            SaveKey(keyPath, key, masterKey);
        }

        return key;
    }

    /// <summary>The master key id named in a key file's header line, or null.</summary>
    private static string? KeyIdOf(string text) => text.Split('\n').Select(l => l.Trim())
        .FirstOrDefault(l => l.StartsWith(KeyIdHeader, StringComparison.Ordinal))?[KeyIdHeader.Length..].Trim();

    /// <summary>The CA private key from the text of its file; <paramref name="wasPlain"/> when it was not encrypted. Writes nothing.</summary>
    private static ECDsa ReadKey(string text, string keyPath, MasterKey masterKey, out bool wasPlain)
    {
        wasPlain = false;
        ECDsa key = ECDsa.Create();
        try
        {
            if (text.Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----", StringComparison.Ordinal))
            {
                string? keyId = KeyIdOf(text);
                if (keyId is not null && !string.Equals(keyId, masterKey.KeyId, StringComparison.Ordinal))
                {
                    throw new OnshiStartupException(
                        $"認証局 (CA) の秘密鍵は鍵 ID {keyId} のマスター鍵で暗号化されていますが、{masterKey.Source} の鍵の ID は {masterKey.KeyId} です。" +
                        $" / The CA key '{keyPath}' is encrypted with master key id {keyId}, but the key from {masterKey.Source} has id {masterKey.KeyId}.");
                }

                byte[] password = masterKey.Derive(CaKeyPurpose);
                try
                {
                    key.ImportFromEncryptedPem(text, password);
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(password);
                }

                return key;
            }

            key.ImportFromPem(text);
            wasPlain = true;
            return key;
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();

            // The inner exception is dropped on purpose: parser messages may quote the input.
            throw new OnshiStartupException(
                $"認証局 (CA) の秘密鍵を読めません ({keyPath})。マスター鍵が違うか、ファイルが壊れています。 / The CA key '{keyPath}' could not be read: wrong master key or a corrupt file.");
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes the CA private key as encrypted PKCS#8 PEM (PBES2: AES-256-CBC, PBKDF2-HMAC-SHA256), mode 0600, with a
    /// header line naming the master key id (not secret) so a wrong key is reported as such.
    /// </summary>
    private static void SaveKey(string keyPath, ECDsa key, MasterKey masterKey) =>
        SecretFiles.WriteAtomically(keyPath, KeyFileContent(key, masterKey), secret: true);

    /// <summary>The content of the CA key file for <paramref name="key"/> under <paramref name="masterKey"/>.</summary>
    private static byte[] KeyFileContent(ECDsa key, MasterKey masterKey)
    {
        byte[] password = masterKey.Derive(CaKeyPurpose);
        try
        {
            // The password is 256 random bits, so the iteration count adds little; 100,000 is the common floor.
            string pem = key.ExportEncryptedPkcs8PrivateKeyPem(password, new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 100_000));
            return Encoding.ASCII.GetBytes($"{KeyIdHeader}{masterKey.KeyId}\n{PemText.ForFile(pem)}");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(password);
        }
    }

    private bool IsReusableServerCertificate(X509Certificate2 certificate, List<string> names, DateTimeOffset now)
    {
        if (!certificate.HasPrivateKey
            || certificate.NotAfter.ToUniversalTime() <= now.UtcDateTime.AddDays(ServerRenewBeforeDays)
            || certificate.NotBefore.ToUniversalTime() > now.UtcDateTime)
        {
            return false;
        }

        // Signed by this CA (a restored or replaced CA makes the old server certificate worthless).
        X509AuthorityKeyIdentifierExtension? aki = certificate.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().FirstOrDefault();
        if (aki?.KeyIdentifier is not { } keyId || !keyId.Span.SequenceEqual(_subjectKeyIdentifier))
        {
            return false;
        }

        X509SubjectAlternativeNameExtension? san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (san is null)
        {
            return false;
        }

        HashSet<string> dnsNames = new(san.EnumerateDnsNames(), StringComparer.OrdinalIgnoreCase);
        HashSet<IPAddress> addresses = [.. san.EnumerateIPAddresses()];
        IdnMapping idn = new();
        foreach (string name in names)
        {
            bool present = IPAddress.TryParse(name, out IPAddress? address)
                ? addresses.Contains(address)
                : dnsNames.Contains(idn.GetAscii(name));
            if (!present)
            {
                return false;
            }
        }

        return true;
    }

    private byte[] CreateServerPfx(List<string> names, DateTimeOffset now)
    {
        X500DistinguishedNameBuilder subject = new();
        subject.AddCommonName(names.FirstOrDefault(n => !IPAddress.TryParse(n, out _)) ?? "localhost");
        subject.AddOrganizationName("Onshi");
        subject.AddCountryOrRegion("JP");

        SubjectAlternativeNameBuilder sanBuilder = new();
        foreach (string name in names)
        {
            if (IPAddress.TryParse(name, out IPAddress? address))
            {
                sanBuilder.AddIpAddress(address);
            }
            else
            {
                sanBuilder.AddDnsName(name);
            }
        }

        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        CertificateRequest request = new(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuthOid], false));
        request.CertificateExtensions.Add(sanBuilder.Build());
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));

        DateTimeOffset start = TruncateToSeconds(now);
        using X509Certificate2 certificate = SignLocked(request, start - ClockSkewAllowance, start.AddDays(ServerValidityDays));
        using X509Certificate2 withKey = certificate.CopyWithPrivateKey(key);

        // Encrypted under a password derived from the master key (like the CA key), so the file alone gives nothing.
        return withKey.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, _serverPfxPassword);
    }

    private X509Certificate2 Sign(CertificateRequest request, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        lock (_signLock)
        {
            return SignLocked(request, notBefore, notAfter);
        }
    }

    private X509Certificate2 SignLocked(CertificateRequest request, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(_subjectKeyIdentifier));

        // Nothing may outlive its issuer; clients reject such a chain anyway once the CA has expired.
        DateTimeOffset caNotAfter = new(Certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        if (notAfter > caNotAfter)
        {
            notAfter = caNotAfter;
        }

        return request.Create(
            Certificate.SubjectName,
            X509SignatureGenerator.CreateForECDsa(_key),
            notBefore,
            notAfter,
            NewSerialNumber());
    }

    /// <summary>16 random bytes, positive and without a leading zero, so the DER encoding is always 16 bytes.</summary>
    private static byte[] NewSerialNumber()
    {
        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x40);
        return serial;
    }

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
