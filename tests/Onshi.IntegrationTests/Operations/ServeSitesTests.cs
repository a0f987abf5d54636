using System.Net;
using System.Text.Json.Nodes;
using Onshi.IntegrationTests.Durability;
using Onshi.Web.Hosting;
using Onshi.Web.Operations;
using Shouldly;
using Xunit;

namespace Onshi.IntegrationTests.Operations;

/// <summary>
/// The real <c>onshi serve</c> as a national service runs it (issue 17): one process per site on one data directory and
/// database, each with its own operations endpoint saying which site it serves; and logs as JSON lines a pipeline parses,
/// each with its event id, and the request's trace id.
/// </summary>
public sealed class ServeSitesTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("onshi-sites-").FullName;

    [Fact]
    public async Task EachSite_RunsInAProcessOfItsOwn_OnOneDataDirectory()
    {
        var ct = TestContext.Current.CancellationToken;
        var settings = new OnshiSettings { DataDirectory = directory, DatabaseProvider = "sqlite" };
        using var http = new HttpClient();

        // One after the other, as deploy/ starts them: the first creates the database, the CA and the key ring.
        await using var oqs = await OnshiChildProcess.ServeAsync(settings, Path.Combine(directory, "oqs.log"), null, ct, "--site", "oqs");
        await using var portal = await OnshiChildProcess.ServeAsync(settings, Path.Combine(directory, "portal.log"), null, ct, "--site", "portal");
        await using var console = await OnshiChildProcess.ServeAsync(settings, Path.Combine(directory, "console.log"), null, ct, "--site", "operator");
        foreach (var (process, site) in new[] { (oqs, "oqs"), (portal, "portal"), (console, "operator") })
        {
            var ready = await http.GetAsync(new Uri(process.Operations, OperationsEndpoint.ReadyPath), ct);
            ready.StatusCode.ShouldBe(HttpStatusCode.OK, site);
            var check = JsonNode.Parse(await ready.Content.ReadAsStringAsync(ct))!["checks"]!["ready"]!["data"]!;
            ((string?)check["sites"]).ShouldBe(site);
        }

        oqs.Banner.ShouldContain("オンライン資格確認等システム");
        oqs.Banner.ShouldNotContain("総合ポータルサイト");
        oqs.Banner.ShouldNotContain("運用者コンソール");
        Should.Throw<InvalidOperationException>(() => oqs.Portal);
        portal.Banner.ShouldNotContain("オンライン資格確認等システム");
        console.Banner.ShouldNotContain("総合ポータルサイト");

        // Each answers its own pages: the portal's top page and the console's login page.
        using var tls = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true }) { Timeout = TimeSpan.FromSeconds(30) };
        (await tls.GetAsync(portal.Portal, ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await tls.GetAsync(new Uri(console.Console, "/Login"), ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task APortTaken_EndsTheStart_WithWhatToDo_NotAStackTrace()
    {
        var ct = TestContext.Current.CancellationToken;
        var settings = new OnshiSettings { DataDirectory = directory, DatabaseProvider = "sqlite" };
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        // The operations endpoint starts beside the site, on another core: its failure still ends the start, with the port named.
        var (exitCode, output) = await OnshiChildProcess.RunAsync(settings, ["serve", "--site", "oqs", "--oqs-port", "0", "--ops-port", port], ct);

        exitCode.ShouldBe(3);
        output.ShouldContain("ポートが他のプロセスで使用中です");
        output.ShouldContain($"127.0.0.1:{port}");
        output.ShouldNotContain("   at Onshi.");
    }

    [Fact]
    public async Task JsonLogs_AreOneObjectPerLine_WithEventIdsAndTraceIds()
    {
        var ct = TestContext.Current.CancellationToken;
        var settings = new OnshiSettings { DataDirectory = directory, DatabaseProvider = "sqlite" };
        var logPath = Path.Combine(directory, "json.log");
        var environment = new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Information" };
        await using (var onshi = await OnshiChildProcess.ServeAsync(settings, logPath, environment, ct, "--site", "portal", "--log-format", "json"))
        {
            using var tls = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });
            (await tls.GetAsync(onshi.Portal, ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
            (await tls.GetAsync(new Uri(onshi.Portal, "/no-such-page"), ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }

        var events = (await File.ReadAllLinesAsync(logPath, ct)).Where(l => l.StartsWith('{')).ToList();
        events.Count.ShouldBeGreaterThan(2);
        var parsed = events.Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        parsed.ShouldAllBe(e => e.ContainsKey("Timestamp") && e.ContainsKey("EventId") && e.ContainsKey("LogLevel") && e.ContainsKey("Category") && e.ContainsKey("Message"));
        var request = parsed.FirstOrDefault(e => (string?)e["Category"] == "Microsoft.AspNetCore.Hosting.Diagnostics"
            && e["Scopes"] is JsonArray scopes && scopes.Any(s => s is JsonObject o && o.ContainsKey("TraceId")));
        request.ShouldNotBeNull(string.Join('\n', events.Take(5)));
        var traceId = (string?)request["Scopes"]!.AsArray().Select(s => s as JsonObject).First(o => o is not null && o.ContainsKey("TraceId"))!["TraceId"];
        traceId.ShouldNotBeNull().Length.ShouldBe(32);

        // No line of the whole output is human text that a pipeline would have to guess at, besides the start banner.
        (await File.ReadAllLinesAsync(logPath, ct)).Where(l => l.StartsWith("info:", StringComparison.Ordinal) || l.StartsWith("warn:", StringComparison.Ordinal))
            .ShouldBeEmpty();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(directory, recursive: true);
            File.Delete(Onshi.Core.Features.Secrets.MasterKey.DefaultKeyFilePath(directory));
        }
        catch (IOException)
        {
        }
    }
}
