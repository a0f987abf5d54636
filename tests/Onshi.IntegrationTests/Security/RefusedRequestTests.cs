using System.Net;
using System.Text;
using AngleSharp.Html.Parser;
using Microsoft.EntityFrameworkCore;
using Onshi.Cli.Commands;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Mail;
using Onshi.Core.Features.Operators;
using Onshi.Core.Features.PortalAccounts;
using Onshi.IntegrationTests.Infrastructure;
using Onshi.IntegrationTests.Operator;
using Onshi.IntegrationTests.Oqs;
using Onshi.IntegrationTests.Portal;
using Onshi.Web.Hosting;
using Shouldly;

namespace Onshi.IntegrationTests.Security;

/// <summary>
/// Refused requests on the three sites (docs/security.md, ASVS 16.3.3 and the host-header row): a bad antiforgery token,
/// forbidden characters, a body over the limit and a forged Host header are answered with a Japanese page, change nothing,
/// and leave one <c>request.refused</c> row (denied) with the route, the actor and the address — never the submitted value —
/// at most once a minute per reason and address. Ordinary validation errors leave none.
/// </summary>
public abstract class RefusedRequestTests(string provider)
{
    private const string Marker = "MARKER-7f3a";
    private const string EvilHost = "evil.example";
    private static readonly HtmlParser Parser = new();

    [Fact]
    public async Task Oqs_ForgedTokenFlood_OneRowAMinute_WithAccountRouteAndAddress_NeverTheValues()
    {
        await using var server = await OqsServer.StartAsync(provider);
        var master = server.Account("master");
        using var client = server.Client(server.Demo.Terminal);
        (await client.LoginAsync(master.UserId, master.Password)).Path.ShouldBe("/Menu");
        await client.GetAsync("/Accounts/Register");
        var accountsBefore = await server.WithDbAsync(db => db.Accounts.CountAsync());

        for (var i = 0; i < 5; i++)
        {
            var page = await client.PostAsync("/Accounts/Register", Fields(("__af", "CfDJ8Forged" + new string('A', 80)), ("Input.UserId", "FORGED01"),
                ("Input.DisplayName", Marker)));
            page.Status.ShouldBe(HttpStatusCode.BadRequest);
            page.H1.ShouldBe("操作を受け付けられませんでした");
        }

        var rows = await RefusalsAsync(server.WithDbAsync);
        var row = rows.ShouldHaveSingleItem();
        row.Outcome.ShouldBe(AuditOutcomes.Denied);
        row.Detail.ShouldBe(RequestRefusalReasons.Antiforgery);
        row.Target.ShouldBe("/Accounts/Register");
        row.Actor.ShouldBe(master.UserId);
        row.ActorKind.ShouldBe(AccountKind.Master);
        row.InstitutionCode.ShouldBe(server.Demo.Institution.Code);
        row.Environment.ShouldBe(OqsEnvironment.Production);
        row.CertificateSerial.ShouldNotBeNullOrEmpty();
        row.ClientAddress.ShouldBe("127.0.0.1");
        ShouldHoldNoValue(row);

        // A minute later the next refusal is written again. The clock's jump also wakes the session sweep, which may write the
        // four folded refusals as their summary row first (then this one waits for the next): either way a second row comes.
        server.Time.Advance(TimeSpan.FromSeconds(61));
        (await client.PostAsync("/Accounts/Register", Fields(("Input.UserId", "FORGED01")))).Status.ShouldBe(HttpStatusCode.BadRequest);
        await Eventually.UntilAsync(async () => (await RefusalsAsync(server.WithDbAsync)).Count == 2, "no second refusal row after a minute");
        (await RefusalsAsync(server.WithDbAsync)).Count.ShouldBe(2);
        (await server.WithDbAsync(db => db.Accounts.CountAsync())).ShouldBe(accountsBefore);
        (await server.WithDbAsync(db => AuditLog.VerifyAsync(db))).ShouldBeNull();
    }

