using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Onshi.IntegrationTests.Api;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Oqs;
using Onshi.Oqs.Api;
using Shouldly;
using Xunit;

namespace Onshi.IntegrationTests.Corpus;

/// <summary>
/// The bad-input corpus extended to the Web API's JSON bodies (and, through <c>onshi link</c>, to XML files: <see cref="LinkCorpusTests"/>):
/// every value of <see cref="BadInput"/> in every string field of every message, and bodies broken in structure. Each answer is
/// a JSON message (never HTML, never a 5xx); a refused request changes no business table (the 資格確認結果, the 一括照会, the
/// accounts but for the failure count). The full corpus on SQLite, one value of each kind on PostgreSQL.
/// </summary>
public sealed class ApiCorpusTests
{
    public static TheoryData<string> Providers => TestDatabase.Providers;

    private const string Placeholder = "\u0000PLACEHOLDER\u0000";

    /// <summary>The tables a refused request may change: the audit rows, the failure count of an account, the throttle, sessions ended.</summary>
    private static readonly string[] MayChangeWhenRefused = ["Accounts", "ThrottleAttempts", "LoginSessions"];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task EveryStringFieldOfEveryMessage_WithEveryBadValue_AnswersAJsonMessage_AndARefusalChangesNothing(string provider)
    {
        // No job worker: an accepted 一括照会 stays 受付, so that the snapshots see only what each request did.
        await using var server = await OqsServer.StartAsync(provider, s =>
        {
            s.RemoveAll<Onshi.Core.Features.Jobs.BackgroundJobKind>();
            s.Configure<WebApiOptions>(o => o.CertificateBurst = o.CertificateRequestsPerSecond = o.TokenBurst = o.TokenRequestsPerSecond = 100_000);
        });
        var api = ApiClient.For(server.BaseAddress, server.CaCertificate, server.Demo.Terminal);
        var account = server.Account("webapi");
        (await api.AuthAsync(account.UserId, account.Password)).Status.ShouldBe(HttpStatusCode.OK);
        var code = server.Demo.Institution.Code;
        var e = server.Demo.Insured[0];
        var search = new Dictionary<string, string?>
        {
            ["InsurerNumber"] = e.InsurerNumber,
            ["InsuredCardSymbol"] = e.Symbol,
            ["InsuredIdentificationNumber"] = e.Number,
            ["InsuredBranchNumber"] = e.Branch,
            ["Birthdate"] = e.Birthdate.Replace("-", "", StringComparison.Ordinal),
            ["LimitApplicationCertificateRelatedConsFlg"] = "0",
            ["ArbitraryIdentifier"] = "A1",
        };
        var header = new Dictionary<string, string?> { ["QualificationConfirmationDate"] = null, ["MedicalInstitutionCode"] = code, ["ArbitraryFileIdentifier"] = "F1" };
        var messages = new List<(string Path, string Field, Func<string, string> Body)>();
        foreach (var field in header.Keys)
        {
            messages.Add((WebApi.SearchPath, "header." + field, v => Envelope(With(header, field, v), "\"QualificationConfirmSearchInfo\":" + Json(search))));
            messages.Add((WebApi.BulkPath, "header." + field, v => Envelope(With(header, field, v), "\"QualificationConfirmSearchInfo\":[" + Json(search) + "]")));
        }

        foreach (var field in search.Keys)
        {
            messages.Add((WebApi.SearchPath, "search." + field, v => Envelope(header, "\"QualificationConfirmSearchInfo\":" + Json(With(search, field, v)))));
            messages.Add((WebApi.BulkPath, "search." + field, v => Envelope(header, "\"QualificationConfirmSearchInfo\":[" + Json(With(search, field, v)) + "]")));
        }

        messages.Add((WebApi.BulkResultPath, "body.ReceptionNumber", v => Envelope(header, "\"ReceptionNumber\":" + Placeholder)));
        messages.Add((WebApi.AuthPath, "userId", v => "{\"userId\":" + Placeholder + ",\"password\":\"x\"}"));
        messages.Add((WebApi.AuthPath, "password", v => "{\"userId\":\"" + account.UserId + "\",\"password\":" + Placeholder + "}"));

        var values = provider == TestDatabase.Postgres ? BadInput.Sample : BadInput.Values;
        var cases = 0;
        foreach (var (path, field, body) in messages)
        {
            foreach (var value in values)
            {
                if (path == WebApi.AuthPath)
                {
                    // Keep the token's account below its lockout: a wrong password counts.
                    await server.WithDbAsync(async db =>
                    {
                        db.DeclareNeutralWrite(typeof(Onshi.Core.Data.Account));
                        return await db.Accounts.ExecuteUpdateAsync(s => s.SetProperty(a => a.AccessFailedCount, 0)) + await db.ThrottleAttempts.ExecuteDeleteAsync();
                    });
                }

                var before = await DbSnapshot.TakeAsync(server.App);
                var template = body(Placeholder);
                var bytes = Fill(template, value);
                var label = $"{path} {field} {value.Name}";
                ApiAnswer answer;
                try
                {
                    answer = await SendAsync(api, path, bytes);
                }
                catch (HttpRequestException) when (value.MayResetConnection)
                {
                    // The server closed the connection under the sender: a new client, so that the next request does not meet it.
                    var token = api.Token;
                    api.Dispose();
                    api = ApiClient.For(server.BaseAddress, server.CaCertificate, server.Demo.Terminal);
                    api.Token = token;
                    // Refused before the body was read (over the limit), the connection closed under the sender: nothing changed.
                    (await DbSnapshot.TakeAsync(server.App)).ChangedSince(before)
                        .Where(t => !MayChangeWhenRefused.Any(m => t.StartsWith(m + " ", StringComparison.Ordinal))).ShouldBeEmpty(label);
                    cases++;
                    continue;
                }

                ((int)answer.Status).ShouldBeLessThan(500, label);
                answer.ContentType.ShouldBe("application/json", label);
                answer.Json.ShouldNotBeNull(label);
                answer.Body.ShouldNotContain("<html", Case.Insensitive, label);
                if (answer.Status != HttpStatusCode.OK)
                {
                    var changed = (await DbSnapshot.TakeAsync(server.App)).ChangedSince(before)
                        .Where(t => !MayChangeWhenRefused.Any(m => t.StartsWith(m + " ", StringComparison.Ordinal))).ToList();
                    changed.ShouldBeEmpty(label);
                    if (path != WebApi.AuthPath)
                    {
                        answer.Segment.ShouldBe("9", label);
                        answer.Message.ShouldNotBeNullOrEmpty(label);
                    }
                }

                if (path == WebApi.AuthPath && answer.Status == HttpStatusCode.OK)
                {
                    api.Token = (string?)answer.Json!["result"]!["idToken"];
                }
                else if (path == WebApi.AuthPath)
                {
                    (await api.AuthAsync(account.UserId, account.Password)).Status.ShouldBe(HttpStatusCode.OK);
                }

                cases++;
            }
        }

        // Broken in structure.
        var structural = new[]
        {
            "", "{", "[]", "\"XmlMsg\"", "{\"XmlMsg\":null}", "{\"XmlMsg\":{\"MessageHeader\":[],\"MessageBody\":{}}}", "{\"XmlMsg\":{\"MessageBody\":{\"QualificationConfirmSearchInfo\":5}}}",
            new string('[', 10_000) + new string(']', 10_000), "{\"XmlMsg\":" + string.Concat(Enumerable.Repeat("{\"a\":", 200)) + "1" + new string('}', 201),
            "\uFEFF{\"XmlMsg\":{}}", "{\"XmlMsg\":{},\"XmlMsg\":{}}", "{\"XmlMsg\":{\"MessageHeader\":{\"MedicalInstitutionCode\":true}}}",
        };
        foreach (var path in new[] { WebApi.SearchPath, WebApi.BulkPath, WebApi.BulkResultPath, WebApi.AuthPath })
        {
            foreach (var text in structural)
            {
                var before = await DbSnapshot.TakeAsync(server.App);
                var answer = await SendAsync(api, path, Encoding.UTF8.GetBytes(text));
                var label = $"{path} structural {text[..Math.Min(text.Length, 30)]}";
                ((int)answer.Status).ShouldBeInRange(400, 499, label);
                answer.ContentType.ShouldBe("application/json", label);
                (await DbSnapshot.TakeAsync(server.App)).ChangedSince(before)
                    .Where(t => !MayChangeWhenRefused.Any(m => t.StartsWith(m + " ", StringComparison.Ordinal))).ShouldBeEmpty(label);
                cases++;
            }
        }

        api.Dispose();
        TestContext.Current.SendDiagnosticMessage($"ApiCorpus ({provider}): {cases} cases");
        cases.ShouldBeGreaterThan(50);
        CorpusRunner.NoUndeclaredWrite(server.App);
    }

