using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace Onshi.Bench;

/// <summary>
/// The load client's HTTP: one <see cref="SocketsHttpHandler"/> per simulated user (one keep-alive connection, as a
/// browser has), presenting a terminal certificate when given one, trusting only our CA, and talking to 127.0.0.1 only
/// (any other host is refused before a socket is opened). Redirects and cookies are handled by <see cref="BenchUser"/>.
/// </summary>
public static class BenchHttp
{
    /// <summary>Throws unless <paramref name="uri"/> is https://127.0.0.1:PORT/.</summary>
    public static void RequireLoopback(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (uri.Scheme != Uri.UriSchemeHttps || uri.Host != "127.0.0.1")
        {
            throw new ArgumentException($"the load client talks to https://127.0.0.1 only, not {uri}");
        }
    }

    public static HttpClient CreateClient(Uri baseAddress, X509Certificate2 trustedCa, X509Certificate2? clientCertificate)
    {
        RequireLoopback(baseAddress);
        ArgumentNullException.ThrowIfNull(trustedCa);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            MaxConnectionsPerServer = 1,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            // Whatever the URI says, the socket goes to the loopback address and the requested port only.
            ConnectCallback = async (context, ct) =>
            {
                if (context.DnsEndPoint.Host != "127.0.0.1")
                {
                    throw new InvalidOperationException($"refusing to connect to {context.DnsEndPoint.Host}");
                }

                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                TargetHost = "127.0.0.1",
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => IsIssuedByOurCa(certificate, errors, trustedCa),
                ClientCertificates = clientCertificate is null ? null : [clientCertificate],
                LocalCertificateSelectionCallback = clientCertificate is null ? null : (_, _, _, _, _) => clientCertificate,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            },
        };
        return new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>CA pinning: the server certificate must chain to our CA alone (no system roots) and name 127.0.0.1.</summary>
    private static bool IsIssuedByOurCa(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2 ca) =>
        Onshi.Core.Features.Certificates.ServerCertificateTrust.IsTrusted(certificate, errors, ca);
}

/// <summary>The outcome of one request: status, body and redirect target.</summary>
public sealed record BenchResponse(int Status, string Body, string? Location);

/// <summary>One simulated user: its HTTP client (one connection) and a cookie jar that can be emptied (a fresh browser session).</summary>
public sealed partial class BenchUser(HttpClient client) : IDisposable
{
    private readonly Dictionary<string, string> _cookies = new(StringComparer.Ordinal);

    public HttpClient Client { get; } = client;

    /// <summary>Empties the cookie jar: the next request is a new browser session (the connection stays).</summary>
    public void ClearCookies() => _cookies.Clear();

    public Task<BenchResponse> GetAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Get, path, null, ct);

    public Task<BenchResponse> PostAsync(string path, IEnumerable<KeyValuePair<string, string>> form, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, path, new FormUrlEncodedContent(form), ct);

    public async Task<BenchResponse> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (_cookies.Count > 0)
        {
            request.Headers.TryAddWithoutValidation("Cookie", string.Join("; ", _cookies.Select(c => c.Key + "=" + c.Value)));
        }

        using var response = await Client.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
        {
            foreach (var header in setCookies)
            {
                Remember(header);
            }
        }

        var body = await response.Content.ReadAsStringAsync(ct);
        string? location = null;
        if (response.Headers.Location is { } target)
        {
            var absolute = target.IsAbsoluteUri ? target : new Uri(Client.BaseAddress!, target);
            if (absolute.Authority != Client.BaseAddress!.Authority)
            {
                throw new InvalidOperationException($"redirect to another origin refused: {absolute}");
            }

            location = absolute.PathAndQuery;
        }

        return new BenchResponse((int)response.StatusCode, body, location);
    }

    private void Remember(string header)
    {
        var end = header.IndexOf(';', StringComparison.Ordinal);
        var pair = end < 0 ? header : header[..end];
        var eq = pair.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            return;
        }

        var name = pair[..eq].Trim();
        var value = pair[(eq + 1)..].Trim();
        var deleted = value.Length == 0 || header.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase)
            || header.Contains("max-age=0", StringComparison.OrdinalIgnoreCase);
        if (deleted)
        {
            _cookies.Remove(name);
        }
        else
        {
            _cookies[name] = value;
        }
    }

    /// <summary>The value of the hidden input <paramref name="fieldName"/> (the antiforgery token) in a page.</summary>
    public static string FormToken(BenchResponse page, string fieldName)
    {
        ArgumentNullException.ThrowIfNull(page);
        foreach (Match m in HiddenInput().Matches(page.Body))
        {
            var tag = m.Value;
            if (tag.Contains($"name=\"{fieldName}\"", StringComparison.Ordinal))
            {
                var v = InputValue().Match(tag);
                if (v.Success)
                {
                    return WebUtility.HtmlDecode(v.Groups[1].Value);
                }
            }
        }

        throw new BenchException($"no {fieldName} field in the page (status {page.Status})");
    }

    [GeneratedRegex("<input[^>]*>", RegexOptions.CultureInvariant)]
    private static partial Regex HiddenInput();

    [GeneratedRegex("value=\"([^\"]*)\"", RegexOptions.CultureInvariant)]
    private static partial Regex InputValue();

    public void Dispose() => Client.Dispose();
}

/// <summary>An operation that did not get the answer it expected: counted as an error of its cell.</summary>
public sealed class BenchException : Exception
{
    public BenchException()
    {
    }

    public BenchException(string message)
        : base(message)
    {
    }

    public BenchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
