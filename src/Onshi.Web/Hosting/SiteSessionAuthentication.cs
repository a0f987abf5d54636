using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Features.Sessions;

namespace Onshi.Web.Hosting;

/// <summary>
/// One site's session scheme: its cookie (holding only the server-side session key), its pages, and how a key becomes the
/// site's signed-in principal (validated against the database on every request; null = refused).
/// </summary>
/// <param name="Scheme">The authentication scheme's name.</param>
/// <param name="CookieName">The cookie (<c>__Host-</c>…).</param>
/// <param name="SessionKeyClaim">The claim of the cookie's ticket that holds the session key.</param>
/// <param name="LoginPath">Where an anonymous request to a protected page goes.</param>
/// <param name="LogoutPath">The ログアウト page.</param>
/// <param name="DeniedPath">Where a signed-in request the policy refuses goes.</param>
/// <param name="Validate">The site's validation of a session key: the principal, or null when the session is refused (ended, expired, …).</param>
/// <param name="Chrome">What the shared layout shows of the principal.</param>
/// <param name="EndReason">
/// Optional: why the session behind a refused key ended (a code the login page words, e.g. <c>forced-login</c>), or null.
/// </param>
public sealed record SessionScheme<TPrincipal>(
    string Scheme,
    string CookieName,
    string SessionKeyClaim,
    string LoginPath,
    string LogoutPath,
    string DeniedPath,
    Func<HttpContext, string, Task<TPrincipal?>> Validate,
    Func<TPrincipal, SignedInUser> Chrome,
    Func<HttpContext, string, Task<string?>>? EndReason = null)
    where TPrincipal : class, ISessionPrincipal
{
    /// <summary>The cookie's principal for a new session: the session key and nothing else.</summary>
    public ClaimsPrincipal CreatePrincipal(string sessionKey) => new(new ClaimsIdentity([new Claim(SessionKeyClaim, sessionKey)], Scheme));
}

/// <summary>
/// Marks a request whose session cookie was refused (ended, expired, or from another terminal): its login page says so,
/// with the reason when the site knows it (<see cref="SessionScheme{TPrincipal}.EndReason"/>).
/// </summary>
public sealed record SessionEndedFeature(string? Reason = null);

/// <summary>
/// The one cookie-session authentication of the three sites (<see cref="SessionScheme{TPrincipal}"/>): the cookie carries
/// only the session key; each request re-validates it through the site's own service and exposes the principal (as
/// its own type and as <see cref="ISessionPrincipal"/>) and the layout's <see cref="SignedInUser"/>
/// as request features. A refused session drops the cookie; the request goes on as anonymous and a protected page then
/// sends it to the login page, which says that the session ended.
/// </summary>
public static class SiteSessionAuthentication
{
    /// <summary>Adds the scheme and a policy <paramref name="signedInPolicy"/> requiring a valid session; returns the builder for the site's other policies.</summary>
    public static AuthorizationBuilder AddSiteSessionAuthentication<TPrincipal>(this IServiceCollection services, SessionScheme<TPrincipal> scheme,
        string signedInPolicy)
        where TPrincipal : class, ISessionPrincipal
    {
        ArgumentNullException.ThrowIfNull(scheme);
        services.AddAuthentication(scheme.Scheme).AddCookie(scheme.Scheme, o => SessionCookie.Configure(o, scheme.CookieName, scheme.LoginPath,
            scheme.LogoutPath, scheme.DeniedPath, http => http.Features.Get<SessionEndedFeature>(), context => ValidateAsync(context, scheme)));
        return services.AddAuthorizationBuilder()
            .AddPolicy(signedInPolicy, p => p.AddAuthenticationSchemes(scheme.Scheme).RequireAuthenticatedUser());
    }

    /// <summary>Adds a policy that requires a valid session whose principal satisfies <paramref name="allowed"/>.</summary>
    public static AuthorizationBuilder AddPrincipalPolicy<TPrincipal>(this AuthorizationBuilder builder, SessionScheme<TPrincipal> scheme, string name,
        Func<TPrincipal, bool> allowed)
        where TPrincipal : class, ISessionPrincipal
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(scheme);
        return builder.AddPolicy(name, p => p.AddAuthenticationSchemes(scheme.Scheme).RequireAuthenticatedUser()
            .RequireAssertion(ctx => ctx.Resource is HttpContext http && http.Features.Get<TPrincipal>() is { } principal && allowed(principal)));
    }

    /// <summary>
    /// A temporary or expired password must be changed before anything else (SPEC §4.7): every request of a signed-in
    /// principal that must change it goes to <paramref name="changePath"/>, except that page, ログアウト, the error page,
    /// the assets and the <paramref name="alsoAllowed"/> paths.
    /// </summary>
    public static IApplicationBuilder UseForcedPasswordChange(this IApplicationBuilder app, string changePath, string logoutPath,
        params string[] alsoAllowed)
    {
        ArgumentNullException.ThrowIfNull(app);
        string[] allowed = [changePath, logoutPath, "/Error", "/assets", "/Session/Extend", .. alsoAllowed];
        return app.Use((context, next) =>
        {
            if (context.Features.Get<ISessionPrincipal>() is { } p && (p.MustChangePassword || p.PasswordExpired)
                && !allowed.Any(a => context.Request.Path.StartsWithSegments(a, StringComparison.OrdinalIgnoreCase)))
            {
                context.Response.Redirect(changePath);
                return Task.CompletedTask;
            }

            return next(context);
        });
    }

    private static async Task ValidateAsync<TPrincipal>(CookieValidatePrincipalContext context, SessionScheme<TPrincipal> scheme)
        where TPrincipal : class, ISessionPrincipal
    {
        var key = context.Principal?.FindFirstValue(scheme.SessionKeyClaim);
        var principal = string.IsNullOrEmpty(key) ? null : await scheme.Validate(context.HttpContext, key);
        if (principal is null)
        {
            var reason = string.IsNullOrEmpty(key) || scheme.EndReason is null ? null : await scheme.EndReason(context.HttpContext, key);
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(scheme.Scheme);
            context.HttpContext.Features.Set(new SessionEndedFeature(reason));
            return;
        }

        context.HttpContext.Features.Set(principal);
        context.HttpContext.Features.Set<ISessionPrincipal>(principal);
        context.HttpContext.Features.Set(scheme.Chrome(principal));
    }
}
