using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Core.Infrastructure;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.Primitives;
using Onshi.Core.Common;
using Onshi.Core.Features.Audit;

namespace Onshi.Web.Hosting;

/// <summary>
/// Reads a page request's input before anything else does and audits what no page may accept
/// (<see cref="RequestRefusals"/>):
/// <list type="bullet">
/// <item>a form over the endpoint's limits (<c>[RequestSizeLimit]</c>, <c>[RequestFormLimits]</c>, Kestrel's 1 MiB) is
/// refused with 413 (<c>too-large</c>), a url-encoded form holding a NUL (which the form reader itself cannot read) with 400
/// (<c>forbidden-input</c>), any other unreadable one (a multipart body without its boundary, with another one, or cut off)
/// with 400 (<c>malformed-body</c>);</item>
/// <item>a control character (NUL included; line breaks and tabs are text) or U+FFFD — what the decoder makes of invalid UTF-8
/// — in a query or form key or value or an upload's file name is audited as <c>forbidden-input</c>; the request goes on,
/// and the page answers with its own Japanese message on the field and changes nothing (the services refuse the value).</item>
/// </list>
/// An authorization filter ordered after the size-limit filters (900) and before antiforgery validation (1000), so the
/// endpoint's limits apply to this first read, and the form antiforgery reads later is the one read here.
/// </summary>
public sealed class RequestInputFilter : IAsyncAuthorizationFilter, IOrderedFilter
{
    public int Order => 950;

    public async Task OnAuthorizationAsync(AuthorizationFilterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.HttpContext;
        if (RequestRefusals.IsReExecution(http))
        {
            return;
        }

        var forbidden = HasForbidden(http.Request.Query);
        if (http.Request.HasFormContentType)
        {
            IFormCollection form;
            try
            {
                form = await http.Request.ReadFormAsync(http.RequestAborted);
            }
            catch (Exception e) when (!http.RequestAborted.IsCancellationRequested && Refusal(e) is { } refusal)
            {
                await RequestRefusals.RecordAsync(http, refusal.Reason);
                context.Result = new StatusCodeResult(refusal.Status);
                return;
            }

            forbidden = forbidden || HasForbidden(form) || form.Files.Any(f => HasForbidden(f.Name) || HasForbidden(f.FileName));
        }

        if (forbidden)
        {
            await RequestRefusals.RecordAsync(http, RequestRefusalReasons.ForbiddenInput);
        }
    }

    private static (string Reason, int Status)? Refusal(Exception e) => e switch
    {
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => (RequestRefusalReasons.TooLarge, StatusCodes.Status413PayloadTooLarge),
        // FormReader / MultipartReader: "Form value count limit 1024 exceeded.", "Multipart body length limit … exceeded." …
        InvalidDataException when e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase) => (RequestRefusalReasons.TooLarge, StatusCodes.Status413PayloadTooLarge),
        // The form reader refuses a NUL in a url-encoded value ("The form value contains invalid characters.").
        InvalidDataException when e.Message.Contains("invalid characters", StringComparison.OrdinalIgnoreCase) => (RequestRefusalReasons.ForbiddenInput, StatusCodes.Status400BadRequest),
        // MultipartReader ends a body that is not the multipart its Content-Type announces (no or another boundary, cut off)
        // with "Unexpected end of Stream": the client sent it that way (an aborted request is excluded by the caller).
        InvalidDataException or BadHttpRequestException or IOException => (RequestRefusalReasons.MalformedBody, StatusCodes.Status400BadRequest),
        _ => null,
    };

    private static bool HasForbidden(IEnumerable<KeyValuePair<string, StringValues>> values) =>
        values.Any(kv => HasForbidden(kv.Key) || kv.Value.Any(HasForbidden));

    private static bool HasForbidden(string? value) => value is not null && value.Any(TextInput.IsForbiddenMultiline);
}

/// <summary>
/// Audits a POST the antiforgery check refused (missing, forged, another browser's token, or not a form at all): the page
/// answers 400 with the Japanese error page, and one <c>request.refused</c> row (<c>antiforgery</c>) is written.
/// </summary>
public sealed class AntiforgeryRefusalFilter : IAsyncAlwaysRunResultFilter
{
    public async Task OnResultExecutionAsync(ResultExecutingContext context, ResultExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.Result is IAntiforgeryValidationFailedResult && !RequestRefusals.IsReExecution(context.HttpContext))
        {
            await RequestRefusals.RecordAsync(context.HttpContext, RequestRefusalReasons.Antiforgery);
        }

        await next();
    }
}
