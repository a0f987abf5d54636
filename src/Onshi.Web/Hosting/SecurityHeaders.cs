using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Onshi.Web.Hosting;

/// <summary>The response headers every page of every site carries.</summary>
public static class SecurityHeaders
{
    private const string Csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
        + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

    /// <summary>The HSTS header of every response.</summary>
    public const string StrictTransportSecurity = "max-age=31536000; includeSubDomains";

    /// <summary>The <c>Clear-Site-Data</c> value of a logout response.</summary>
    public const string ClearSiteDataOnLogout = "\"cache\", \"cookies\", \"storage\"";

    /// <summary>
    /// Asks the browser to drop this site's cache, cookies and storage (ASVS 14.3.1): sent with the response of a
    /// ログアウト, so nothing of the session stays behind in a shared 受付 browser. Cookies are cleared for the whole
    /// host name (all ports), so with the three sites on one host name a logout also drops the other sites' cookies in
    /// that browser (their sessions then end by the idle limit); production gives each site its own host name.
    /// </summary>
    public static void ClearSiteData(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers["Clear-Site-Data"] = ClearSiteDataOnLogout;
    }

    public static IApplicationBuilder UseOnshiSecurityHeaders(this IApplicationBuilder app) => app.Use(static (context, next) =>
    {
        context.Response.OnStarting(static state =>
        {
            var ctx = (HttpContext)state;
            var h = ctx.Response.Headers;
            h.ContentSecurityPolicy = Csp;
            h.XContentTypeOptions = "nosniff";
            h.XFrameOptions = "DENY";
            h["Referrer-Policy"] = "no-referrer";
            h["Cross-Origin-Opener-Policy"] = "same-origin";
            h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            // One year, every subdomain too (ASVS 3.4.1); not "preload" (docs/decisions.md).
            h.StrictTransportSecurity = StrictTransportSecurity;
            if (!AssetEndpoints.IsAssetPath(ctx.Request.Path))
            {
                // Pages may show a temporary password: never keep them in a cache.
                h.CacheControl = "no-store";
                h.Pragma = "no-cache";
            }

            return Task.CompletedTask;
        }, context);
        return next(context);
    });
}