    [Fact]
    public async Task Oqs_ForbiddenCharacters_FieldMessage_NothingStored_OneRowOfItsOwnKind()
    {
        await using var server = await OqsServer.StartAsync(provider);
        var master = server.Account("master");
        using var client = server.Client(server.Demo.Terminal);
        (await client.LoginAsync(master.UserId, master.Password)).Path.ShouldBe("/Menu");

        // A bad token first: its row does not hold back the row of another reason.
        (await client.PostAsync("/Accounts/Register", Fields(("Input.UserId", "FORGED01")))).Status.ShouldBe(HttpStatusCode.BadRequest);
        foreach (var (name, readable) in new[] { ("ab\u0001" + Marker, true), ("ab\u0085" + Marker, true), ("ab\uFFFD" + Marker, true), ("ab\0" + Marker, false) })
        {
            var form = await client.GetAsync("/Accounts/Register");
            var page = await client.SubmitAsync(form, "main form", new Dictionary<string, string>
            {
                ["Input.Kind"] = form.Document.QuerySelectorAll("#Kind option").Select(o => o.GetAttribute("value")).Last(v => !string.IsNullOrEmpty(v))!,
                ["Input.UserId"] = "CTRL0001",
                ["Input.DisplayName"] = name,
            });
            if (readable)
            {
                page.Status.ShouldBe(HttpStatusCode.OK);
                page.Errors.ShouldContain(e => e.Contains("制御文字", StringComparison.Ordinal));
            }
            else
            {
                // The form reader cannot read a NUL: the whole form is refused with the 400 page.
                page.Status.ShouldBe(HttpStatusCode.BadRequest);
                page.H1.ShouldBe("操作を受け付けられませんでした");
            }
        }

        (await server.WithDbAsync(db => db.Accounts.CountAsync(a => a.NormalizedUserId == "CTRL0001"))).ShouldBe(0);
        var rows = await RefusalsAsync(server.WithDbAsync);
        // One row of each reason within the minute, however many requests.
        rows.Select(r => r.Detail).ShouldBe([RequestRefusalReasons.Antiforgery, RequestRefusalReasons.ForbiddenInput]);
        rows[1].Actor.ShouldBe(master.UserId);
        rows[1].Target.ShouldBe("/Accounts/Register");
        rows.ShouldAllBe(r => r.Outcome == AuditOutcomes.Denied);
        ShouldHoldNoValue(rows[1]);
    }

