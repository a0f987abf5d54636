using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Features.PortalAccounts;
using Onshi.Web.Hosting;

namespace Onshi.Portal.Hosting;

/// <summary>
/// The portal cookie carries only the server-side session key. Each request re-validates it (idle and absolute limits,
/// the user confirmed and with the same security stamp) and exposes the <see cref="PortalPrincipal"/> as a feature.
/// </summary>
public static class PortalSessionAuthentication
{
    public const string Scheme = "PortalSession";
    public const string CookieName = "__Host-onshi-portal";
    public const string SessionKeyClaim = "onshi:portal-session";

    public static IServiceCollection AddPortalSessionAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(Scheme).AddCookie(Scheme, o => SessionCookie.Configure(o, CookieName, "/Account/Login", "/Account/Logout", "/Error",
            http => http.Features.Get<PortalSessionEndedFeature>() is not null, ValidateAsync));
        services.AddAuthorizationBuilder()
            .AddPolicy(PortalPolicies.SignedIn, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());
        return services;
    }

    public static ClaimsPrincipal CreatePrincipal(string sessionKey) =>
        new(new ClaimsIdentity([new Claim(SessionKeyClaim, sessionKey)], Scheme));

    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var key = context.Principal?.FindFirstValue(SessionKeyClaim);
        PortalPrincipal? principal = null;
        if (key is not null)
        {
            var accounts = context.HttpContext.RequestServices.GetRequiredService<PortalAccountService>();
            principal = await accounts.ValidateSessionAsync(key, context.HttpContext.RequestAborted);
        }

        if (principal is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
            context.HttpContext.Features.Set(new PortalSessionEndedFeature());
            return;
        }

        context.HttpContext.Features.Set(principal);
        context.HttpContext.Features.Set(new SignedInUser([principal.Email], "/Account/Logout"));
    }
}

/// <summary>Marks a request whose session cookie was refused (ended or expired).</summary>
public sealed class PortalSessionEndedFeature;

/// <summary>Authorization policy names of the portal.</summary>
public static class PortalPolicies
{
    public const string SignedIn = "PortalSignedIn";
}

/// <summary>The actor of a refused portal request: the signed-in portal user (by id, never the address), else <c>anonymous</c>.</summary>
public sealed class PortalRefusalActor : IRefusalActor
{
    public Onshi.Core.Features.Audit.AuditRecord Describe(HttpContext context, Onshi.Core.Features.Audit.AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(record);
        return record with
        {
            Actor = context.Features.Get<PortalPrincipal>() is { } p ? PortalAuditActions.Actor(p.UserId) : RequestRefusals.Anonymous,
        };
    }
}
