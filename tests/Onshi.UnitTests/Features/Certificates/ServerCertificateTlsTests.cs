using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

using Onshi.Core.Features.Certificates;

using Shouldly;

using Xunit;

namespace Onshi.UnitTests.Features.Certificates;

/// <summary>Real loopback TLS handshakes with the server and terminal certificates, as Kestrel and a browser would do.</summary>
public sealed class ServerCertificateTlsTests : IDisposable
{
    // Real time: the TLS stack checks validity against the system clock.
    private readonly TestCa _ca = new(TimeProvider.System);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _ca.Dispose();

    [Fact]
    public async Task GetOrIssueServerCertificate_MutualTlsHandshake_SucceedsBothWays()
    {
        using X509Certificate2 serverCert = _ca.Authority.GetOrIssueServerCertificate([]);
        using IssuedTerminalCertificate terminal = _ca.Authority.IssueTerminalCertificate("1310123455", "テスト医院", "T0001");
        using X509Certificate2 clientCert = X509CertificateLoader.LoadPkcs12(terminal.Pkcs12, terminal.Passphrase);

        (CertificateValidationStatus? seenByServer, bool clientOk) = await HandshakeAsync(serverCert, clientCert, "localhost");

        clientOk.ShouldBeTrue();
        seenByServer.ShouldBe(CertificateValidationStatus.Valid);
    }

    [Fact]
    public async Task GetOrIssueServerCertificate_ReloadedFromDisk_HandshakeOverIpAddressSucceeds()
    {
        _ca.Authority.GetOrIssueServerCertificate([]).Dispose();
        using CertificateAuthority restarted = CertificateAuthority.LoadOrCreate(_ca.DataDirectory, TimeProvider.System);
        using X509Certificate2 serverCert = restarted.GetOrIssueServerCertificate([]);

        (CertificateValidationStatus? seenByServer, bool clientOk) = await HandshakeAsync(serverCert, null, "127.0.0.1");

        clientOk.ShouldBeTrue();
        seenByServer.ShouldBe(CertificateValidationStatus.Missing);
    }

    private async Task<(CertificateValidationStatus? SeenByServer, bool ClientOk)> HandshakeAsync(
        X509Certificate2 serverCert, X509Certificate2? clientCert, string targetHost)
    {
        using TcpListener listener = new(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        CertificateValidationStatus? seenByServer = null;
        X509Certificate2 caCert = _ca.Authority.Certificate;

        Task server = Task.Run(
            async () =>
            {
                using TcpClient accepted = await listener.AcceptTcpClientAsync(Ct);
                await using SslStream ssl = new(accepted.GetStream());
                await ssl.AuthenticateAsServerAsync(
                    new SslServerAuthenticationOptions
                    {
                        ServerCertificate = serverCert,
                        ClientCertificateRequired = true,

                        // Like Kestrel's ClientCertificateMode.AllowCertificate: no certificate still connects (to show a page).
                        RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                        {
                            seenByServer = CertificateValidator.Validate(certificate as X509Certificate2, caCert, DateTime.UtcNow);
                            return seenByServer is CertificateValidationStatus.Valid or CertificateValidationStatus.Missing;
                        },
                    },
                    Ct);
                await ssl.WriteAsync("ok"u8.ToArray(), Ct);
            },
            Ct);

        using TcpClient client = new();
        await client.ConnectAsync(IPAddress.Loopback, port, Ct);
        await using SslStream clientSsl = new(client.GetStream());
        X509ChainPolicy trustOurCa = new()
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        trustOurCa.CustomTrustStore.Add(caCert);
        SslClientAuthenticationOptions options = new()
        {
            TargetHost = targetHost,
            CertificateChainPolicy = trustOurCa,
        };
        if (clientCert is not null)
        {
            options.ClientCertificates = [clientCert];
        }

        await clientSsl.AuthenticateAsClientAsync(options, Ct);
        byte[] buffer = new byte[2];
        await clientSsl.ReadExactlyAsync(buffer, Ct);
        await server;
        return (seenByServer, clientSsl.IsAuthenticated && buffer.AsSpan().SequenceEqual("ok"u8));
    }
}
