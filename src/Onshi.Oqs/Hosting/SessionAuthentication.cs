using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Features.Accounts;
using Onshi.Core.Features.Login;
using Onshi.Core.Features.Sessions;
using Onshi.Web.Hosting;

namespace Onshi.Oqs.Hosting;

/// <summary>
/// The OQS cookie carries only the server-side session key. Each request re-validates it (idle and absolute limits,
/// account status, security stamp, same terminal certificate) and exposes the <see cref="SessionPrincipal"/> as a feature.
/// </summary>
public static class SessionAuthentication
{
    public const string Scheme = "OqsSession";
    public const string CookieName = "__Host-onshi-oqs";
    public const string SessionKeyClaim = "onshi:session";

    public static IServiceCollection AddOqsSessionAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(Scheme).AddCookie(Scheme, o => SessionCookie.Configure(o, CookieName, "/Login", "/Logout", "/Denied",
            http => http.Features.Get<SessionEndedFeature>() is not null, ValidateAsync));
        var policies = services.AddAuthorizationBuilder()
            .AddPolicy(OqsPolicies.SignedIn, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());
        foreach (var capability in Enum.GetValues<OqsCapability>())
        {
            policies.AddPolicy(OqsPolicies.For(capability), p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser()
                .RequireAssertion(ctx => ctx.Resource is HttpContext http && http.Features.Get<SessionPrincipal>() is { } sp
                    && PermissionMatrix.Allows(sp.Kind, capability)));
        }

        return services;
    }

    public static ClaimsPrincipal CreatePrincipal(string sessionKey) =>
        new(new ClaimsIdentity([new Claim(SessionKeyClaim, sessionKey)], Scheme));

    public static ActorContext Actor(this HttpContext context)
    {
        var principal = context.Features.Get<SessionPrincipal>() ?? throw new InvalidOperationException("Not signed in.");
        var terminal = context.Features.Get<TerminalIdentity>();
        return new ActorContext(principal, terminal?.SerialNumber ?? "", context.ClientAddress());
    }

    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var key = context.Principal?.FindFirstValue(SessionKeyClaim);
        var terminal = context.HttpContext.Features.Get<TerminalIdentity>();
        SessionPrincipal? principal = null;
        if (key is not null && terminal is not null)
        {
            var sessions = context.HttpContext.RequestServices.GetRequiredService<SessionService>();
            var site = context.HttpContext.RequestServices.GetRequiredService<OqsSiteOptions>();
            principal = await sessions.ValidateAsync(key, terminal.Thumbprint, site.Environment, context.HttpContext.RequestAborted);
        }

        if (principal is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
            context.HttpContext.Features.Set(new SessionEndedFeature());
            return;
        }

        context.HttpContext.Features.Set(principal);
        context.HttpContext.Features.Set(new SignedInUser(
            [principal.InstitutionName, $"ユーザID：{principal.UserId}（{AccountKinds.Label(principal.Kind)}）"], "/Logout"));
    }
}

/// <summary>Marks a request whose session cookie was refused (ended, expired, or from another terminal).</summary>
public sealed class SessionEndedFeature;

/// <summary>
/// Authorization policy names of the OQS: <see cref="SignedIn"/>, and one per <see cref="OqsCapability"/>, each asking
/// <see cref="PermissionMatrix.Allows(Onshi.Core.Data.AccountKind, OqsCapability)"/> (the page conventions in <c>OqsApp</c>).
/// </summary>
public static class OqsPolicies
{
    public const string SignedIn = "SignedIn";

    public static string For(OqsCapability capability) => "Oqs." + capability;
}
