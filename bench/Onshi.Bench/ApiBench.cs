using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Onshi.Bench;

/// <summary>The JSON bodies of the Web API scenarios (SPEC §11.3 / §12), the same shape for Onshi and for bare Kestrel.</summary>
public static class ApiBodies
{
    public const string AuthPath = "/oqs-api-pro/MSA12020/ILI12020SV01/auth";
    public const string SearchPath = "/oqs-api-pro/MSA01030/ILI01030SV01/search";
    public const string BulkPath = "/oqs-api-pro/onshi/v1/bulk";
    public const string BulkResultPath = "/oqs-api-pro/onshi/v1/bulk/result";

    public static JsonObject Patient(InsuredSampleKey key)
    {
        var o = new JsonObject { ["InsurerNumber"] = key.InsurerNumber };
        if (key.Symbol.Length > 0)
        {
            o["InsuredCardSymbol"] = key.Symbol;
        }

        o["InsuredIdentificationNumber"] = key.Number;
        o["InsuredBranchNumber"] = key.Branch;
        o["Birthdate"] = key.Birthdate.Replace("-", "", StringComparison.Ordinal);
        o["LimitApplicationCertificateRelatedConsFlg"] = "0";
        return o;
    }

    public static string Search(string institutionCode, InsuredSampleKey key) => new JsonObject
    {
        ["XmlMsg"] = new JsonObject
        {
            ["MessageHeader"] = new JsonObject { ["MedicalInstitutionCode"] = institutionCode },
            ["MessageBody"] = new JsonObject { ["QualificationConfirmSearchInfo"] = Patient(key) },
        },
    }.ToJsonString();

    public static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    /// <summary>Authenticates a Web API用 account at this user's terminal; the token goes in every later request.</summary>
    public static async Task AuthenticateAsync(BenchUser user, string userId, string password, CancellationToken ct)
    {
        var auth = await user.SendAsync(HttpMethod.Post, AuthPath, Json(JsonSerializer.Serialize(new { userId, password })), ct);
        OnshiTarget.Expect(auth, 200, "POST auth");
        var token = JsonNode.Parse(auth.Body)?["result"]?["idToken"]?.GetValue<string>() ?? throw new BenchException("auth answered no idToken");
        user.Client.DefaultRequestHeaders.Remove("Authorization");
        user.Client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", token);
    }
}

/// <summary>
/// 資格情報照会 through the Web API as a hospital's 電子カルテ does it: one of the large institution's Web API用 accounts
/// authenticates at its terminal (mutual TLS) once per worker, then POSTs <c>search</c> with one patient's keys (JSON, §11.3)
/// and reads the answer; every lookup writes its 資格確認結果 and its audit row.
/// </summary>
public sealed class OnshiApiLookupScenario(OnshiTarget target, InsuredSample sample) : IScenario
{
    public string Name => "api-lookup";

    public int RequestsPerOperation => 1;

    public async Task<BenchWorker> PrepareWorkerAsync(int worker, int concurrency, CancellationToken ct)
    {
        var institution = target.Large;
        var accounts = institution.Accounts.Where(a => a.Kind == "webapi").ToList();
        if (accounts.Count == 0)
        {
            throw new InvalidOperationException("the large institution has no Web API用 account");
        }

        var user = target.UserAt(institution, worker);
        var account = accounts[worker % accounts.Count];
        await ApiBodies.AuthenticateAsync(user, account.UserId, account.Password, ct);
        var n = 0;
        return new BenchWorker(async ct2 =>
        {
            var key = sample.For(worker, concurrency, n++);
            var answer = await user.SendAsync(HttpMethod.Post, ApiBodies.SearchPath, ApiBodies.Json(ApiBodies.Search(institution.Code, key)), ct2);
            OnshiTarget.Expect(answer, 200, "POST search");
            if (!answer.Body.Contains("\"SegmentOfResult\":\"1\"", StringComparison.Ordinal) || !answer.Body.Contains("\"QualificationValidity\"", StringComparison.Ordinal))
            {
                throw new BenchException("search answered without its 資格有効性");
            }
        }, user);
    }
}

/// <summary>
/// The baseline of the Web API: bare Kestrel reading the same JSON request over the same mutual TLS (the client presents the
/// terminal certificate) and answering a JSON body of the size of Onshi's answer (<c>POST /api/echo</c>).
/// </summary>
public sealed class BareJsonScenario(Uri baseAddress, X509Certificate2 ca, X509Certificate2? clientCertificate, InsuredSample? sample) : IScenario
{
    public string Name => "json-post";

