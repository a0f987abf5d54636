using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Onshi.Core.Features.MemberImports;

namespace Onshi.Operator.Hosting;

/// <summary>
/// The upload page's own body limits, from <see cref="MemberImportOptions.MaxFileBytes"/> (an option, so not a constant
/// <c>[RequestSizeLimit]</c>): the file's limit plus <see cref="FormSlack"/> for the form's other fields, so that a file a
/// little over the limit reaches the service and gets its Japanese message, while a far larger body is cut off (413, the
/// error page). Runs where <c>[RequestSizeLimit]</c> would (order 900), before <c>RequestInputFilter</c> reads the form.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class MemberImportRequestLimitsAttribute : Attribute, IAuthorizationFilter, IOrderedFilter
{
    /// <summary>Room for the antiforgery token, the encoding and the multipart headers; and for "just over the limit".</summary>
    public const long FormSlack = 1024 * 1024;

    public int Order => 900;

    public void OnAuthorization(AuthorizationFilterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.HttpContext;
        var limit = http.RequestServices.GetRequiredService<IOptions<MemberImportOptions>>().Value.MaxFileBytes + FormSlack;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } body)
        {
            body.MaxRequestBodySize = limit;
        }

        if (http.Request.HasFormContentType && http.Features.Get<IFormFeature>() is not { Form: not null })
        {
            http.Features.Set<IFormFeature>(new FormFeature(http.Request, new FormOptions { MultipartBodyLengthLimit = limit }));
        }
    }
}
