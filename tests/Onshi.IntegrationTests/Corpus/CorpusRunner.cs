using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Caching;
using Onshi.IntegrationTests.Oqs;
using Shouldly;

namespace Onshi.IntegrationTests.Corpus;

/// <summary>A site as the corpus sees it.</summary>
public sealed class CorpusSite
{
    public required string Name { get; init; }

    public required WebApplication App { get; init; }

    public required Uri BaseAddress { get; init; }

    /// <summary>A new client signed in as the user who may use every page of the site.</summary>
    public required Func<Task<OqsClient>> SignInAsync { get; init; }

    /// <summary>A new client that is not signed in (for the OQS: with a valid terminal certificate).</summary>
    public required Func<OqsClient> Anonymous { get; init; }

    /// <summary>Where the site sends a visitor who is not signed in.</summary>
    public required string LoginPath { get; init; }

    /// <summary>Pages to start from besides the parameterless routes (mail links, pages only a flow reaches).</summary>
    public IReadOnlyList<string> Seeds { get; init; } = [];

    /// <summary>
    /// Pages already fetched by a flow whose forms are gone on a second fetch (a result shown once), with the client that
    /// fetched them.
    /// </summary>
    public IReadOnlyList<(OqsClient Client, OqsPage Page)> OneTimePages { get; init; } = [];

    /// <summary>
    /// Valid values ("/Form/Action|Field" → value) for fields a page renders empty, so that a bad value in one field reaches
    /// the deeper checks.
    /// </summary>
    public IReadOnlyDictionary<string, string> Baseline { get; init; } = new Dictionary<string, string>();

    /// <summary>Paths the crawler must not GET with the signed-in client (none by default).</summary>
    public Func<string, bool> SkipPath { get; init; } = _ => false;

    /// <summary>The actor of the main signed-in user in the 操作ログ (the refusal rows of its requests name it).</summary>
    public required string Actor { get; init; }

    /// <summary>The institution code every refusal row of this site names (the OQS: the terminal's), or null for none.</summary>
    public string? InstitutionCode { get; init; }

    /// <summary>The other roles, each crawled as well (every GET a checked case with the database snapshot) and sent a bad token on each of its forms.</summary>
    public IReadOnlyList<CorpusRole> Roles { get; init; } = [];
}

/// <summary>Another role of a site: how to sign in as it, and its actor in the 操作ログ.</summary>
public sealed record CorpusRole(string Name, Func<Task<OqsClient>> SignInAsync, string Actor);

/// <summary>What a case must leave in the 操作ログ: one <c>request.refused</c> row of <see cref="Reason"/> by <see cref="Actor"/> (null: the site's actors).</summary>
public sealed record ExpectedRefusal(string Reason, string? Actor = null);

/// <summary>
/// Throws the bad-input corpus at every route and form of one running site and checks every answer: never a 5xx, never a
/// stack trace or an exception's name, never the injected markup unencoded, no inline script or style, Japanese, the
/// security headers and cookie attributes on every response (redirects included), redirects only to the site itself, and
/// no changed row (every table but the audit log hashed before and after) where the input must be refused, with only
/// denied/failure audit rows.
/// </summary>
public sealed partial class CorpusRunner(CorpusSite site, bool sample)
{
    /// <summary>
    /// No product path the corpus reached wrote a cached table without saying which rows (docs/security.md "The authentication
    /// cache"): such a write drops every instance's whole cache, and the next requests go to the database.
    /// </summary>
    public static void NoUndeclaredWrite(WebApplication app) =>
        app.Services.GetRequiredService<CacheInvalidationInterceptor>().Escalations.ShouldBe(0, "a write to a cached table declared no key (warning 7301)");

    private static readonly HtmlParser Parser = new();

    /// <summary>Bodies that are not the multipart their Content-Type announces (null body: the form, url-encoded).</summary>
    private static readonly (string Label, string ContentType, byte[]? Body)[] MalformedMultipart =
    [
        ("multipart type, url-encoded body", "multipart/form-data; boundary=xx", null),
        ("multipart cut off", "multipart/form-data; boundary=xx", Encoding.ASCII.GetBytes("--xx\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb")),
        ("multipart with another boundary", "multipart/form-data; boundary=xx",
            Encoding.ASCII.GetBytes("--yy\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--yy--\r\n")),
        ("multipart without a boundary", "multipart/form-data", Encoding.ASCII.GetBytes("--xx\r\n\r\n--xx--\r\n")),
    ];
    private readonly List<string> failures = [];
    private readonly Dictionary<string, int> counts = new(StringComparer.Ordinal);

