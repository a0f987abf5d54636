using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Operator;
using Onshi.IntegrationTests.Oqs;
using Onshi.IntegrationTests.Portal;
using Onshi.Web.Hosting;
using Shouldly;

namespace Onshi.IntegrationTests.Security;

/// <summary>
/// Issue 14, 17 and 18 (docs/security.md "TLS"): the OQS's CertificateRequest names our CA as the acceptable issuer (so a
/// browser offers only this system's terminal certificates); TLS 1.2 offers only ECDHE with AES-GCM or ChaCha20-Poly1305
/// on every site (a client offering only CBC suites is refused), TLS 1.3 unchanged; every PEM file the demo writes ends
/// with a newline. The TLS policy is the process's, not the database's: SQLite only.
/// </summary>
[SupportedOSPlatform("linux")] // CipherSuitesPolicy: the deployment target, and where the policy applies
public sealed class TlsPolicyTests
{
    private static readonly TlsCipherSuite[] CbcSuites =
    [
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(SslProtocols.Tls12)]
    [InlineData(SslProtocols.Tls13)]
    public async Task Oqs_CertificateRequest_NamesOurCaAsTheOnlyAcceptableIssuer(SslProtocols protocol)
    {
        await using var server = await OqsServer.StartAsync(TestDatabase.Sqlite);

        var (_, issuers) = await HandshakeAsync(server.BaseAddress, server.CaCertificate, protocol, suites: null);

        issuers.ShouldHaveSingleItem().ShouldBe(server.CaCertificate.Subject);
    }

    [Fact]
    public async Task Oqs_OpenSslClient_PrintsOurCaAsTheAcceptableClientCertificateCaName()
    {
        await using var server = await OqsServer.StartAsync(TestDatabase.Sqlite);

        var output = await OpenSslAsync(server.BaseAddress, "-tls1_2");

        output.ShouldContain("Acceptable client certificate CA names");
        var names = output[output.IndexOf("Acceptable client certificate CA names", StringComparison.Ordinal)..].Split('\n').Skip(1)
            .TakeWhile(l => !l.StartsWith("Requested Signature", StringComparison.Ordinal) && !l.StartsWith("Client Certificate Types", StringComparison.Ordinal))
            .Where(l => l.Trim().Length > 0).ToList();
        names.ShouldHaveSingleItem().ShouldContain("Onshi");
    }

    [Fact]
    public async Task Portal_AsksForNoClientCertificate()
    {
        await using var server = await PortalServer.StartAsync(TestDatabase.Sqlite);

        var (_, issuers) = await HandshakeAsync(server.BaseAddress, server.CaCertificate, SslProtocols.Tls12, suites: null);

        issuers.ShouldBeEmpty();
    }

    [Fact]
    public async Task EverySite_Tls12WithOnlyCbcSuites_IsRefused_AeadSucceeds_Tls13Unchanged()
    {
        await using var oqs = await OqsServer.StartAsync(TestDatabase.Sqlite);
        await using var portal = await PortalServer.StartAsync(TestDatabase.Sqlite);
        await using var console = await OperatorServer.StartAsync(TestDatabase.Sqlite);

        foreach (var (address, ca) in new[] { (oqs.BaseAddress, oqs.CaCertificate), (portal.BaseAddress, portal.CaCertificate), (console.BaseAddress, console.CaCertificate) })
        {
            await Should.ThrowAsync<AuthenticationException>(() => HandshakeAsync(address, ca, SslProtocols.Tls12, CbcSuites));
            foreach (var aead in new[] { TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
                TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 })
            {
                (await HandshakeAsync(address, ca, SslProtocols.Tls12, [aead])).Suite.ShouldBe(aead);
            }

            // Offered everything, a TLS 1.2 client gets an AEAD suite; TLS 1.3 keeps its own.
            TlsPolicy.CipherSuites.ShouldContain((await HandshakeAsync(address, ca, SslProtocols.Tls12, suites: null)).Suite);
            (await HandshakeAsync(address, ca, SslProtocols.Tls13, suites: null)).Suite.ToString().ShouldStartWith("TLS_AES_");
        }

        // The same as testssl.sh or a scanner sees it: openssl offering only CBC suites gets no cipher.
        (await OpenSslAsync(oqs.BaseAddress, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384:ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA"))
            .ShouldNotContain("Cipher is ECDHE");
        (await OpenSslAsync(oqs.BaseAddress, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"))
            .ShouldContain("Cipher is ECDHE-ECDSA-AES128-GCM-SHA256");
    }

    [Fact]
    public async Task Demo_EveryPemFileItWrites_EndsWithANewline()
    {
        await using var server = await OqsServer.StartAsync(TestDatabase.Sqlite);

        var pems = Directory.EnumerateFiles(server.DataDirectory, "*", SearchOption.AllDirectories)
            .Where(f => File.ReadAllText(f).Contains("-----BEGIN ", StringComparison.Ordinal) && !f.EndsWith(".json", StringComparison.Ordinal)).ToList();

        pems.ShouldContain(server.Demo.Terminal.CertPem);
        pems.ShouldContain(server.Demo.Terminal.KeyPem);
        foreach (var pem in pems)
        {
            File.ReadAllText(pem).ShouldEndWith("-----\n", customMessage: pem);
        }
    }

    /// <summary>A TLS handshake with <paramref name="protocol"/> (and only <paramref name="suites"/>, if given), presenting no certificate.</summary>
    private static async Task<(TlsCipherSuite Suite, List<string> Issuers)> HandshakeAsync(Uri address, X509Certificate2 ca, SslProtocols protocol, TlsCipherSuite[]? suites)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port, Ct);
        await using var ssl = new SslStream(tcp.GetStream());
        var issuers = new List<string>();
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            EnabledSslProtocols = protocol,
            RemoteCertificateValidationCallback = (_, certificate, _, _) => IssuedBy(certificate, ca),
            LocalCertificateSelectionCallback = (_, _, _, _, acceptable) =>
            {
                issuers.AddRange(acceptable);
                return null!;
            },
        };
        if (suites is not null)
        {
            options.CipherSuitesPolicy = new CipherSuitesPolicy(suites);
        }

        await ssl.AuthenticateAsClientAsync(options, Ct);
        return (ssl.NegotiatedCipherSuite, issuers);
    }

    private static bool IssuedBy(X509Certificate? certificate, X509Certificate2 ca)
    {
        if (certificate is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(leaf);
    }

    /// <summary>The output of <c>openssl s_client</c> against <paramref name="address"/>, with <paramref name="args"/>.</summary>
    private static async Task<string> OpenSslAsync(Uri address, params string[] args)
    {
        var start = new ProcessStartInfo("openssl")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in (string[])["s_client", "-connect", $"127.0.0.1:{address.Port}", "-servername", "localhost", .. args])
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("openssl did not start");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        return await stdout + await stderr;
    }
}
