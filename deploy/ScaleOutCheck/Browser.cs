using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace Onshi.ScaleOutCheck;

/// <summary>An answer: status, redirect target, body.</summary>
internal sealed record Answer(HttpStatusCode Status, string? Location, string Body)
{
    /// <summary>The antiforgery token of the page's form.</summary>
    public string Token => Browser.TokenOf(Body) ?? throw new InvalidOperationException($"no antiforgery token on the page (status {(int)Status})");

    public override string ToString() => $"{(int)Status}{(Location is null ? "" : " → " + Location)}";
}

/// <summary>
/// An HTTP client like a terminal's browser: cookies, no automatic redirects, TLS trusting only our CA, optionally a client
/// certificate, connecting to 127.0.0.1:<c>port</c> whatever the URL's host (so the URL can carry the public name for SNI,
/// Host and the certificate check), optionally from a chosen local address.
/// </summary>
internal sealed partial class Browser : IDisposable
{
    private readonly HttpClient http;

    public Browser(string host, int port, X509Certificate2 ca, X509Certificate2? clientCertificate, CookieContainer? cookies = null, IPAddress? localAddress = null)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = true,
            CookieContainer = cookies ?? new CookieContainer(),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = clientCertificate is null ? null : new X509CertificateCollection { clientCertificate },
                LocalCertificateSelectionCallback = clientCertificate is null ? null : (_, _, _, _, _) => clientCertificate,
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => IsTrusted(certificate, errors, ca),
            },
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    if (localAddress is not null)
                    {
                        socket.Bind(new IPEndPoint(localAddress, 0));
                    }

                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        http = new HttpClient(handler) { BaseAddress = new Uri($"https://{host}:{port}/"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task<Answer> GetAsync(string path, IEnumerable<KeyValuePair<string, string>>? headers = null, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await SendAsync(request, ct);
    }

    public async Task<Answer> PostAsync(string path, string token, IEnumerable<KeyValuePair<string, string>> fields, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new FormUrlEncodedContent(fields.Append(new("__af", token))),
        };
        return await SendAsync(request, ct);
    }

    /// <summary>GET /Login, POST the credentials: the answer of the POST (302 → /Menu on success).</summary>
    public async Task<Answer> LoginAsync(string userId, string password, CancellationToken ct = default)
    {
        var page = await GetAsync("/Login", ct: ct);
        if (page.Status != HttpStatusCode.OK)
        {
            return page;
        }

        return await PostAsync("/Login", page.Token, [new("Input.UserId", userId), new("Input.Password", password)], ct);
    }

    public void Dispose() => http.Dispose();

    internal static string? TokenOf(string html)
    {
        var match = TokenPattern().Match(html);
        return match.Success ? WebUtility.HtmlDecode(match.Groups["v"].Value) : null;
    }

    /// <summary>A JSON POST of the Web API, with its <c>Authorization</c> token when given.</summary>
    public async Task<Answer> PostJsonAsync(string path, string json, string? token = null, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", token);
        }

        return await SendAsync(request, ct);
    }

    private async Task<Answer> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using var response = await http.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        return new Answer(response.StatusCode, response.Headers.Location?.OriginalString, body);
    }

    /// <summary>Our CA only, and the name must match (no other policy error).</summary>
    private static bool IsTrusted(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2 ca) =>
        Onshi.Core.Features.Certificates.ServerCertificateTrust.IsTrusted(certificate, errors, ca);

    [GeneratedRegex("<input[^>]*?name=\"__af\"[^>]*?value=\"(?<v>[^\"]*)\"|<input[^>]*?value=\"(?<v>[^\"]*)\"[^>]*?name=\"__af\"", RegexOptions.CultureInvariant)]
    private static partial Regex TokenPattern();
}
