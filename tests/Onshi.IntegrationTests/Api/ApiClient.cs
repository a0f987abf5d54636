using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Onshi.Cli.Commands;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Oqs;
using Onshi.Oqs.Api;

namespace Onshi.IntegrationTests.Api;

/// <summary>An answer of the Web API: the status, the content type and the JSON (null when the body was not JSON).</summary>
public sealed record ApiAnswer(HttpStatusCode Status, string ContentType, string Body, JsonNode? Json)
{
    public JsonNode? Header => Json?["XmlMsg"]?["MessageHeader"];

    public JsonNode? Body2 => Json?["XmlMsg"]?[Names.Body];

    public string? Segment => (string?)Header?["SegmentOfResult"];

    public string? Code => (string?)Header?[Names.Code];

    public string? Message => (string?)Header?[Names.Message];

    private static class Names
    {
        public const string Body = "MessageBody";
        public const string Code = "ErrorCode";
        public const string Message = "ErrorMessage";
    }
}

/// <summary>A レセコン as the Web API sees it: a terminal certificate and, once authenticated, a token.</summary>
public sealed class ApiClient(HttpClient http) : IDisposable
{
    public string? Token { get; set; }

    public HttpClient Http => http;

    public static ApiClient For(Uri baseAddress, X509Certificate2 ca, DemoTerminal? terminal) =>
        new(new HttpClient(TestTls.Handler(ca, terminal is null ? null : X509CertificateLoader.LoadPkcs12FromFile(terminal.Pfx, terminal.Passphrase)))
        {
            BaseAddress = baseAddress,
        });

    public async Task<ApiAnswer> AuthAsync(string userId, string password)
    {
        var answer = await PostAsync(WebApi.AuthPath, JsonSerializer.Serialize(new { userId, password }), withToken: false);
        if (answer.Status == HttpStatusCode.OK)
        {
            Token = (string?)answer.Json!["result"]!["idToken"];
        }

        return answer;
    }

    public Task<ApiAnswer> SearchAsync(string institutionCode, string insurer, string? symbol, string number, string? branch, string birthdate,
        string consent = "0", string? arbitrary = null) =>
        PostAsync(WebApi.SearchPath, JsonSerializer.Serialize(new JsonObject
        {
            ["XmlMsg"] = new JsonObject
            {
                ["MessageHeader"] = new JsonObject { ["MedicalInstitutionCode"] = institutionCode, ["ArbitraryFileIdentifier"] = "FILE0001" },
                ["MessageBody"] = new JsonObject
                {
                    ["QualificationConfirmSearchInfo"] = Search(insurer, symbol, number, branch, birthdate, consent, arbitrary),
                },
            },
        }));

    public static JsonObject Search(string insurer, string? symbol, string number, string? branch, string birthdate, string consent = "0", string? arbitrary = null)
    {
        var o = new JsonObject { ["InsurerNumber"] = insurer };
        if (!string.IsNullOrEmpty(symbol))
        {
            o["InsuredCardSymbol"] = symbol;
        }

        o["InsuredIdentificationNumber"] = number;
        if (branch is not null)
        {
            o["InsuredBranchNumber"] = branch;
        }

        o["Birthdate"] = birthdate.Replace("-", "", StringComparison.Ordinal);
        o["LimitApplicationCertificateRelatedConsFlg"] = consent;
        if (arbitrary is not null)
        {
            o["ArbitraryIdentifier"] = arbitrary;
        }

        return o;
    }

    public Task<ApiAnswer> BulkAsync(string institutionCode, IEnumerable<JsonObject> patients) =>
        PostAsync(WebApi.BulkPath, new JsonObject
        {
            ["XmlMsg"] = new JsonObject
            {
                ["MessageHeader"] = new JsonObject { ["MedicalInstitutionCode"] = institutionCode, ["ArbitraryFileIdentifier"] = "BULK0001" },
                ["MessageBody"] = new JsonObject { ["QualificationConfirmSearchInfo"] = new JsonArray([.. patients]) },
            },
        }.ToJsonString());

    public Task<ApiAnswer> BulkResultAsync(string institutionCode, string receptionNumber) =>
        PostAsync(WebApi.BulkResultPath, new JsonObject
        {
            ["XmlMsg"] = new JsonObject
            {
                ["MessageHeader"] = new JsonObject { ["MedicalInstitutionCode"] = institutionCode },
                ["MessageBody"] = new JsonObject { ["ReceptionNumber"] = receptionNumber },
            },
        }.ToJsonString());

    /// <summary>Asks for the result until it is no longer 処理中 (at most <paramref name="seconds"/>).</summary>
    public async Task<ApiAnswer> WaitForBulkAsync(string institutionCode, string receptionNumber, int seconds = 60)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var answer = await BulkResultAsync(institutionCode, receptionNumber);
            if (answer.Segment != "2" || DateTime.UtcNow > until)
            {
                return answer;
            }

            await Task.Delay(100);
        }
    }

    public async Task<ApiAnswer> PostAsync(string path, string body, bool withToken = true, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (withToken && Token is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", Token);
        }

        return await SendAsync(request);
    }

    public async Task<ApiAnswer> SendAsync(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? json = null;
        try
        {
            json = JsonNode.Parse(text);
        }
        catch (JsonException)
        {
        }

        return new ApiAnswer(response.StatusCode, response.Content.Headers.ContentType?.MediaType ?? "", text, json);
    }

    public void Dispose() => http.Dispose();
}
