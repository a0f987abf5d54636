using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Onshi.Web.Hosting;

/// <summary>
/// Raises a page's request body limit to <see cref="Bytes"/> for its <b>multipart</b> posts only (the form with the file);
/// its other requests keep the site's 1 MiB (Kestrel's limit, <see cref="OnshiSite"/>), so a huge url-encoded form on the
/// same page is refused with 413 (<c>too-large</c>) like on every other page. Use it instead of <c>[RequestSizeLimit]</c>
/// on a page whose 入力 and 確認 steps post url-encoded and whose 「申請する」 posts the upload. An authorization filter
/// ordered before <see cref="RequestInputFilter"/> (950), the first to read the body.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class UploadSizeLimitAttribute(long bytes) : Attribute, IAuthorizationFilter, IOrderedFilter
{
    /// <summary>The largest multipart body accepted.</summary>
    public long Bytes { get; } = bytes;

    public int Order => 920;

    public void OnAuthorization(AuthorizationFilterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.HttpContext.Request;
        if (request.HasFormContentType && request.ContentType!.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase)
            && context.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = Bytes;
        }
    }
}
