using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace Onshi.IntegrationTests.Oqs;

/// <summary>A fetched page: where we ended up, its status, and its parsed document.</summary>
public sealed record OqsPage(Uri Url, HttpStatusCode Status, IHtmlDocument Document, string Html, IReadOnlyList<Uri> Redirects)
{
    public string Path => Url.AbsolutePath;

    public string H1 => Document.QuerySelector("h1")?.TextContent.Trim() ?? "";

    public string Text => Document.Body?.TextContent ?? "";

    public IReadOnlyList<string> Errors =>
        [.. Document.QuerySelectorAll(".error-summary li, .field-error").Select(e => e.TextContent.Trim())];

    public IElement? Q(string selector) => Document.QuerySelector(selector);
}

/// <summary>
/// A cookie-keeping client that follows redirects itself and submits forms the way a browser does (all fields of
/// the form, antiforgery token included, with the caller's values on top).
/// </summary>
/// <summary>A file as a browser uploads it.</summary>
#pragma warning disable CA1819 // A test's file content, handed over once.
public sealed record UploadFile(string FileName, string ContentType, byte[] Bytes);
#pragma warning restore CA1819

public sealed class OqsClient(HttpClient http) : IDisposable
{
    private static readonly HtmlParser Parser = new();

    public HttpClient Http => http;

    public Task<OqsPage> GetAsync(string path) => SendAsync(new HttpRequestMessage(HttpMethod.Get, path));

    /// <summary>Submits the form matched by <paramref name="formSelector"/> on <paramref name="page"/>.</summary>
    public Task<OqsPage> SubmitAsync(OqsPage page, string formSelector, IDictionary<string, string>? values = null)
    {
        ArgumentNullException.ThrowIfNull(page);
        var form = page.Document.QuerySelector(formSelector) as IHtmlFormElement
            ?? throw new InvalidOperationException($"No form '{formSelector}' on {page.Url}: {page.H1}");
        var fields = new List<KeyValuePair<string, string>>();
        foreach (var el in form.Elements)
        {
            switch (el)
            {
                case IHtmlInputElement input when !string.IsNullOrEmpty(input.Name) && !input.IsDisabled:
                    if (input.Type is "checkbox" or "radio" && !input.IsChecked)
                    {
                        break;
                    }

                    if (input.Type is "submit" or "button")
                    {
                        break;
                    }

                    fields.Add(new(input.Name!, input.Value));
                    break;
                case IHtmlSelectElement select when !string.IsNullOrEmpty(select.Name) && !select.IsDisabled:
                    fields.Add(new(select.Name!, select.Value ?? ""));
                    break;
                case IHtmlTextAreaElement area when !string.IsNullOrEmpty(area.Name):
                    fields.Add(new(area.Name!, area.Value));
                    break;
            }
        }

        if (values is not null)
        {
            foreach (var (k, v) in values)
            {
                fields.RemoveAll(f => f.Key == k);
                fields.Add(new(k, v));
            }
        }

        var action = form.GetAttribute("action");
        var target = string.IsNullOrEmpty(action) ? page.Url : new Uri(page.Url, action);
        var method = (form.GetAttribute("method") ?? "get").ToUpperInvariant();
        if (method == "GET")
        {
            var query = string.Join('&', fields.Select(f => Uri.EscapeDataString(f.Key) + "=" + Uri.EscapeDataString(f.Value)));
            return GetAsync(target.AbsolutePath + "?" + query);
        }

        return PostAsync(target.PathAndQuery, fields);
    }

    /// <summary>
    /// Submits the multipart form matched by <paramref name="formSelector"/> as a browser does: its hidden and text inputs,
    /// and <paramref name="file"/> in its file input (none: the input left empty). Follows redirects.
    /// </summary>
    public Task<OqsPage> SubmitFileAsync(OqsPage page, string formSelector, UploadFile? file)
    {
        ArgumentNullException.ThrowIfNull(page);
        var form = page.Document.QuerySelector(formSelector) as IHtmlFormElement
            ?? throw new InvalidOperationException($"No form '{formSelector}' on {page.Url}: {page.H1}");
        var content = new MultipartFormDataContent();
        foreach (var input in form.Elements.OfType<IHtmlInputElement>().Where(i => !string.IsNullOrEmpty(i.Name) && i.Type is not ("file" or "submit" or "button")))
        {
            content.Add(new StringContent(input.Value), input.Name!);
        }

        if (file is not null)
        {
            var bytes = new ByteArrayContent(file.Bytes);
            bytes.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(file.ContentType);
            var field = form.QuerySelector("input[type=file]")?.GetAttribute("name") ?? throw new InvalidOperationException("No file input");
            content.Add(bytes, field, file.FileName);
        }

        var target = new Uri(page.Url, form.GetAttribute("action") ?? page.Url.PathAndQuery);
        return SendAsync(new HttpRequestMessage(HttpMethod.Post, target.PathAndQuery) { Content = content });
    }

    /// <summary>Posts a multipart form (a file upload) and follows the redirects like a browser.</summary>
    public Task<OqsPage> PostMultipartAsync(string path, MultipartFormDataContent content) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = content });

    public Task<OqsPage> PostAsync(string path, IEnumerable<KeyValuePair<string, string>> fields) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) });

    /// <summary>Submits a form and returns the raw response (for downloads); <paramref name="header"/> is sent as a script would (value 1).</summary>
    public async Task<HttpResponseMessage> SubmitRawAsync(OqsPage page, string formSelector, string? header = null)
    {
        ArgumentNullException.ThrowIfNull(page);
        var form = page.Document.QuerySelector(formSelector) as IHtmlFormElement
            ?? throw new InvalidOperationException($"No form '{formSelector}' on {page.Url}");
        var fields = form.Elements.OfType<IHtmlInputElement>().Where(i => !string.IsNullOrEmpty(i.Name))
            .Select(i => new KeyValuePair<string, string>(i.Name!, i.Value)).ToList();
        var target = new Uri(page.Url, form.GetAttribute("action") ?? page.Url.PathAndQuery);
        using var request = new HttpRequestMessage(HttpMethod.Post, target.PathAndQuery) { Content = new FormUrlEncodedContent(fields) };
        if (header is not null)
        {
            request.Headers.Add(header, "1");
        }

        return await http.SendAsync(request);
    }

    private async Task<OqsPage> SendAsync(HttpRequestMessage request)
    {
        var redirects = new List<Uri>();
        while (true)
        {
            using var response = await http.SendAsync(request);
            var url = new Uri(http.BaseAddress!, request.RequestUri!);
            if (response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther or HttpStatusCode.RedirectKeepVerb or HttpStatusCode.MovedPermanently)
            {
                var location = new Uri(url, response.Headers.Location!);
                redirects.Add(location);
                if (redirects.Count > 10)
                {
                    throw new InvalidOperationException("Too many redirects");
                }

                request.Dispose();
                request = new HttpRequestMessage(HttpMethod.Get, location.PathAndQuery);
                continue;
            }

            var html = await response.Content.ReadAsStringAsync();
            request.Dispose();
            return new OqsPage(url, response.StatusCode, await Parser.ParseDocumentAsync(html), html, redirects);
        }
    }

    public void Dispose() => http.Dispose();
}
