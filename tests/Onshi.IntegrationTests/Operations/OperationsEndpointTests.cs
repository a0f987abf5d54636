using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Hosting;
using Onshi.IntegrationTests.Api;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Oqs;
using Onshi.Web.Hosting;
using Onshi.Web.Operations;
using Shouldly;
using Xunit;

namespace Onshi.IntegrationTests.Operations;

/// <summary>
/// The operations endpoint (issue 17) beside the real OQS on both databases: plain HTTP without a certificate; ready only
/// once the site has started, never while draining or when the database does not answer; the Prometheus text shows Onshi's
/// own counters moving with what the site does (logins by outcome, lookups by 資格有効性, refusals) and the requests by site,
/// and never a user ID, an institution code or an address; a draining process refuses new pages and API calls with 503.
/// </summary>
public sealed class OperationsEndpointTests
{
    public static TheoryData<string> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Ready_OnlyWhenStarted_MetricsMove_AndDrainingRefusesNewRequests(string provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await OqsServer.StartAsync(provider);
        var readiness = server.App.Services.GetRequiredService<OnshiReadiness>();
        await using var ops = OperationsEndpoint.Create(readiness, LogFormat.Human, IPAddress.Loopback, 0, _ => { });
        await ops.StartAsync(ct);
        using var http = new HttpClient { BaseAddress = new Uri(ops.Urls.First()) };

        // Live at once; not ready before the process says its sites started.
        (await http.GetAsync(OperationsEndpoint.LivePath, ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var starting = await http.GetAsync(OperationsEndpoint.ReadyPath, ct);
        starting.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        Check(await starting.Content.ReadAsStringAsync(ct))["description"]!.GetValue<string>().ShouldBe("starting");

        readiness.SiteStarted("oqs", server.App.Services);
        readiness.MarkStarted();
        var ready = await http.GetAsync(OperationsEndpoint.ReadyPath, ct);
        ready.StatusCode.ShouldBe(HttpStatusCode.OK);
        var data = Check(await ready.Content.ReadAsStringAsync(ct))["data"]!;
        ((string?)data["database"]).ShouldBe("ok");
        ((string?)data["keyRing"]).ShouldBe("ok");
        ((string?)data["sites"]).ShouldBe("oqs");

        // What the site does moves the counters: a wrong password, a login, a lookup per 資格有効性, a refused request.
        var before = Samples(await http.GetStringAsync(OperationsEndpoint.MetricsPath, ct));
        using var api = ApiClient.For(server.BaseAddress, server.CaCertificate, server.Demo.Terminal);
        var account = server.Account("webapi");
        (await api.AuthAsync(account.UserId, "wrong-password-123")).Status.ShouldBe(HttpStatusCode.Unauthorized);
        (await api.AuthAsync(account.UserId, account.Password)).Status.ShouldBe(HttpStatusCode.OK);
        var code = server.Demo.Institution.Code;
        foreach (var e in server.Demo.Insured)
        {
            (await api.SearchAsync(code, e.InsurerNumber, e.Symbol, e.Number, e.Branch, e.Birthdate)).Status.ShouldBe(HttpStatusCode.OK);
        }

        (await api.PostAsync("/oqs-api-pro/nothing-here", "{}")).Status.ShouldBe(HttpStatusCode.NotFound);
        using var browser = server.Client(server.Demo.Terminal);
        (await browser.GetAsync("/Login")).Status.ShouldBe(HttpStatusCode.OK);

        var text = await http.GetStringAsync(OperationsEndpoint.MetricsPath, ct);
        var after = Samples(text);
        Delta(before, after, "onshi_logins_total", "site=\"oqs\"", "outcome=\"failure\"").ShouldBeGreaterThanOrEqualTo(1);
        Delta(before, after, "onshi_logins_total", "site=\"oqs\"", "outcome=\"success\"").ShouldBeGreaterThanOrEqualTo(1);
        foreach (var validity in server.Demo.Insured.GroupBy(e => e.Validity))
        {
            Delta(before, after, "onshi_lookups_total", $"validity=\"{validity.Key.ToString(CultureInfo.InvariantCulture)}\"")
                .ShouldBeGreaterThanOrEqualTo(validity.Count());
        }

        Delta(before, after, "onshi_refusals_total", "reason=\"api-unknown-path\"").ShouldBeGreaterThanOrEqualTo(1);
        Delta(before, after, "onshi_audit_commit_duration_seconds_count").ShouldBeGreaterThanOrEqualTo(2 + server.Demo.Insured.Count);
        // The request metrics are the framework's, one meter per web application: other tests' applications in this process come
        // and go, and a disposed meter's series leave the sums, so only their presence with the site's label is checked here.
        text.ShouldContain("onshi_site=\"oqs\"");
        text.ShouldContain("onshi_bulk_queue");
        text.ShouldContain("dotnet_gc_collections_total");

        // Labels are codes: no account, institution, patient or client address in the whole text (the server's own bind address is).
        text.ShouldNotContain(account.UserId);
        text.ShouldNotContain(code);
        text.ShouldNotContain("client_address");
        text.ShouldNotContain("network_peer_address");
        text.ShouldNotContain(server.Demo.Insured[0].Number + "\"");

        // Draining: not ready, and the site refuses new pages (the calm 503 page) and API calls (the API's JSON 503).
        readiness.BeginDrain();
        var draining = await http.GetAsync(OperationsEndpoint.ReadyPath, ct);
        draining.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        Check(await draining.Content.ReadAsStringAsync(ct))["description"]!.GetValue<string>().ShouldBe("stopping");
        var page = await browser.GetAsync("/Login");
        page.Status.ShouldBe(HttpStatusCode.ServiceUnavailable);
        page.H1.ShouldBe("ただいま切り替え中です");
        (await browser.Http.GetAsync(new Uri("/assets/site.css", UriKind.Relative), ct)).StatusCode.ShouldBe(HttpStatusCode.OK, "the 503 page keeps its look");
        var refused = await api.SearchAsync(code, server.Demo.Insured[0].InsurerNumber, server.Demo.Insured[0].Symbol, server.Demo.Insured[0].Number,
            server.Demo.Insured[0].Branch, server.Demo.Insured[0].Birthdate);
        refused.Status.ShouldBe(HttpStatusCode.ServiceUnavailable);
        refused.ContentType.ShouldBe("application/json");

        // Only GET and HEAD, and only its three paths.
        (await http.PostAsync(OperationsEndpoint.ReadyPath, new StringContent(""), ct)).StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);
        (await http.GetAsync("/", ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        await ops.StopAsync(ct);
    }

    [Fact]
    public async Task Ready_IsRefused_WhileTheDatabaseDoesNotAnswer()
    {
        var ct = TestContext.Current.CancellationToken;
        var dir = Directory.CreateTempSubdirectory("onshi-ops-").FullName;
        try
        {
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddOnshiCore(dir, o => o.UseSqlite($"Data Source={Path.Combine(dir, "missing", "onshi.db")};Mode=ReadWrite"));
            await using var provider = services.BuildServiceProvider();
            var readiness = new OnshiReadiness();
            readiness.SiteStarted("oqs", provider);
            readiness.MarkStarted();
            await using var ops = OperationsEndpoint.Create(readiness, LogFormat.Human, IPAddress.Loopback, 0, _ => { });
            await ops.StartAsync(ct);
            using var http = new HttpClient { BaseAddress = new Uri(ops.Urls.First()) };
            var answer = await http.GetAsync(OperationsEndpoint.ReadyPath, ct);
            answer.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            var check = Check(await answer.Content.ReadAsStringAsync(ct));
            ((string?)check["description"]).ShouldBe("database");
            ((string?)check["data"]!["database"]).ShouldBe("unavailable");
            (await http.GetAsync(OperationsEndpoint.LivePath, ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
            await ops.StopAsync(ct);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static JsonNode Check(string body) => JsonNode.Parse(body)!["checks"]!["ready"]!;

    /// <summary>The samples of a Prometheus text: each line's name and labels, and its value.</summary>
    private static Dictionary<string, double> Samples(string text)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            samples[line[..space]] = double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
        }

        return samples;
    }

    /// <summary>The sum over the samples named <paramref name="name"/> that carry every label of <paramref name="labels"/>, after minus before.</summary>
    private static double Delta(Dictionary<string, double> before, Dictionary<string, double> after, string name, params string[] labels)
    {
        var pattern = new Regex("^" + Regex.Escape(name) + "(\\{|$)", RegexOptions.CultureInvariant);
        double Sum(Dictionary<string, double> samples) =>
            samples.Where(s => pattern.IsMatch(s.Key) && labels.All(l => s.Key.Contains(l, StringComparison.Ordinal))).Sum(s => s.Value);
        return Sum(after) - Sum(before);
    }
}
