using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Secrets;

namespace Onshi.Web.Hosting;

/// <summary>
/// The TLS proxies (nginx) whose forwarded headers the sites believe. Bound from <c>Onshi:Proxy</c> and
/// <c>onshi serve --trusted-proxy</c>. Empty (the default): no address is trusted and every forwarded header is refused.
/// </summary>
public sealed class TrustedProxyOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Onshi:Proxy";

    /// <summary>IP addresses (<c>127.0.0.1</c>, <c>::1</c>) or CIDR ranges (<c>10.0.0.0/24</c>) of the proxies.</summary>
    public IList<string> TrustedProxies { get; } = [];
}

/// <summary>The parsed <see cref="TrustedProxyOptions"/>: whether a connection comes from a trusted proxy.</summary>
public sealed class TrustedProxySet
{
    private readonly IReadOnlyList<IPNetwork> networks;

    public TrustedProxySet(IOptions<TrustedProxyOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        networks = [.. options.Value.TrustedProxies.Where(p => !string.IsNullOrWhiteSpace(p)).Select(Parse)];
    }

    /// <summary>Whether <paramref name="address"/> (a connection's remote address) is one of the trusted proxies.</summary>
    public bool Contains(IPAddress? address)
    {
        if (address is null)
        {
            return false;
        }

        address = Normalize(address);
        return networks.Any(n => n.Contains(address));
    }

    /// <summary>An address or CIDR range; an operator's typo stops the start with a clear bilingual message.</summary>
    /// <exception cref="OnshiStartupException">Neither an IP address nor a CIDR range.</exception>
    public static IPNetwork Parse(string value)
    {
        var text = (value ?? "").Trim();
        if (text.Contains('/', StringComparison.Ordinal))
        {
            if (IPNetwork.TryParse(text, out var network))
            {
                return network;
            }
        }
        else if (IPAddress.TryParse(text, out var address))
        {
            address = Normalize(address);
            return new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
        }

        throw new OnshiStartupException(
            $"信頼するプロキシのアドレスが正しくありません: '{text}' (IP アドレスか CIDR 表記で指定してください)。 / Not an IP address or CIDR range: '{text}' (--trusted-proxy, {TrustedProxyOptions.SectionName}:TrustedProxies).");
    }

    /// <summary>An IPv4 address seen as IPv4-mapped IPv6 (a dual-stack socket) as plain IPv4.</summary>
    public static IPAddress Normalize(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }
}

/// <summary>
/// A request that came through a trusted proxy, with what the proxy said about the client: set by
/// <see cref="ForwardedHeadersGate"/>, read by the OQS terminal gate. The proxy's own TLS client certificate (if any) is
/// never used in this mode.
/// </summary>
/// <param name="Certificate">The client certificate from <c>X-Client-Cert</c>, parsed; null when none was sent.</param>
/// <param name="CertificateRejected">
/// True when the proxy reported a failed verification (<c>X-Client-Verify</c> other than <c>SUCCESS</c>/<c>NONE</c>), or
/// <c>X-Client-Cert</c> was not a readable PEM certificate: a rejected certificate, whatever it is.
/// </param>
public sealed record ProxiedRequest(X509Certificate2? Certificate, bool CertificateRejected);

/// <summary>
/// The forwarded-header contract with the TLS proxy (docs/scaling.md, "Scale-out: what is shared"). From a trusted proxy
/// address: the client's address is <c>X-Forwarded-For</c> (one address: nginx sets it, never appends), the client
/// certificate is <c>X-Client-Cert</c> (URL-encoded PEM, empty when none) and <c>X-Client-Verify</c> says how nginx's own
/// verification went. From any other address a request carrying any of these headers is refused — 400, the Japanese
/// error page and one audited <c>request.refused</c> / <c>forwarded-header</c> row — never honoured.
/// </summary>
public sealed class ForwardedHeadersGate(RequestDelegate next, TrustedProxySet proxies)
{
    public const string ClientCertHeader = "X-Client-Cert";
    public const string ClientVerifyHeader = "X-Client-Verify";
    public const string ForwardedForHeader = "X-Forwarded-For";
    public const string ForwardedProtoHeader = "X-Forwarded-Proto";

