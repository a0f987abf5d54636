using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;

namespace Onshi.Web.Hosting;

/// <summary>
/// The cookie every site keeps its server-side session key in: <c>__Host-</c>, Secure, HttpOnly, SameSite=Strict,
/// not persistent beyond the absolute limit, validated on every request except for the static assets (which must
/// never end a session), and a login redirect that never carries a return URL (no open redirect) but says when a
/// session has just ended.
/// </summary>
public static class SessionCookie
{
    public static void Configure(CookieAuthenticationOptions options, string cookieName, string loginPath, string logoutPath,
        string accessDeniedPath, Func<HttpContext, SessionEndedFeature?> sessionJustEnded, Func<CookieValidatePrincipalContext, Task> validate)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sessionJustEnded);
        ArgumentNullException.ThrowIfNull(validate);
        options.Cookie.Name = cookieName;
        options.Cookie.HttpOnly = true;
        options.Cookie.SecurePolicy = CookieSecurePolicy.Always;
        options.Cookie.SameSite = SameSiteMode.Strict;
        options.Cookie.Path = "/";
        options.Cookie.IsEssential = true;
        options.ExpireTimeSpan = TimeSpan.FromHours(12);
        options.SlidingExpiration = false;
        options.LoginPath = loginPath;
        options.LogoutPath = logoutPath;
        options.AccessDeniedPath = accessDeniedPath;
        options.ReturnUrlParameter = "returnUrl";
        options.Events.OnValidatePrincipal = context =>
        {
            if (AssetEndpoints.IsAssetPath(context.HttpContext.Request.Path))
            {
                // Stylesheets and scripts need no session; never end one (or drop its cookie) while serving them.
                context.RejectPrincipal();
                return Task.CompletedTask;
            }

            return validate(context);
        };
        options.Events.OnRedirectToLogin = context =>
        {
            context.Response.Redirect(sessionJustEnded(context.HttpContext) is { } ended
                ? loginPath + "?ended=" + Uri.EscapeDataString(ended.Reason ?? "1")
                : loginPath);
            return Task.CompletedTask;
        };
    }
}