    [Fact]
    public async Task Oqs_OrdinaryValidationErrors_AreNotAudited()
    {
        await using var server = await OqsServer.StartAsync(provider);
        var master = server.Account("master");
        using var client = server.Client(server.Demo.Terminal);
        (await client.LoginAsync(master.UserId, master.Password)).Path.ShouldBe("/Menu");
        var form = await client.GetAsync("/Accounts/Register");

        var page = await client.SubmitAsync(form, "main form", new Dictionary<string, string>
        {
            ["Input.UserId"] = "ab",
            ["Input.DisplayName"] = new string('名', 200),
        });
        var search = await client.GetAsync("/AuditLog?From=2025-13-45&Account=" + new string('x', 40));

        page.Errors.ShouldNotBeEmpty();
        search.Errors.ShouldNotBeEmpty();
        (await RefusalsAsync(server.WithDbAsync)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Oqs_ForgedHost_Is400JapanesePage_BeforeTheCertificateCheck_Audited()
    {
        await using var server = await OqsServer.StartAsync(provider);
        using var client = server.Client(server.Demo.Terminal);
        using var noCertificate = server.Client((DemoTerminal?)null);

        var (status, html, headers) = await SendAsync(client, HttpMethod.Get, "/Login", EvilHost);
        var (statusWithout, htmlWithout, _) = await SendAsync(noCertificate, HttpMethod.Get, "/", EvilHost + ":443");

        status.ShouldBe(HttpStatusCode.BadRequest);
        H1(html).ShouldBe("接続先のアドレスが正しくありません");
        html.ShouldNotContain(EvilHost);
        headers["Strict-Transport-Security"].ShouldBe("max-age=31536000; includeSubDomains");
        headers["Content-Security-Policy"].ShouldContain("frame-ancestors 'none'");
        statusWithout.ShouldBe(HttpStatusCode.BadRequest);
        H1(htmlWithout).ShouldBe("接続先のアドレスが正しくありません");
        var row = (await RefusalsAsync(server.WithDbAsync)).ShouldHaveSingleItem();
        row.Detail.ShouldBe(RequestRefusalReasons.Host);
        row.Target.ShouldBe("/Login");
        row.Actor.ShouldBe(RequestRefusals.Anonymous);
        row.ClientAddress.ShouldBe("127.0.0.1");
        ShouldHoldNoValue(row);

        // The names the server certificate covers are the site's own.
        foreach (var host in new[] { "localhost", "127.0.0.1", "LOCALHOST." })
        {
            (await SendAsync(client, HttpMethod.Get, "/", $"{host}:{server.BaseAddress.Port}")).Status.ShouldBe(HttpStatusCode.OK, host);
        }
    }

    [Fact]
    public async Task Portal_ForgedHost_OnPasswordResetRequest_Is400_NoMail_Audited()
    {
        await using var server = await PortalServer.StartAsync(provider);
        await server.RegisterVerifiedAsync("host@clinic.example.jp");
        using var client = server.Client();
        var mailsBefore = server.Mails().Count;
        var token = await TokenAsync(client, "/Account/ForgotPassword");

        var (status, html, _) = await SendAsync(client, HttpMethod.Post, "/Account/ForgotPassword", EvilHost,
            Form(("__af", token), ("Input.Email", "host@clinic.example.jp")));
        for (var i = 0; i < 3; i++)
        {
            (await SendAsync(client, HttpMethod.Get, "/Account/Login", EvilHost)).Status.ShouldBe(HttpStatusCode.BadRequest);
        }

        status.ShouldBe(HttpStatusCode.BadRequest);
        H1(html).ShouldBe("接続先のアドレスが正しくありません");
        server.Mails().Count.ShouldBe(mailsBefore);
        (await server.AuditAsync(PortalAuditActions.ResetRequest)).ShouldBeEmpty();
        var row = (await server.AuditAsync(AuditActions.RequestRefused)).ShouldHaveSingleItem();
        row.Detail.ShouldBe(RequestRefusalReasons.Host);
        row.Target.ShouldBe("/Account/ForgotPassword");
        row.Actor.ShouldBe(RequestRefusals.Anonymous);
        ShouldHoldNoValue(row);
    }

    [Fact]
    public async Task Portal_ResetMailLink_NamesThePublicAddress_NeverTheRequestsHostOrForwardedHost()
    {
        await using var server = await PortalServer.StartAsync(provider);
        await server.RegisterVerifiedAsync("link@clinic.example.jp");
        using var client = server.Client();
        var token = await TokenAsync(client, "/Account/ForgotPassword");

        // Another name of this site in Host, and a forged X-Forwarded-Host / Forwarded (not read at all).
        var (status, html, headers) = await SendAsync(client, HttpMethod.Post, "/Account/ForgotPassword", $"localhost:{server.BaseAddress.Port}",
            Form(("__af", token), ("Input.Email", "link@clinic.example.jp")), forwardedHost: EvilHost);
        var (homeStatus, _, homeHeaders) = await SendAsync(client, HttpMethod.Get, "/", $"localhost:{server.BaseAddress.Port}", forwardedHost: EvilHost);

        status.ShouldBe(HttpStatusCode.Redirect, H1(html));
        headers["Location"].ShouldBe("/Account/ForgotPassword?sent=1");
        var mail = server.LastMailTo("link@clinic.example.jp");
        mail.Subject.ShouldContain("パスワード");
        var link = new Uri(OutboxReader.Links(mail).ShouldHaveSingleItem());
        link.Authority.ShouldBe(server.BaseAddress.Authority);
        link.Scheme.ShouldBe("https");
        mail.Body.ShouldNotContain(EvilHost);
        mail.Body.ShouldNotContain("localhost");
        homeStatus.ShouldBe(HttpStatusCode.Redirect);
        homeHeaders["Location"].ShouldBe("/Account/Login");
        (await server.AuditAsync(AuditActions.RequestRefused)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Portal_BadTokenAndForbiddenInput_OfAVisitor_AreAuditedAnonymously_ValidationErrorsAreNot()
    {
        await using var server = await PortalServer.StartAsync(provider);
        using var client = server.Client();
        await client.GetAsync("/Account/Register");

        var forged = await client.PostAsync("/Account/Register", Fields(("__af", "forged"), ("Input.Email", Marker + "@example.jp")));
        var invalid = await client.RegisterAsync("not-an-address", displayName: "山田 花子");
        var control = await client.RegisterAsync("ctrl@example.jp", displayName: "山田\u0007" + Marker);

        forged.Status.ShouldBe(HttpStatusCode.BadRequest);
        invalid.Errors.ShouldNotBeEmpty();
        control.Errors.ShouldContain(e => e.Contains("使用できない文字", StringComparison.Ordinal));
        (await server.UsersAsync("ctrl@example.jp")).ShouldBeEmpty();
        var rows = await server.AuditAsync(AuditActions.RequestRefused);
        rows.Select(r => r.Detail).ShouldBe([RequestRefusalReasons.Antiforgery, RequestRefusalReasons.ForbiddenInput]);
        rows.ShouldAllBe(r => r.Actor == RequestRefusals.Anonymous && r.Target == "/Account/Register" && r.Outcome == AuditOutcomes.Denied);
        rows.ShouldAllBe(r => !r.Actor.Contains(Marker) && !r.Target.Contains(Marker) && !r.Detail.Contains(Marker));
    }

    [Fact]
    public async Task Operator_TooLargeBody_Is413JapanesePage_ForbiddenQuery_Audited_WithTheOperator()
    {
        await using var server = await OperatorServer.StartAsync(provider);
        var op = server.Demo.Operator!;
        using var client = server.Client();
        (await client.OperatorLoginAsync(op.UserId, op.Password)).Path.ShouldNotBe("/Login");
        var token = await TokenAsync(client, "/ChangePassword");
        var before = await server.WithDbAsync(db => db.OperatorAccounts.AsNoTracking().Select(o => o.PasswordHash).SingleAsync());

        var big = new StringBuilder("__af=").Append(Uri.EscapeDataString(token)).Append("&Input.CurrentPassword=").Append('x', 1100 * 1024).ToString();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ChangePassword")
        {
            Content = new StringContent(big, Encoding.ASCII, "application/x-www-form-urlencoded"),
        };
        HttpStatusCode? status = null;
        var html = "";
        try
        {
            using var response = await client.Http.SendAsync(request);
            status = response.StatusCode;
            html = await response.Content.ReadAsStringAsync();
        }
        catch (HttpRequestException)
        {
            // Kestrel may close the connection while the client is still sending: the row is written all the same.
        }

        var search = await client.GetAsync("/CallCenter?Code=%00" + Marker);

        if (status is not null)
        {
            status.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
            H1(html).ShouldBe("送信内容が大きすぎます");
        }

        search.Status.ShouldBe(HttpStatusCode.OK);
        (await server.WithDbAsync(db => db.OperatorAccounts.AsNoTracking().Select(o => o.PasswordHash).SingleAsync())).ShouldBe(before);
        var rows = await RefusalsAsync(server.WithDbAsync);
        rows.Select(r => r.Detail).ShouldBe([RequestRefusalReasons.TooLarge, RequestRefusalReasons.ForbiddenInput]);
        rows.ShouldAllBe(r => r.Actor == OperatorAudit.Actor(op.UserId) && r.ClientAddress == "127.0.0.1");
        rows.Select(r => r.Target).ShouldBe(["/ChangePassword", "/CallCenter"]);
        ShouldHoldNoValue(rows[1]);
    }

    [Fact]
    public async Task Operator_ForgedHost_Is400_Audited()
    {
        await using var server = await OperatorServer.StartAsync(provider);
        using var client = server.Client();

        var (status, html, _) = await SendAsync(client, HttpMethod.Get, "/Login", EvilHost);

        status.ShouldBe(HttpStatusCode.BadRequest);
        H1(html).ShouldBe("接続先のアドレスが正しくありません");
        (await RefusalsAsync(server.WithDbAsync)).ShouldHaveSingleItem().Detail.ShouldBe(RequestRefusalReasons.Host);
    }

    private static List<KeyValuePair<string, string>> Fields(params (string Name, string Value)[] fields) =>
        [.. fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))];

    private static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) => new(Fields(fields));

    private static Task<List<AuditEntry>> RefusalsAsync(Func<Func<OnshiDbContext, Task<List<AuditEntry>>>, Task<List<AuditEntry>>> withDb) =>
        withDb(db => db.AuditEntries.AsNoTracking().Where(a => a.Action == AuditActions.RequestRefused).OrderBy(a => a.Id).ToListAsync());

    private static void ShouldHoldNoValue(AuditEntry row)
    {
        foreach (var field in new[] { row.Actor, row.Target, row.Detail, row.InstitutionCode, row.CertificateSerial, row.ClientAddress })
        {
            field.ShouldNotContain(Marker);
            field.ShouldNotContain(EvilHost);
            field.ShouldNotContain("\0");
        }
    }

    private static async Task<string> TokenAsync(OqsClient client, string path) =>
        (await client.GetAsync(path)).Q("input[name=__af]").ShouldNotBeNull().GetAttribute("value")!;

    private static string H1(string html) => Parser.ParseDocument(html).QuerySelector("h1")?.TextContent.Trim() ?? "";

    /// <summary>One request with a Host header of our choosing (and optionally forwarded headers), not following redirects.</summary>
    private static async Task<(HttpStatusCode Status, string Html, Dictionary<string, string> Headers)> SendAsync(OqsClient client, HttpMethod method,
        string path, string host, HttpContent? content = null, string? forwardedHost = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Host = host;
        if (forwardedHost is not null)
        {
            // X-Forwarded-Proto is one of the proxy's headers, refused from anyone else (ForwardedHeaderTests); these two are
            // not read at all.
            request.Headers.Add("X-Forwarded-Host", forwardedHost);
            request.Headers.Add("Forwarded", $"host={forwardedHost};proto=http");
        }

        using var response = await client.Http.SendAsync(request);
        var headers = response.Headers.Concat(response.Content.Headers)
            .ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), headers);
    }
}

public sealed class RefusedRequestTestsSqlite() : RefusedRequestTests(TestDatabase.Sqlite);

public sealed class RefusedRequestTestsPostgres() : RefusedRequestTests(TestDatabase.Postgres);
