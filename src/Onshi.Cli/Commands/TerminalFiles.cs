using Onshi.Core.Features.Certificates;

namespace Onshi.Cli.Commands;

/// <summary>Writes an issued terminal certificate to disk: the PKCS#12 a browser imports, and PEM files for tools.</summary>
internal static class TerminalFiles
{
    public sealed record Paths(string Pfx, string CertPem, string? KeyPem);

    /// <summary>
    /// Writes the PKCS#12 and the certificate PEM; the unencrypted key PEM only when <paramref name="includePlainKey"/>
    /// (the demo, whose scripts need it). Files holding key material are created 0600.
    /// </summary>
    public static Paths Write(string directory, string institutionCode, string terminalName, IssuedTerminalCertificate issued, bool includePlainKey) =>
        Write(directory, institutionCode, terminalName, issued.Pkcs12, issued.CertificatePem, includePlainKey ? issued.PrivateKeyPem : null);

    /// <summary>
    /// As above, from the parts: the PKCS#12 file, the certificate PEM and, when not null, the unencrypted key PEM (the demo,
    /// which takes them from the portal's one-time download).
    /// </summary>
    public static Paths Write(string directory, string institutionCode, string terminalName, byte[] pkcs12, string certificatePem, string? privateKeyPem)
    {
        Directory.CreateDirectory(directory);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var stem = Path.Combine(directory, $"{institutionCode}-{terminalName}");
        var paths = new Paths(stem + ".p12", stem + ".crt.pem", privateKeyPem is null ? null : stem + ".key.pem");
        WritePrivate(paths.Pfx, w => w.Write(pkcs12));
        File.WriteAllText(paths.CertPem, PemText.ForFile(certificatePem));
        if (paths.KeyPem is { } keyPath)
        {
            WritePrivate(keyPath, w => w.Write(System.Text.Encoding.ASCII.GetBytes(PemText.ForFile(privateKeyPem!))));
        }

        return paths;
    }

    private static void WritePrivate(string path, Action<FileStream> write)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var fs = new FileStream(path, options);
        write(fs);
    }
}
