using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Features.Operators;
using Onshi.Web.Hosting;

namespace Onshi.Operator.Hosting;

/// <summary>
/// The console's cookie (<c>__Host-onshi-op</c>) carries only the server-side session key. Each request re-validates it
/// through <see cref="OperatorAccountService.ValidateSessionAsync"/> and exposes the <see cref="OperatorPrincipal"/>
/// and the layout's <see cref="SignedInUser"/> as features.
/// </summary>
public static class OperatorSessionAuthentication
{
    public const string Scheme = "OperatorSession";
    public const string CookieName = "__Host-onshi-op";
    public const string SessionKeyClaim = "onshi:op-session";

    public static IServiceCollection AddOperatorSessionAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(Scheme).AddCookie(Scheme, o => SessionCookie.Configure(o, CookieName, "/Login", "/Logout", "/Denied",
            http => http.Features.Get<OperatorSessionEnded>() is not null, ValidateAsync));
        var policies = services.AddAuthorizationBuilder()
            .AddPolicy(OperatorPolicies.SignedIn, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());
        foreach (var capability in Enum.GetValues<OperatorCapability>())
        {
            policies.AddPolicy(OperatorPolicies.For(capability), p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser()
                .RequireAssertion(ctx => Allowed(ctx, capability)));
        }

        return services;
    }

    public static ClaimsPrincipal CreatePrincipal(string sessionKey) =>
        new(new ClaimsIdentity([new Claim(SessionKeyClaim, sessionKey)], Scheme));

    /// <summary>The signed-in operator (pages behind the SignedIn policy only).</summary>
    public static OperatorPrincipal Operator(this HttpContext context) =>
        context.Features.Get<OperatorPrincipal>() ?? throw new InvalidOperationException("Not signed in.");

    /// <summary>The signed-in operator as the actor of a use case.</summary>
    public static OperatorActor OperatorActor(this HttpContext context) => new(context.Operator().OperatorId, context.ClientAddress());

    private static bool Allowed(AuthorizationHandlerContext ctx, OperatorCapability capability) =>
        ctx.Resource is HttpContext http && http.Features.Get<OperatorPrincipal>() is { } p && p.Can(capability);

    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var key = context.Principal?.FindFirstValue(SessionKeyClaim);
        var accounts = context.HttpContext.RequestServices.GetRequiredService<OperatorAccountService>();
        var principal = await accounts.ValidateSessionAsync(key, context.HttpContext.ClientAddress(), context.HttpContext.RequestAborted);
        if (principal is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
            context.HttpContext.Features.Set(new OperatorSessionEnded());
            return;
        }

        context.HttpContext.Features.Set(principal);
        context.HttpContext.Features.Set(new SignedInUser(
            [principal.DisplayName, $"ユーザID：{principal.UserId}（{OperatorPermissions.Label(principal.Role)}）"], "/Logout"));
    }
}

/// <summary>Marks a request whose session cookie was refused.</summary>
public sealed class OperatorSessionEnded;

/// <summary>Authorization policy names of the console; one per <see cref="OperatorCapability"/>.</summary>
public static class OperatorPolicies
{
    public const string SignedIn = "OperatorSignedIn";

    public static string For(OperatorCapability capability) => "Operator." + capability;
}

/// <summary>The actor of a refused console request: the signed-in operator (<c>op:</c> + user ID), else <c>anonymous</c>.</summary>
public sealed class OperatorRefusalActor : IRefusalActor
{
    public Onshi.Core.Features.Audit.AuditRecord Describe(HttpContext context, Onshi.Core.Features.Audit.AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(record);
        return record with
        {
            Actor = context.Features.Get<OperatorPrincipal>() is { } p ? OperatorAudit.Actor(p.UserId) : RequestRefusals.Anonymous,
        };
    }
}