    public int RequestsPerOperation => 1;

    public Task<BenchWorker> PrepareWorkerAsync(int worker, int concurrency, CancellationToken ct)
    {
        var user = new BenchUser(BenchHttp.CreateClient(baseAddress, ca, clientCertificate));
        var n = 0;
        var fallback = new InsuredSampleKey("06139993", "1234", "567890", "00", "1980-04-01");
        return Task.FromResult(new BenchWorker(async ct2 =>
        {
            var key = sample is null ? fallback : sample.For(worker, concurrency, n++);
            var answer = await user.SendAsync(HttpMethod.Post, "/api/echo", ApiBodies.Json(ApiBodies.Search("1310000019", key)), ct2);
            OnshiTarget.Expect(answer, 200, "POST /api/echo");
        }, user));
    }
}

/// <summary>A 一括照会 of N patients through the Web API, timed from the request to the fetched result (issue 16's bulk target).</summary>
public static class BulkTiming
{
    public static async Task<CellResult> RunAsync(OnshiTarget target, InsuredSample sample, int patients, ServerProcess server, CancellationToken ct)
    {
        var institution = target.Large;
        var account = institution.Accounts.First(a => a.Kind == "webapi");
        using var user = target.UserAt(institution, 0);
        await ApiBodies.AuthenticateAsync(user, account.UserId, account.Password, ct);
        var list = new JsonArray([.. Enumerable.Range(0, patients).Select(i => (JsonNode)ApiBodies.Patient(sample.Keys[i % sample.Keys.Count]))]);
        var body = new JsonObject
        {
            ["XmlMsg"] = new JsonObject
            {
                ["MessageHeader"] = new JsonObject { ["MedicalInstitutionCode"] = institution.Code },
                ["MessageBody"] = new JsonObject { ["QualificationConfirmSearchInfo"] = list },
            },
        }.ToJsonString();
        var cpuBefore = server.CpuTicks();
        var watch = Stopwatch.StartNew();
        var accepted = await user.SendAsync(HttpMethod.Post, ApiBodies.BulkPath, ApiBodies.Json(body), ct);
        OnshiTarget.Expect(accepted, 200, "POST bulk");
        var acceptedMs = watch.Elapsed.TotalMilliseconds;
        var reception = JsonNode.Parse(accepted.Body)?["XmlMsg"]?["MessageBody"]?["ReceptionNumber"]?.GetValue<string>() ?? throw new BenchException("no ReceptionNumber");
        var ask = new JsonObject
        {
            ["XmlMsg"] = new JsonObject
            {
                ["MessageHeader"] = new JsonObject { ["MedicalInstitutionCode"] = institution.Code },
                ["MessageBody"] = new JsonObject { ["ReceptionNumber"] = reception },
            },
        }.ToJsonString();
        string segment;
        BenchResponse result;
        do
        {
            await Task.Delay(50, ct);
            result = await user.SendAsync(HttpMethod.Post, ApiBodies.BulkResultPath, ApiBodies.Json(ask), ct);
            OnshiTarget.Expect(result, 200, "POST bulk/result");
            segment = JsonNode.Parse(result.Body)?["XmlMsg"]?["MessageHeader"]?["SegmentOfResult"]?.GetValue<string>() ?? "";
        }
        while (segment == "2" && watch.Elapsed < TimeSpan.FromMinutes(10));

        var seconds = watch.Elapsed.TotalSeconds;
        var serverShare = (server.CpuTicks() - cpuBefore) / (double)ProcStat.ClockTicksPerSecond / (seconds * Environment.ProcessorCount) * 100;
        var units = JsonNode.Parse(result.Body)?["XmlMsg"]?["MessageHeader"]?["NumberOfProcessingResult"]?.GetValue<string>();
        var errors = segment == "1" && units == patients.ToString(CultureInfo.InvariantCulture) ? 0 : 1;
        return new CellResult("", "bulk-" + (patients / 1000).ToString(CultureInfo.InvariantCulture) + "k", 1, 1, patients, errors,
            errors == 0 ? null : $"SegmentOfResult {segment}, {units} units", seconds, acceptedMs, seconds * 1000, seconds * 1000, serverShare, 0, 0,
            server.VmRssKb() / 1024.0);
    }
}
