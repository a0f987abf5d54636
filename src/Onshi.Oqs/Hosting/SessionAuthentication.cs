using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Features.Accounts;
using Onshi.Core.Features.Login;
using Onshi.Core.Features.Sessions;
using Onshi.Web.Hosting;

namespace Onshi.Oqs.Hosting;

/// <summary>
/// The OQS's session scheme (<see cref="SiteSessionAuthentication"/>): the cookie carries only the server-side session key;
/// each request re-validates it (idle and absolute limits, account status, security stamp, same terminal certificate)
/// through <see cref="SessionService.ValidateAsync"/> and exposes the <see cref="SessionPrincipal"/> as a feature.
/// </summary>
public static class SessionAuthentication
{
    public const string Scheme = "OqsSession";
    public const string CookieName = "__Host-onshi-oqs";
    public const string SessionKeyClaim = "onshi:session";

    /// <summary>The OQS's scheme: a session is valid only from the terminal certificate it was opened with.</summary>
    public static SessionScheme<SessionPrincipal> Definition { get; } = new(Scheme, CookieName, SessionKeyClaim, "/Login", "/Logout", "/Denied",
        static async (http, key) =>
        {
            if (http.Features.Get<TerminalIdentity>() is not { } terminal)
            {
                return null;
            }

            var sessions = http.RequestServices.GetRequiredService<SessionService>();
            var site = http.RequestServices.GetRequiredService<OqsSiteOptions>();
            return await sessions.ValidateAsync(key, terminal.Thumbprint, site.Environment, http.RequestAborted);
        },
        static p => new SignedInUser([p.InstitutionName, $"ユーザID：{p.UserId}（{AccountKinds.Label(p.Kind)}）"], "/Logout"),
        static (http, key) => http.RequestServices.GetRequiredService<SessionService>().EndReasonAsync(key, http.RequestAborted));

    public static IServiceCollection AddOqsSessionAuthentication(this IServiceCollection services)
    {
        // One policy per capability, each asking PermissionMatrix.Allows (the page conventions in OqsApp, the menu asks the same).
        var policies = services.AddSiteSessionAuthentication(Definition, OqsPolicies.SignedIn);
        foreach (var capability in Enum.GetValues<OqsCapability>())
        {
            policies.AddPrincipalPolicy(Definition, OqsPolicies.For(capability), sp => PermissionMatrix.Allows(sp.Kind, capability));
        }

        return services;
    }

    public static ActorContext Actor(this HttpContext context)
    {
        var principal = context.Features.Get<SessionPrincipal>() ?? throw new InvalidOperationException("Not signed in.");
        var terminal = context.Features.Get<TerminalIdentity>();
        return new ActorContext(principal, terminal?.SerialNumber ?? "", context.ClientAddress());
    }
}

/// <summary>
/// Authorization policy names of the OQS: <see cref="SignedIn"/>, and one per <see cref="OqsCapability"/>, each asking
/// <see cref="PermissionMatrix.Allows(Onshi.Core.Data.AccountKind, OqsCapability)"/> (the page conventions in <c>OqsApp</c>).
/// </summary>
public static class OqsPolicies
{
    public const string SignedIn = "SignedIn";

    public static string For(OqsCapability capability) => "Oqs." + capability;
}