    /// <summary>The headers only a trusted proxy may send.</summary>
    public static IReadOnlyList<string> Headers { get; } = [ClientCertHeader, ClientVerifyHeader, ForwardedForHeader, ForwardedProtoHeader];

    /// <summary>A PEM certificate is about 1 KB (ECDSA) to 2 KB (RSA 4096); URL-encoded at most three times that.</summary>
    private const int MaxCertificateHeaderLength = 16 * 1024;

    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (RequestRefusals.IsReExecution(context))
        {
            await next(context);
            return;
        }

        var remote = context.Connection.RemoteIpAddress;
        if (!proxies.Contains(remote))
        {
            if (Headers.Any(h => context.Request.Headers.ContainsKey(h)))
            {
                await RefuseAsync(context);
                return;
            }

            await next(context);
            return;
        }

        // A trusted proxy: the client's address, then its certificate.
        var forwardedFor = context.Request.Headers[ForwardedForHeader];
        if (forwardedFor.Count > 1 || !TryParseClientAddress(forwardedFor.ToString(), out var client))
        {
            // nginx sets exactly one address ($remote_addr); anything else is a misconfigured proxy: refused, not guessed.
            await RefuseAsync(context);
            return;
        }

        var (certificate, rejected) = ReadCertificate(context.Request.Headers[ClientCertHeader].ToString(),
            context.Request.Headers[ClientVerifyHeader].ToString());
        context.Features.Set(new ProxiedRequest(certificate, rejected));
        if (certificate is not null)
        {
            // Disposed when the whole request ends: the status-code and exception pages re-execute the request outside
            // this middleware and still read the certificate.
            context.Response.RegisterForDispose(certificate);
        }

        if (client is not null)
        {
            context.Connection.RemoteIpAddress = client;
        }

        await next(context);
    }

    /// <summary>
    /// The certificate nginx forwarded (<c>$ssl_client_escaped_cert</c>) and its verdict (<c>$ssl_client_verify</c>). Empty →
    /// none; <c>FAILED:…</c> (or anything but <c>SUCCESS</c>/<c>NONE</c>), a value that is not one PEM certificate, or a
    /// certificate with <c>NONE</c> → rejected.
    /// </summary>
    public static (X509Certificate2? Certificate, bool Rejected) ReadCertificate(string? escapedPem, string? verify)
    {
        verify = (verify ?? "").Trim();
        var verdictOk = verify.Length == 0 || verify.Equals("SUCCESS", StringComparison.Ordinal) || verify.Equals("NONE", StringComparison.Ordinal);
        if (string.IsNullOrWhiteSpace(escapedPem))
        {
            return (null, !verdictOk);
        }

        if (!verdictOk || verify.Equals("NONE", StringComparison.Ordinal) || escapedPem.Length > MaxCertificateHeaderLength)
        {
            return (null, true);
        }

        try
        {
            var pem = Uri.UnescapeDataString(escapedPem);
            if (!PemEncoding.TryFind(pem, out var fields) || !pem[fields.Label].Equals("CERTIFICATE", StringComparison.Ordinal))
            {
                return (null, true);
            }

            var der = Convert.FromBase64String(pem[fields.Base64Data]);
            return (X509CertificateLoader.LoadCertificate(der), false);
        }
        catch (Exception e) when (e is CryptographicException or FormatException or UriFormatException or ArgumentException)
        {
            return (null, true);
        }
    }

    /// <summary>An empty header: the connection's address stays (null); otherwise exactly one IP address.</summary>
    private static bool TryParseClientAddress(string value, out IPAddress? address)
    {
        address = null;
        value = value.Trim();
        if (value.Length == 0)
        {
            return true;
        }

        if (value.Contains(',', StringComparison.Ordinal) || !IPAddress.TryParse(value, out var parsed))
        {
            return false;
        }

        address = TrustedProxySet.Normalize(parsed);
        return true;
    }

    private static async Task RefuseAsync(HttpContext context)
    {
        await RequestRefusals.RecordAsync(context, RequestRefusalReasons.ForwardedHeader);

        // No body: the status code pages run the error page.
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
    }
}
