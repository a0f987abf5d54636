using Onshi.Core.Features.Certificates;

namespace Onshi.Cli.Commands;

/// <summary>Writes an issued terminal certificate to disk: the PKCS#12 a browser imports, and PEM files for tools.</summary>
internal static class TerminalFiles
{
    public sealed record Paths(string Pfx, string CertPem, string KeyPem);

    public static Paths Write(string directory, string institutionCode, string terminalName, IssuedTerminalCertificate issued)
    {
        Directory.CreateDirectory(directory);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var stem = Path.Combine(directory, $"{institutionCode}-{terminalName}");
        var paths = new Paths(stem + ".p12", stem + ".crt.pem", stem + ".key.pem");
        WritePrivate(paths.Pfx, w => w.Write(issued.Pkcs12));
        File.WriteAllText(paths.CertPem, issued.CertificatePem);
        WritePrivate(paths.KeyPem, w => w.Write(System.Text.Encoding.ASCII.GetBytes(issued.PrivateKeyPem)));
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