    // The newest audit row already read: a case's new rows are those after it.
    private long? auditMark;

    public int Cases { get; private set; }

    public IReadOnlyList<string> Failures => failures;

    public IReadOnlyDictionary<string, int> Counts => counts;

    private IReadOnlyList<BadValue> Values => sample ? BadInput.Sample : BadInput.Values;

    /// <summary>Fails (with the listed reasons) when a check failed or a handler was never reached.</summary>
    /// <summary>GET paths the signed-in user was refused (403) during the crawl.</summary>
    private readonly HashSet<string> deniedPaths = new(StringComparer.Ordinal);

    public async Task<string> RunAsync(Func<CorpusRunner, Task>? extra = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var inventory = await RouteInventory.ReadAsync(site.App);
        using var reach = new ReachRecorder(site.App);
        var signed = await site.SignInAsync();
        using var anonymous = site.Anonymous();

        // 1. Crawl: every parameterless page route, the seeds, and every same-site link and GET form found, as a visitor
        //    and as the signed-in user. Every GET is a checked case.
        var forms = new List<FormTarget>();
        var starts = inventory.PageRoutes.Where(r => !r.Contains('{', StringComparison.Ordinal)).Select(r => "/" + r).Concat(site.Seeds).ToList();
        var getPaths = new SortedSet<string>(StringComparer.Ordinal);
        await CrawlAsync(anonymous, false, starts, forms, getPaths);
        signed = await CrawlAsync(signed, true, starts, forms, getPaths);
        foreach (var (client, page) in site.OneTimePages)
        {
            AddForms(client, false, page, forms);
        }

        var roleStart = clock.Elapsed;

        // 1b. The other roles: their view of every page (no changed row, the same headers), a bad token on each of their forms
        //     (audited with their actor), and the full cases for a form only they see.
        foreach (var role in site.Roles)
        {
            using var client = await role.SignInAsync();
            var roleForms = new List<FormTarget>();
            var roleClient = await CrawlAsync(client, false, starts, roleForms, [], role);
            foreach (var form in roleForms.Where(f => f.Method == "POST" && !f.Action.Contains("Logout", StringComparison.OrdinalIgnoreCase)))
            {
                var fields = form.Fields.Where(f => f.Name != "__af").Select(f => (f.Name, new BadValue("", f.Value, null, false))).ToList();
                await CaseAsync("role-antiforgery", roleClient, () => form.Request(fields, BadInput.ValidPng), true, false, $"{role.Name}: missing token",
                    expect: HttpStatusCode.BadRequest, refusal: new(RequestRefusalReasons.Antiforgery, role.Actor));
            }

            foreach (var form in roleForms.Where(f => forms.All(m => m.Key != f.Key) && !f.Action.Contains("Logout", StringComparison.OrdinalIgnoreCase)))
            {
                await FormCasesAsync(form, roleClient, role.Actor);
            }

            roleClient.Dispose();
        }

        var roleTime = clock.Elapsed - roleStart;

        // 2. Query strings on every GET route.
        foreach (var path in getPaths)
        {
            foreach (var query in sample ? BadInput.Queries.Take(4) : BadInput.Queries)
            {
                // A page the signed-in user may not open is refused (and audited) as a denial before its input is read.
                await CaseAsync("query", signed, () => new HttpRequestMessage(HttpMethod.Get, path + "?" + query), mustReject: true, isGet: true,
                    refusal: query.Contains("%00", StringComparison.Ordinal) && !deniedPaths.Contains(path) ? new(RequestRefusalReasons.ForbiddenInput, site.Actor) : null);
            }
        }

        // 3. Route values.
        foreach (var route in inventory.PageRoutes.Where(r => r.Contains('{', StringComparison.Ordinal)))
        {
            foreach (var value in sample ? BadInput.RouteValues.Take(4) : BadInput.RouteValues)
            {
                var path = "/" + RouteParameter().Replace(route, value);
                await CaseAsync("route", signed, () => new HttpRequestMessage(HttpMethod.Get, path), mustReject: true, isGet: true);
            }
        }

        // 4. Every form, field by field, then the token and content-type cases. Forms that end the session go last.
        var ordered = forms.OrderBy(f => f.Action.Contains("Logout", StringComparison.OrdinalIgnoreCase) ? 1 : 0).ToList();
        foreach (var form in ordered)
        {
            signed = await FormCasesAsync(form, signed);
        }

        // 5. A form that is nothing but a button (ログアウト, ロック解除, …) has no field to spoil: it is sent once as it is,
        //    so its handler runs too. The session-ending ones go last.
        foreach (var form in ordered.Where(f => f.Method == "POST" && f.Files.Count == 0 && f.Fields.All(x => x.Name == "__af")))
        {
            var client = form.SignedIn ? signed : form.Client;
            var fields = form.Fields.Select(f => (f.Name, new BadValue("", f.Value, null, false))).ToList();
            await CaseAsync("button", client, () => form.Request(fields, BadInput.ValidPng), mustReject: false, isGet: false);
        }

        if (extra is not null)
        {
            await extra(this);
        }

        // 6. Every handler of every page must have been reached by something above.
        var missing = inventory.Handlers.Where(h => !reach.Reached.ContainsKey(h)).ToList();
        foreach (var m in missing)
        {
            failures.Add($"{site.Name}: not reached by the corpus: {m}");
        }

        signed.Dispose();
        var summary = $"{site.Name}: {Cases} cases ({string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}"))}); "
            + $"{inventory.Handlers.Count} handlers, {forms.Count} forms, {getPaths.Count} GET paths; "
            + string.Create(CultureInfo.InvariantCulture, $"{clock.Elapsed.TotalSeconds:0} s ({site.Roles.Count} other roles {roleTime.TotalSeconds:0} s)");
        return summary;
    }

    private async Task<OqsClient> CrawlAsync(OqsClient client, bool signedIn, IReadOnlyList<string> starts, List<FormTarget> forms, SortedSet<string> getPaths,
        CorpusRole? role = null)
    {
        var queue = new Queue<string>(starts);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var perShape = new Dictionary<string, int>(StringComparer.Ordinal);
        while (queue.Count > 0 && seen.Count < 400)
        {
            var url = queue.Dequeue();
            if (!seen.Add(url) || (signedIn && site.SkipPath(url)))
            {
                continue;
            }

            var shape = Shape(url);
            perShape[shape] = perShape.GetValueOrDefault(shape) + 1;
            if (perShape[shape] > 3)
            {
                continue;
            }

            if (role is not null && site.SkipPath(url))
            {
                continue;
            }

            // A role's view is checked like a refused input: a GET changes no row.
            var result = await CaseAsync(role is null ? "crawl" : "role-crawl", client, () => new HttpRequestMessage(HttpMethod.Get, url),
                mustReject: role is not null, isGet: true, label: role?.Name);
            if ((signedIn || role is not null) && result?.FinalPath == site.LoginPath && !url.StartsWith(site.LoginPath, StringComparison.OrdinalIgnoreCase))
            {
                client.Dispose();
                client = await (role?.SignInAsync ?? site.SignInAsync)();
                continue;
            }

            if (result?.Document is not { } doc)
            {
                continue;
            }

            getPaths.Add(new Uri(site.BaseAddress, url).AbsolutePath);
            var absolute = new Uri(site.BaseAddress, url).AbsolutePath;
            if (signedIn && role is null && result.Status == HttpStatusCode.Forbidden && result.FinalPath != absolute)
            {
                deniedPaths.Add(absolute);
            }

            var page = new OqsPage(result.FinalUrl, result.Status, doc, result.Body, []);
            foreach (var a in doc.QuerySelectorAll("a[href]"))
            {
                var href = a.GetAttribute("href")!;
                if (href.StartsWith('/') && !href.StartsWith("//", StringComparison.Ordinal) && !href.StartsWith("/assets/", StringComparison.Ordinal))
                {
                    queue.Enqueue(href);
                }
            }

            foreach (var form in AddForms(client, signedIn, page, forms).Where(f => f.Method == "GET"))
            {
                queue.Enqueue(form.Action + "?" + string.Join('&', form.Fields.Select(f => Uri.EscapeDataString(f.Name) + "=" + Uri.EscapeDataString(f.Value))));
            }
        }

        return client;
    }

    private static List<FormTarget> AddForms(OqsClient client, bool signedIn, OqsPage page, List<FormTarget> forms)
    {
        var added = new List<FormTarget>();
        foreach (var form in page.Document.QuerySelectorAll("form").OfType<IHtmlFormElement>())
        {
            // The form as its plain submit sends it, and once per button with a formaction of its own.
            var targets = new List<FormTarget> { FormTarget.Read(client, signedIn, page, form) };
            foreach (var button in form.QuerySelectorAll("button[formaction]").OfType<IHtmlButtonElement>())
            {
                var plain = targets[0];
                var fields = plain.Fields.Where(f => f.Name != button.Name).ToList();
                if (!string.IsNullOrEmpty(button.Name))
                {
                    fields.Add(new(button.Name!, button.Value));
                }

                var action = new Uri(page.Url, button.GetAttribute("formaction")!).PathAndQuery;
                targets.Add(plain with { Action = action, Fields = fields, Key = plain.Key + " → " + Regex.Replace(action, "[0-9]+", "n") });
            }

            foreach (var target in targets.Where(t => forms.All(f => f.Key != t.Key)))
            {
                forms.Add(target);
                added.Add(target);
            }
        }

        return added;
    }

    private async Task<OqsClient> FormCasesAsync(FormTarget form, OqsClient signed, string? actor = null)
    {
        var client = form.SignedIn ? signed : form.Client;
        actor ??= form.SignedIn ? site.Actor : null;

        // A fresh copy of the form (new token, current state) where the page still offers it; else the one the crawl saw.
        var current = form;
        if (form.SignedIn || form.Client == client)
        {
            var again = await CaseAsync("crawl", client, () => new HttpRequestMessage(HttpMethod.Get, form.PageUrl.PathAndQuery), mustReject: false, isGet: true);
            if (form.SignedIn && again?.FinalPath == site.LoginPath)
            {
                signed.Dispose();
                signed = await site.SignInAsync();
                client = signed;
                again = await CaseAsync("crawl", client, () => new HttpRequestMessage(HttpMethod.Get, form.PageUrl.PathAndQuery), mustReject: false, isGet: true);
            }

            if (again?.Document is { } doc)
            {
                var page = new OqsPage(again.FinalUrl, again.Status, doc, again.Body, []);
                current = doc.QuerySelectorAll("form").OfType<IHtmlFormElement>().Select(f => FormTarget.Read(client, form.SignedIn, page, f))
                    .FirstOrDefault(f => f.Key == form.Key) ?? form;
            }
        }

        var path = current.Action.Split('?')[0];
        var baseline = current.Fields.Select(f => f.Value.Length == 0 && site.Baseline.TryGetValue(path + "|" + f.Name, out var v) ? f with { Value = v } : f).ToList();
        var isGet = current.Method == "GET";
        foreach (var field in baseline.Where(f => f.Name != "__af"))
        {
            foreach (var value in Values)
            {
                var values = baseline.Select(f => (f.Name, f == field ? value : new BadValue("", f.Value, null, false))).ToList();
                await CaseAsync("field", client, () => current.Request(values, BadInput.ValidPng), value.MustReject, isGet, $"{field.Name}={value.Name}",
                    mayReset: value.MayResetConnection, refusal: BadInput.Refusal(value, isGet, current.Multipart) is { } r ? new(r, actor) : null);
            }
        }

        if (isGet)
        {
            return signed;
        }

        var plain = baseline.Select(f => (f.Name, new BadValue("", f.Value, null, false))).ToList();
        var withoutToken = plain.Where(f => f.Name != "__af").ToList();
        var refused = new ExpectedRefusal(RequestRefusalReasons.Antiforgery, actor);
        await CaseAsync("antiforgery", client, () => current.Request(withoutToken, BadInput.ValidPng), true, false, "missing token", expect: HttpStatusCode.BadRequest,
            refusal: refused);
        await CaseAsync("antiforgery", client, () => current.Request([.. withoutToken, ("__af", new BadValue("", "CfDJ8Forged" + new string('A', 100), null, false))], BadInput.ValidPng),
            true, false, "forged token", expect: HttpStatusCode.BadRequest, refusal: refused);
        var token = plain.FirstOrDefault(f => f.Name == "__af").Item2?.Text ?? "";
        await CaseAsync("antiforgery", client, () => current.Request([.. withoutToken, ("__af", new BadValue("", token, null, false)), ("__af", new BadValue("", token, null, false))], BadInput.ValidPng),
            true, false, "duplicated token", expect: HttpStatusCode.BadRequest, refusal: refused);
        using (var stranger = site.Anonymous())
        {
            // Another browser's token (its own cookie pair), sent with this session's cookies.
            var other = await CaseAsync("crawl", stranger, () => new HttpRequestMessage(HttpMethod.Get, site.LoginPath), mustReject: false, isGet: true);
            var otherToken = other?.Document?.QuerySelector("input[name=__af]")?.GetAttribute("value");
            if (otherToken is not null && otherToken != token)
            {
                await CaseAsync("antiforgery", client, () => current.Request([.. withoutToken, ("__af", new BadValue("", otherToken, null, false))], BadInput.ValidPng),
                    true, false, "another browser's token", expect: HttpStatusCode.BadRequest, refusal: refused);
            }
        }

        foreach (var contentType in new[] { "text/plain", "application/json", "application/xml", null })
        {
            await CaseAsync("content-type", client, () =>
            {
                var request = current.Request(plain, BadInput.ValidPng, forceUrlEncoded: true);
                var body = request.Content!.ReadAsByteArrayAsync().GetAwaiter().GetResult();
                var content = new ByteArrayContent(body);
                if (contentType is not null)
                {
                    content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
                }

                request.Content = content;
                return request;
            }, true, false, "Content-Type " + (contentType ?? "none"), expect: HttpStatusCode.BadRequest, refusal: refused);
        }

        // A body that is not the multipart its Content-Type announces (issue 14: these answered 500): the url-encoded form
        // under a multipart type, a multipart body cut off, one with another boundary, and a type without a boundary.
        var malformed = new ExpectedRefusal(RequestRefusalReasons.MalformedBody, actor);
        foreach (var (label, contentType, body) in MalformedMultipart)
        {
            await CaseAsync("content-type", client, () =>
            {
                var request = current.Request(plain, BadInput.ValidPng, forceUrlEncoded: true);
                var bytes = body ?? request.Content!.ReadAsByteArrayAsync().GetAwaiter().GetResult();
                var content = new ByteArrayContent(bytes);
                content.Headers.TryAddWithoutValidation("Content-Type", contentType);
                request.Content = content;
                return request;
            }, true, false, label, expect: HttpStatusCode.BadRequest, refusal: malformed);
        }

        foreach (var file in current.Files)
        {
            foreach (var bad in BadInput.Files(sample))
            {
                await CaseAsync("upload", client, () => current.Request(plain, BadInput.ValidPng, fileOverride: (file, bad)), true, false, $"{file}={bad.Name}",
                    mayReset: bad.MayResetConnection, refusal: bad.TooLarge ? new(RequestRefusalReasons.TooLarge, actor) : null);
            }
        }

        return signed;
    }

    /// <summary>
    /// Sends one case (following redirects), checks every response, and (for <paramref name="mustReject"/>) the database.
    /// Every case also checks the <c>request.refused</c> rows it left: exactly one of <paramref name="refusal"/> (with the route,
    /// the actor, the address and no submitted value), or none at all (an ordinary answer or validation error is not audited).
    /// </summary>
    public async Task<CaseResult?> CaseAsync(string kind, OqsClient client, Func<HttpRequestMessage> build, bool mustReject, bool isGet,
        string? label = null, HttpStatusCode? expect = null, bool mayReset = false, ExpectedRefusal? refusal = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(build);
        Cases++;
        counts[kind] = counts.GetValueOrDefault(kind) + 1;
        var before = mustReject ? await DbSnapshot.TakeAsync(site.App) : null;
        auditMark ??= await DbSnapshot.AuditMaxIdAsync(site.App);
        var mark = before?.AuditMaxId ?? auditMark.Value;
        var request = build();
        var uri = request.RequestUri!.OriginalString;
        var what = $"{site.Name} {request.Method} {(uri.Length > 100 ? uri[..100] + "…" : uri)} [{kind}{(label is null ? "" : ": " + label)}]";
        CaseResult? result = null;
        var reset = false;
        try
        {
            result = await SendAsync(client, request, what, expect);
        }
        catch (Exception e) when (mayReset && e is HttpRequestException or IOException or TaskCanceledException)
        {
            // Kestrel cut off a body far over the limit while it was still being sent: nothing was read, nothing stored.
            reset = true;
        }

        await CheckRefusalAsync(what, mark, refusal, reset);

        if (before is not null)
        {
            var after = await DbSnapshot.TakeAsync(site.App);
            var changed = after.ChangedSince(before);
            if (changed.Count > 0)
            {
                failures.Add($"{what}: rows changed: {string.Join(", ", changed)}");
            }

            if (!isGet)
            {
                foreach (var row in await DbSnapshot.AuditSinceAsync(site.App, before))
                {
                    if (row.Outcome == "success")
                    {
                        failures.Add($"{what}: a success audit row {row.Action} ({row.Detail})");
                    }
                }
            }
        }

        return result;
    }

    private async Task CheckRefusalAsync(string what, long auditMark, ExpectedRefusal? expected, bool reset)
    {
        var rows = await RefusalsSinceAsync(auditMark);
        for (var wait = 0; reset && expected is not null && rows.Count == 0 && wait < 40; wait++)
        {
            // The connection was cut while the site was still answering: its row may be a moment behind.
            await Task.Delay(50);
            rows = await RefusalsSinceAsync(auditMark);
        }

        if (expected is null)
        {
            foreach (var row in rows)
            {
                failures.Add($"{what}: an unexpected refusal row ({row.Detail}, {row.Target})");
            }

            return;
        }

        if (rows.Count != 1)
        {
            failures.Add($"{what}: {rows.Count} refusal rows, expected one ({expected.Reason}): {string.Join(", ", rows.Select(r => r.Detail))}");
            return;
        }

        var refused = rows[0];
        if (refused.Detail != expected.Reason || refused.Outcome != AuditOutcomes.Denied)
        {
            failures.Add($"{what}: refusal row {refused.Detail}/{refused.Outcome}, expected {expected.Reason}/denied");
        }

        var actors = expected.Actor is { } a ? [a] : site.Roles.Select(r => r.Actor).Append(site.Actor).Append("anonymous").ToList();
        if (!actors.Contains(refused.Actor))
        {
            failures.Add($"{what}: refusal row by {refused.Actor}, expected {string.Join(" or ", actors)}");
        }

        if (refused.ClientAddress != "127.0.0.1" || refused.InstitutionCode != (site.InstitutionCode ?? "") || !RouteText().IsMatch(refused.Target))
        {
            failures.Add($"{what}: refusal row address {refused.ClientAddress}, institution {refused.InstitutionCode}, route {refused.Target}");
        }
    }

    /// <summary>The refusal rows after <paramref name="mark"/>; every row read moves the runner's mark on (no extra query per case).</summary>
    private async Task<List<NewAuditRow>> RefusalsSinceAsync(long mark)
    {
        var rows = await DbSnapshot.AuditSinceAsync(site.App, mark);
        auditMark = Math.Max(auditMark ?? 0, rows.Count > 0 ? rows[^1].Id : mark);
        return [.. rows.Where(r => r.Action == AuditActions.RequestRefused)];
    }

    private async Task<CaseResult> SendAsync(OqsClient client, HttpRequestMessage request, string what, HttpStatusCode? expect)
    {
        var hops = 0;
        while (true)
        {
            var url = new Uri(client.Http.BaseAddress!, request.RequestUri!);
            using var response = await client.Http.SendAsync(request);
            request.Dispose();
            if ((response.StatusCode is HttpStatusCode.RequestUriTooLong or HttpStatusCode.RequestHeaderFieldsTooLarge && url.OriginalString.Length > 8 * 1024)
                || (response.StatusCode == HttpStatusCode.BadRequest && url.AbsolutePath.Contains("%00", StringComparison.Ordinal)
                    && response.Content.Headers.ContentType is null))
            {
                // Kestrel's own answer, before any middleware runs, to a request line over its 8 kB limit or a path holding
                // NUL: no page, no headers of ours, and nothing read (docs/security.md "Bad input corpus").
                counts["kestrel-limit"] = counts.GetValueOrDefault("kestrel-limit") + 1;
                return new CaseResult(url, response.StatusCode, null, "");
            }

            CheckHeaders(response, what);
            if (hops == 0 && expect is { } e && response.StatusCode != e)
            {
                failures.Add($"{what}: status {(int)response.StatusCode}, expected {(int)e}");
            }

            if ((int)response.StatusCode >= 500)
            {
                failures.Add($"{what}: status {(int)response.StatusCode}");
            }

            if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                var next = new Uri(url, location);
                if (next.Authority != site.BaseAddress.Authority || next.Scheme != "https")
                {
                    failures.Add($"{what}: redirect off the site to {next}");
                    return new CaseResult(url, response.StatusCode, null, "");
                }

                if (++hops > 10)
                {
                    failures.Add($"{what}: too many redirects");
                    return new CaseResult(url, response.StatusCode, null, "");
                }

                request = new HttpRequestMessage(HttpMethod.Get, next.PathAndQuery);
                continue;
            }

            var mediaType = response.Content.Headers.ContentType?.MediaType;
            if (mediaType != "text/html")
            {
                if (response.Content.Headers.ContentDisposition is null && !AssetPath(url) && response.StatusCode != HttpStatusCode.NotModified)
                {
                    failures.Add($"{what}: {(int)response.StatusCode} {mediaType ?? "no content type"} that is neither a page nor a download");
                }

                return new CaseResult(url, response.StatusCode, null, "");
            }

            var body = await response.Content.ReadAsStringAsync();
            var doc = await Parser.ParseDocumentAsync(body);
            CheckPage(body, doc, what);
            return new CaseResult(url, response.StatusCode, doc, body);
        }
    }

    private static bool AssetPath(Uri url) => url.AbsolutePath.StartsWith("/assets/", StringComparison.Ordinal);

    private void CheckHeaders(HttpResponseMessage response, string what)
    {
        string? Header(string name) => response.Headers.TryGetValues(name, out var v) ? string.Join(", ", v) : null;
        var csp = Header("Content-Security-Policy");
        if (csp is null || csp.Contains("unsafe-inline", StringComparison.Ordinal) || csp.Contains("unsafe-eval", StringComparison.Ordinal)
            || !csp.Contains("frame-ancestors 'none'", StringComparison.Ordinal) || !csp.Contains("script-src 'self'", StringComparison.Ordinal))
        {
            failures.Add($"{what}: CSP {csp ?? "missing"}");
        }

        if (Header("Strict-Transport-Security") != "max-age=31536000; includeSubDomains")
        {
            failures.Add($"{what}: HSTS {Header("Strict-Transport-Security") ?? "missing"} (one year with includeSubDomains expected)");
        }

        if (Header("X-Content-Type-Options") != "nosniff")
        {
            failures.Add($"{what}: no nosniff");
        }

        if (Header("Referrer-Policy") is null)
        {
            failures.Add($"{what}: no Referrer-Policy");
        }

        foreach (var cookie in response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [])
        {
            var parts = cookie.Split(';').Select(p => p.Trim()).ToList();
            var attributes = parts.Skip(1).Select(p => p.ToLowerInvariant()).ToList();
            if (!parts[0].StartsWith("__Host-", StringComparison.Ordinal) || !attributes.Contains("secure") || !attributes.Contains("httponly")
                || !attributes.Contains("samesite=strict") || !attributes.Contains("path=/") || attributes.Any(a => a.StartsWith("domain", StringComparison.Ordinal)))
            {
                failures.Add($"{what}: cookie {cookie}");
            }
        }
    }

    private void CheckPage(string body, IHtmlDocument doc, string what)
    {
        if (body.Contains(BadInput.Script, StringComparison.Ordinal) || body.Contains("<img src=x onerror", StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"{what}: the injected markup is in the page unencoded");
        }

        if (doc.QuerySelectorAll("script:not([src]), style").Length > 0
            || doc.All.Any(e => e.Attributes.Any(a => a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase) || a.Name == "style")))
        {
            failures.Add($"{what}: inline script, style or event handler in the page");
        }

        if (StackTrace().IsMatch(body))
        {
            failures.Add($"{what}: a stack trace or exception name: {StackTrace().Match(body).Value}");
        }

        if (!Japanese().IsMatch(doc.Body?.TextContent ?? ""))
        {
            failures.Add($"{what}: no Japanese text in the page");
        }
    }

    private static string Shape(string url) => Digits().Replace(url, "n");

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();

    [GeneratedRegex(@"[0-9]+")]
    private static partial Regex Digits();

    [GeneratedRegex(@"\b[A-Z][A-Za-z]+Exception\b|\bat [A-Z][\w.`]+\.[\w<>]+\(|StackTrace|Microsoft\.(AspNetCore|EntityFrameworkCore)\.|System\.[A-Z]\w+\.|Npgsql|SQLite Error")]
    private static partial Regex StackTrace();

    [GeneratedRegex(@"[\u3040-\u30ff\u4e00-\u9fff]")]
    private static partial Regex Japanese();

    // A route template or a path cut to route characters: never a submitted value.
    [GeneratedRegex(@"^/[A-Za-z0-9/{}:?._-]{0,63}$")]
    private static partial Regex RouteText();
}

