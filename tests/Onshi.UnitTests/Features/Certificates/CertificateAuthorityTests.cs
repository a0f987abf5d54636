using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

using Onshi.Core.Features.Certificates;

using Shouldly;

using Xunit;

namespace Onshi.UnitTests.Features.Certificates;

public sealed class CertificateAuthorityTests
{
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";

    [Fact]
    public void LoadOrCreate_FirstStart_CreatesCaCertificateWithCaProfile()
    {
        using TestCa ca = new();
        X509Certificate2 cert = ca.Authority.Certificate;

        cert.Subject.ShouldBe("CN=Onshi オンライン資格確認等システム 認証局, O=Onshi, C=JP");
        cert.HasPrivateKey.ShouldBeFalse();
        X509BasicConstraintsExtension constraints = cert.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        constraints.CertificateAuthority.ShouldBeTrue();
        constraints.Critical.ShouldBeTrue();
        X509KeyUsageExtension usage = cert.Extensions.OfType<X509KeyUsageExtension>().Single();
        usage.KeyUsages.ShouldBe(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign);
        usage.Critical.ShouldBeTrue();
        cert.Extensions.OfType<X509SubjectKeyIdentifierExtension>().ShouldHaveSingleItem();
        cert.NotAfter.ToUniversalTime().ShouldBe(TestCa.Start.UtcDateTime.AddYears(20));
        ca.Authority.CertificatePath.ShouldBe(Path.Combine(ca.DataDirectory, "ca", "ca.crt"));
        File.ReadAllText(ca.Authority.CertificatePath).ShouldStartWith("-----BEGIN CERTIFICATE-----");
        var key = File.ReadAllText(Path.Combine(ca.DataDirectory, "ca", "ca.key"));
        key.ShouldContain("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        key.ShouldNotContain("-----BEGIN PRIVATE KEY-----");
    }

    [Fact]
    public void LoadOrCreate_SecondStart_LoadsTheSameCa()
    {
        using TestCa ca = new();
        using CertificateAuthority reloaded = CertificateAuthority.LoadOrCreate(ca.DataDirectory, TimeProvider.System);

        reloaded.Certificate.Thumbprint.ShouldBe(ca.Authority.Certificate.Thumbprint);

        // And the reloaded key signs certificates that chain to the original certificate.
        using IssuedTerminalCertificate issued = reloaded.IssueTerminalCertificate("1310123455", "テスト医院", "T0001");
        CertificateValidator.Validate(issued.Certificate, ca.Authority.Certificate, DateTime.UtcNow)
            .ShouldBe(CertificateValidationStatus.Valid);
    }

    [Fact]
    public void LoadOrCreate_OnUnix_KeyIsOwnerOnlyAndDirectoryPrivate()
    {
        using TestCa ca = new();
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(Path.Combine(ca.DataDirectory, "ca", "ca.key"))
                .ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.GetUnixFileMode(Path.Combine(ca.DataDirectory, "ca"))
                .ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Fact]
    public void LoadOrCreate_KeyMissing_ThrowsInsteadOfCreatingANewCa()
    {
        using TestCa ca = new();
        File.Delete(Path.Combine(ca.DataDirectory, "ca", "ca.key"));

        Should.Throw<InvalidOperationException>(() => CertificateAuthority.LoadOrCreate(ca.DataDirectory, ca.Time));
        File.Exists(Path.Combine(ca.DataDirectory, "ca", "ca.key")).ShouldBeFalse();
    }

    [Fact]
    public void LoadOrCreate_KeyOfAnotherCa_Throws()
    {
        using TestCa ca = new();
        using TestCa other = new();
        File.Copy(Path.Combine(other.DataDirectory, "ca", "ca.key"), Path.Combine(ca.DataDirectory, "ca", "ca.key"), overwrite: true);

        InvalidOperationException ex = Should.Throw<InvalidOperationException>(() => CertificateAuthority.LoadOrCreate(ca.DataDirectory, ca.Time));
        ex.Message.ShouldNotContain("PRIVATE KEY");
    }

    [Fact]
    public void IssueTerminalCertificate_Always_NamesTerminalAndInstitutionCode()
    {
        using TestCa ca = new();
        using IssuedTerminalCertificate issued = ca.Authority.IssueTerminalCertificate("1310123455", "テスト医院", "T0001");

        issued.Certificate.Subject.ShouldBe("CN=T0001, OU=1310123455, O=テスト医院, C=JP");
        issued.Certificate.Issuer.ShouldBe(ca.Authority.Certificate.Subject);
        issued.Certificate.HasPrivateKey.ShouldBeFalse();
    }

    [Fact]
    public void IssueTerminalCertificate_NameWithSeparators_CannotInjectAnotherRdn()
    {
        using TestCa ca = new();
        using IssuedTerminalCertificate issued = ca.Authority.IssueTerminalCertificate("1310123455", "医院, OU=9999999999", "T0001");

        issued.Certificate.SubjectName.EnumerateRelativeDistinguishedNames()
            .Where(r => r.GetSingleElementType().Value == "2.5.4.11")
            .Select(r => r.GetSingleElementValue())
            .ShouldBe(["1310123455"]);
    }

    [Fact]
    public void IssueTerminalCertificate_Always_IsClientAuthDigitalSignatureEcdsaP256()
    {
        using TestCa ca = new();
        using IssuedTerminalCertificate issued = ca.Authority.IssueTerminalCertificate("1310123455", "テスト医院", "T0001");
        X509Certificate2 cert = issued.Certificate;

        cert.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages
            .Cast<Oid>().Select(o => o.Value).ShouldBe([ClientAuth]);
        cert.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages.ShouldBe(X509KeyUsageFlags.DigitalSignature);
        cert.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority.ShouldBeFalse();
        using ECDsa? key = cert.GetECDsaPublicKey();
        key.ShouldNotBeNull().KeySize.ShouldBe(256);
    }

    [Fact]
    public void IssueTerminalCertificate_Always_ValidThreeYearsThreeMonthsBackdatedFiveMinutes()
    {
        using TestCa ca = new();
        ca.FakeTime.Advance(TimeSpan.FromDays(10.5));
        DateTime now = ca.Time.GetUtcNow().UtcDateTime;
        using IssuedTerminalCertificate issued = ca.Authority.IssueTerminalCertificate("1310123455", "テスト医院", "T0001");

        issued.Certificate.NotBefore.ToUniversalTime().ShouldBe(now.AddMinutes(-5));
        issued.Certificate.NotAfter.ToUniversalTime().ShouldBe(now.AddYears(3).AddMonths(3));
    }

    [Fact]
    public void IssueTerminalCertificate_Always_HasRandomPositiveSixteenByteSerialAndSha256Thumbprint()
    {
        using TestCa ca = new();
        using IssuedTerminalCertificate a = ca.Authority.IssueTerminalCertificate("1310123455", "テスト医院", "T0001");
        using IssuedTerminalCertificate b = ca.Authority.IssueTerminalCertificate("1310123455", "テスト医院", "T0002");

        a.SerialNumber.ShouldMatch("^[4-7][0-9A-F]{31}$");
        a.SerialNumber.ShouldBe(a.Certificate.SerialNumber);
        a.SerialNumber.ShouldNotBe(b.SerialNumber);
        a.Thumbprint.ShouldMatch("^[0-9A-F]{64}$");
        a.Thumbprint.ShouldBe(Convert.ToHexString(SHA256.HashData(a.Certificate.RawData)));
    }

    [Fact]
    public void IssueTerminalCertificate_Pkcs12_OpensWithPassphraseOnly()
    {
        using TestCa ca = new();
        using IssuedTerminalCertificate issued = ca.Authority.IssueTerminalCertificate("1310123455", "テスト医院", "T0001");

        issued.Passphrase.ShouldMatch("^[A-HJ-NP-Za-km-np-z2-9]{16}$");
        using (X509Certificate2 loaded = X509CertificateLoader.LoadPkcs12(issued.Pkcs12, issued.Passphrase))
        {
            loaded.HasPrivateKey.ShouldBeTrue();
            loaded.Thumbprint.ShouldBe(issued.Certificate.Thumbprint);
        }

        Should.Throw<CryptographicException>(() => X509CertificateLoader.LoadPkcs12(issued.Pkcs12, "wrong-passphrase").Dispose());
    }

    [Fact]
    public void IssueTerminalCertificate_Pems_FormAMatchingCertificateAndKey()
    {
        using TestCa ca = new();
        using IssuedTerminalCertificate issued = ca.Authority.IssueTerminalCertificate("1310123455", "テスト医院", "T0001");

        issued.PrivateKeyPem.ShouldStartWith("-----BEGIN PRIVATE KEY-----");
        using X509Certificate2 pair = X509Certificate2.CreateFromPem(issued.CertificatePem, issued.PrivateKeyPem);
        pair.HasPrivateKey.ShouldBeTrue();
        pair.Thumbprint.ShouldBe(issued.Certificate.Thumbprint);
    }

    [Fact]
    public void IssuedTerminalCertificate_ToString_RevealsNoSecret()
    {
        using TestCa ca = new();
        using IssuedTerminalCertificate issued = ca.Authority.IssueTerminalCertificate("1310123455", "テスト医院", "T0001");

        string text = issued.ToString();
        text.ShouldContain(issued.SerialNumber);
        text.ShouldNotContain(issued.Passphrase);
        text.ShouldNotContain("PRIVATE KEY");
        text.ShouldNotContain("Pkcs12");
    }

    [Fact]
    public void IssueTerminalCertificate_Pkcs12_IsAcceptedByOpenSsl()
    {
        string? openssl = FindOnPath("openssl");
        Assert.SkipWhen(openssl is null, "openssl is not on PATH");

        using TestCa ca = new();
        using IssuedTerminalCertificate issued = ca.Authority.IssueTerminalCertificate("1310123455", "テスト医院", "T0001");
        string file = Path.Combine(ca.DataDirectory, "terminal.p12");
        File.WriteAllBytes(file, issued.Pkcs12);

        RunOpenSslPkcs12(openssl!, file, issued.Passphrase).ShouldBe(0);
        RunOpenSslPkcs12(openssl!, file, "wrong-passphrase").ShouldNotBe(0);
    }

    [Fact]
    public void GetOrIssueServerCertificate_FirstCall_IssuesServerAuthCertificateWithDefaultNames()
    {
        using TestCa ca = new();
        using X509Certificate2 cert = ca.Authority.GetOrIssueServerCertificate(["oqs.example.jp", "192.0.2.10"]);

        cert.HasPrivateKey.ShouldBeTrue();
        cert.Issuer.ShouldBe(ca.Authority.Certificate.Subject);
        cert.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages
            .Cast<Oid>().Select(o => o.Value).ShouldBe([ServerAuth]);
        X509SubjectAlternativeNameExtension san = cert.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        san.EnumerateDnsNames().ShouldBe(["localhost", "oqs.example.jp"], ignoreOrder: true);
        san.EnumerateIPAddresses().ShouldBe([IPAddress.Loopback, IPAddress.IPv6Loopback, IPAddress.Parse("192.0.2.10")], ignoreOrder: true);
        (cert.NotAfter.ToUniversalTime() - TestCa.Start.UtcDateTime).ShouldBe(TimeSpan.FromDays(397));
        File.Exists(Path.Combine(ca.DataDirectory, "tls", "server.pfx")).ShouldBeTrue();
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(Path.Combine(ca.DataDirectory, "tls", "server.pfx"))
                .ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    [Fact]
    public void GetOrIssueServerCertificate_SameNamesLater_ReusesStoredCertificate()
    {
        using TestCa ca = new();
        using X509Certificate2 first = ca.Authority.GetOrIssueServerCertificate(["oqs.example.jp"]);
        ca.FakeTime.Advance(TimeSpan.FromDays(300));
        using CertificateAuthority restarted = CertificateAuthority.LoadOrCreate(ca.DataDirectory, ca.Time);

        using X509Certificate2 second = restarted.GetOrIssueServerCertificate(["OQS.example.jp"]);

        second.Thumbprint.ShouldBe(first.Thumbprint);
    }

    [Fact]
    public void GetOrIssueServerCertificate_NewName_IssuesNewCertificate()
    {
        using TestCa ca = new();
        using X509Certificate2 first = ca.Authority.GetOrIssueServerCertificate([]);

        using X509Certificate2 second = ca.Authority.GetOrIssueServerCertificate(["oqs.example.jp"]);

        second.Thumbprint.ShouldNotBe(first.Thumbprint);
        second.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames().ShouldContain("oqs.example.jp");
    }

    [Fact]
    public void GetOrIssueServerCertificate_WithinThirtyDaysOfExpiry_IssuesNewCertificate()
    {
        using TestCa ca = new();
        using X509Certificate2 first = ca.Authority.GetOrIssueServerCertificate([]);
        ca.FakeTime.Advance(TimeSpan.FromDays(397 - 30));

        using X509Certificate2 second = ca.Authority.GetOrIssueServerCertificate([]);

        second.Thumbprint.ShouldNotBe(first.Thumbprint);
        second.NotAfter.ShouldBeGreaterThan(first.NotAfter);
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);

    private static int RunOpenSslPkcs12(string openssl, string file, string passphrase)
    {
        // The passphrase goes through the environment, not the command line, where other users could read it.
        ProcessStartInfo start = new(openssl)
        {
            ArgumentList = { "pkcs12", "-in", file, "-passin", "env:ONSHI_TEST_P12_PASS", "-noout" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ONSHI_TEST_P12_PASS"] = passphrase;
        using Process process = Process.Start(start)!;
        process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode;
    }
}
