using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Onshi.Core.Features.Certificates;
using Onshi.Core.Features.Qualifications;
using Onshi.Oqs.Api;

namespace Onshi.Cli.Link;

/// <summary>Why a request could not be answered now: try again later (the connection, 429, 503) or never (the credentials).</summary>
internal sealed class LinkUnavailableException(string message, bool permanent) : Exception(message)
{
    public bool Permanent { get; } = permanent;
}

/// <summary>
/// The 連携アプリ's way to the system: the Web API (SPEC §12) over mutual TLS with the terminal's certificate, trusting exactly
/// our CA, authenticated as the 連携アプリ用 account (a token kept in memory and renewed when refused).
/// </summary>
internal sealed class LinkApiClient : IDisposable
{
    private readonly HttpClient http;
    private readonly string userId;
    private readonly string secret;
    private string? token;

    public LinkApiClient(Uri baseAddress, X509Certificate2 ca, X509Certificate2 terminal, string userId, string secret, TimeSpan timeout)
    {
        this.userId = userId;
        this.secret = secret;
        http = new HttpClient(new SocketsHttpHandler
        {
            UseCookies = false,
            AllowAutoRedirect = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [terminal],
                LocalCertificateSelectionCallback = (_, _, _, _, _) => terminal,
                RemoteCertificateValidationCallback = (_, cert, _, errors) => ServerCertificateTrust.IsTrusted(cert, errors, ca),
            },
        })
        { BaseAddress = baseAddress, Timeout = timeout };
    }

    public Task<QualificationResultMessage> SearchAsync(QualificationRequestMessage request, CancellationToken cancellationToken) =>
        SendAsync<QualificationRequestMessage, QualificationResultMessage>(WebApi.SearchPath, request, cancellationToken);

    public Task<BulkResultMessage> BulkAsync(BulkRequestMessage request, CancellationToken cancellationToken) =>
        SendAsync<BulkRequestMessage, BulkResultMessage>(WebApi.BulkPath, request, cancellationToken);

    public Task<BulkResultMessage> BulkResultAsync(BulkResultRequestMessage request, CancellationToken cancellationToken) =>
        SendAsync<BulkResultRequestMessage, BulkResultMessage>(WebApi.BulkResultPath, request, cancellationToken);

    public void Dispose() => http.Dispose();

    /// <summary>Sends the message; a refused token is renewed once. The answer's message whatever its status (4xx carry one too).</summary>
    private async Task<TResult> SendAsync<TRequest, TResult>(string path, TRequest message, CancellationToken cancellationToken)
        where TRequest : class
        where TResult : class
    {
        for (var attempt = 0; ; attempt++)
        {
            token ??= await AuthenticateAsync(cancellationToken);
            using var request = new HttpRequestMessage(HttpMethod.Post, path)
            {
                Content = JsonContent.Create(new XmlMsgEnvelope<TRequest> { XmlMsg = message }, options: WireJson.Options),
            };
            request.Headers.TryAddWithoutValidation("Authorization", token);
            using var response = await SendAsync(request, cancellationToken);
            if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0)
            {
                token = null;
                continue;
            }

            Transient(response);
            var envelope = await ReadAsync<XmlMsgEnvelope<TResult>>(response, cancellationToken);
            return envelope?.XmlMsg ?? throw new LinkUnavailableException($"応答を読み取れませんでした（HTTP {(int)response.StatusCode}）。", permanent: false);
        }
    }

    private async Task<string> AuthenticateAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, WebApi.AuthPath)
        {
            Content = JsonContent.Create(new WebApi.AuthRequest { UserId = userId, Password = secret }),
        };
        using var response = await SendAsync(request, cancellationToken);
        Transient(response);
        var answer = await ReadAsync<WebApi.AuthResponse>(response, cancellationToken);
        if (answer?.Result?.IdToken is { Length: > 0 } idToken)
        {
            return idToken;
        }

        // Wrong or lapsed credentials are not fixed by waiting: answer the request with .err (the message says what to do).
        throw new LinkUnavailableException($"認証に失敗しました（{answer?.ErrorCode}）：{answer?.Message}", permanent: true);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new LinkUnavailableException($"システムに接続できません（{e.HttpRequestError}）。", permanent: false);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new LinkUnavailableException("システムからの応答がありません（タイムアウト）。", permanent: false);
        }
    }

    private static void Transient(HttpResponseMessage response)
    {
        if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable or HttpStatusCode.BadGateway
            or HttpStatusCode.GatewayTimeout or HttpStatusCode.InternalServerError)
        {
            throw new LinkUnavailableException($"システムが一時的に処理できません（HTTP {(int)response.StatusCode}）。", permanent: false);
        }
    }

    private static async Task<T?> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(WireJson.Options, cancellationToken);
        }
        catch (JsonException)
        {
            return default;
        }
        catch (NotSupportedException)
        {
            return default;
        }
    }
}