/// <summary>The final answer of a case.</summary>
public sealed record CaseResult(Uri FinalUrl, HttpStatusCode Status, IHtmlDocument? Document, string Body)
{
    public string FinalPath => FinalUrl.AbsolutePath;
}

/// <summary>A field as a page renders it.</summary>
public sealed record FormField(string Name, string Value);

/// <summary>A form found on a page: where it posts, how, its fields and file inputs.</summary>
public sealed record FormTarget(OqsClient Client, bool SignedIn, Uri PageUrl, string Action, string Method, bool Multipart,
    IReadOnlyList<FormField> Fields, IReadOnlyList<string> Files, string Key)
{
    public static FormTarget Read(OqsClient client, bool signedIn, OqsPage page, IHtmlFormElement form)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(form);
        var fields = new List<FormField>();
        var files = new List<string>();
        foreach (var el in form.Elements)
        {
            switch (el)
            {
                case IHtmlInputElement input when !string.IsNullOrEmpty(input.Name) && !input.IsDisabled:
                    if (input.Type == "file")
                    {
                        files.Add(input.Name!);
                    }
                    else if (input.Type is "checkbox" or "radio" && !input.IsChecked)
                    {
                        if (input.Type == "checkbox" && fields.All(f => f.Name != input.Name))
                        {
                            // An unchecked box is still a field the corpus may fill.
                            fields.Add(new(input.Name!, ""));
                        }
                    }
                    else if (input.Type is not ("submit" or "button" or "image" or "reset"))
                    {
                        fields.RemoveAll(f => f.Name == input.Name && f.Value.Length == 0 && input.Type == "checkbox");
                        fields.Add(new(input.Name!, input.Value));
                    }

                    break;
                case IHtmlSelectElement select when !string.IsNullOrEmpty(select.Name) && !select.IsDisabled:
                    fields.Add(new(select.Name!, select.Value ?? ""));
                    break;
                case IHtmlTextAreaElement area when !string.IsNullOrEmpty(area.Name):
                    fields.Add(new(area.Name!, area.Value));
                    break;
                case IHtmlButtonElement button when !string.IsNullOrEmpty(button.Name) && fields.All(f => f.Name != button.Name):
                    fields.Add(new(button.Name!, button.Value));
                    break;
            }
        }

        var action = form.GetAttribute("action");
        var target = string.IsNullOrEmpty(action) ? page.Url : new Uri(page.Url, action);
        var method = (form.GetAttribute("method") ?? "get").ToUpperInvariant();
        var multipart = string.Equals(form.GetAttribute("enctype"), "multipart/form-data", StringComparison.OrdinalIgnoreCase);
        var key = $"{method} {Regex.Replace(target.PathAndQuery, "[0-9]+", "n")} [{string.Join(",", fields.Select(f => f.Name).Concat(files).Order(StringComparer.Ordinal))}]";
        return new FormTarget(client, signedIn, page.Url, method == "GET" ? target.AbsolutePath : target.PathAndQuery, method, multipart, fields, files, key);
    }

    /// <summary>The request a browser would send with <paramref name="values"/> (raw bytes unescaped in a form body).</summary>
    public HttpRequestMessage Request(IReadOnlyList<(string Name, BadValue Value)> values, BadFile file, bool forceUrlEncoded = false,
        (string Field, BadFile File)? fileOverride = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(file);
        if (Method == "GET")
        {
            var query = string.Join('&', values.Select(v => Uri.EscapeDataString(v.Name) + "="
                + (v.Value.Raw is { } raw ? string.Concat(raw.Select(b => "%" + b.ToString("X2", CultureInfo.InvariantCulture))) : Uri.EscapeDataString(v.Value.Text ?? ""))));
            return new HttpRequestMessage(HttpMethod.Get, Action + "?" + query);
        }

        if (Multipart && !forceUrlEncoded)
        {
            var content = new MultipartFormDataContent();
            foreach (var (name, value) in values)
            {
                content.Add(value.Raw is { } raw ? new ByteArrayContent(raw) : new StringContent(value.Text ?? ""), name);
            }

            foreach (var field in Files)
            {
                var f = fileOverride is { } o && o.Field == field ? o.File : file;
                var part = new ByteArrayContent(f.Bytes);
                part.Headers.ContentType = new MediaTypeHeaderValue(f.ContentType);
                content.Add(part, field, f.FileName);
            }

            return new HttpRequestMessage(HttpMethod.Post, Action) { Content = content };
        }

        var body = new MemoryStream();
        foreach (var (name, value) in values)
        {
            if (body.Length > 0)
            {
                body.WriteByte((byte)'&');
            }

            body.Write(Encoding.ASCII.GetBytes(Uri.EscapeDataString(name) + "="));
            body.Write(value.Raw ?? Encoding.ASCII.GetBytes(Uri.EscapeDataString(value.Text ?? "")));
        }

        var form = new ByteArrayContent(body.ToArray());
        form.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        return new HttpRequestMessage(HttpMethod.Post, Action) { Content = form };
    }
}