    private static Dictionary<string, string?> With(Dictionary<string, string?> fields, string field, string placeholder) =>
        fields.ToDictionary(kv => kv.Key, kv => kv.Key == field ? placeholder : kv.Value);

    private static string Envelope(Dictionary<string, string?> header, string body) =>
        "{\"XmlMsg\":{\"MessageHeader\":" + Json(header) + ",\"MessageBody\":{" + body + "}}}";

    /// <summary>An object of string fields; the placeholder is left bare for <see cref="Fill"/>.</summary>
    private static string Json(Dictionary<string, string?> fields) => "{" + string.Join(",", fields.Where(kv => kv.Value is not null)
        .Select(kv => JsonSerializer.Serialize(kv.Key) + ":" + (kv.Value == Placeholder ? Placeholder : JsonSerializer.Serialize(kv.Value)))) + "}";

    /// <summary>The template with the placeholder replaced by the value as a JSON string (raw bytes put inside the quotes as they are).</summary>
    private static byte[] Fill(string template, BadValue value)
    {
        var at = template.IndexOf(Placeholder, StringComparison.Ordinal);
        var head = Encoding.UTF8.GetBytes(template[..at]);
        var tail = Encoding.UTF8.GetBytes(template[(at + Placeholder.Length)..]);
        byte[] middle = value.Raw is { } raw ? [(byte)'"', .. raw, (byte)'"'] : Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value.Text));
        return [.. head, .. middle, .. tail];
    }

    private static Task<ApiAnswer> SendAsync(ApiClient api, string path, byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
        if (api.Token is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", api.Token);
        }

        return api.SendAsync(request);
    }
}
