using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Features.PortalAccounts;
using Onshi.Web.Hosting;

namespace Onshi.Portal.Hosting;

/// <summary>
/// The portal's session scheme (<see cref="SiteSessionAuthentication"/>): the cookie carries only the server-side session
/// key; each request re-validates it (idle and absolute limits, the user confirmed and with the same security stamp)
/// through <see cref="PortalLoginService.ValidateSessionAsync"/> and exposes the <see cref="PortalPrincipal"/> as a feature.
/// </summary>
public static class PortalSessionAuthentication
{
    public const string Scheme = "PortalSession";
    public const string CookieName = "__Host-onshi-portal";
    public const string SessionKeyClaim = "onshi:portal-session";

    /// <summary>The portal's scheme.</summary>
    public static SessionScheme<PortalPrincipal> Definition { get; } = new(Scheme, CookieName, SessionKeyClaim, "/Account/Login", "/Account/Logout",
        "/Error",
        static (http, key) => http.RequestServices.GetRequiredService<PortalLoginService>().ValidateSessionAsync(key, http.RequestAborted),
        static p => new SignedInUser([p.Email], "/Account/Logout"));

    public static IServiceCollection AddPortalSessionAuthentication(this IServiceCollection services)
    {
        services.AddSiteSessionAuthentication(Definition, PortalPolicies.SignedIn);
        return services;
    }
}

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
