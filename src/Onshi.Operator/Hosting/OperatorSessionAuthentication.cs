using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Features.Operators;
using Onshi.Web.Hosting;

namespace Onshi.Operator.Hosting;

/// <summary>
/// The console's session scheme (<see cref="SiteSessionAuthentication"/>): the cookie (<c>__Host-onshi-op</c>) carries only
/// the server-side session key; each request re-validates it through <see cref="OperatorLoginService.ValidateSessionAsync"/>
/// and exposes the <see cref="OperatorPrincipal"/> as a feature. One policy per <see cref="OperatorCapability"/>.
/// </summary>
public static class OperatorSessionAuthentication
{
    public const string Scheme = "OperatorSession";
    public const string CookieName = "__Host-onshi-op";
    public const string SessionKeyClaim = "onshi:op-session";

    /// <summary>The console's scheme.</summary>
    public static SessionScheme<OperatorPrincipal> Definition { get; } = new(Scheme, CookieName, SessionKeyClaim, "/Login", "/Logout", "/Denied",
        static (http, key) => http.RequestServices.GetRequiredService<OperatorLoginService>().ValidateSessionAsync(key, http.ClientAddress(), http.RequestAborted),
        static p => new SignedInUser([p.DisplayName, $"ユーザID：{p.UserId}（{OperatorPermissions.Label(p.Role)}）"], "/Logout"));

    public static IServiceCollection AddOperatorSessionAuthentication(this IServiceCollection services)
    {
        var policies = services.AddSiteSessionAuthentication(Definition, OperatorPolicies.SignedIn);
        foreach (var capability in Enum.GetValues<OperatorCapability>())
        {
            policies.AddPrincipalPolicy(Definition, OperatorPolicies.For(capability), p => p.Can(capability));
        }

        return services;
    }

    /// <summary>The signed-in operator (pages behind the SignedIn policy only).</summary>
    public static OperatorPrincipal Operator(this HttpContext context) =>
        context.Features.Get<OperatorPrincipal>() ?? throw new InvalidOperationException("Not signed in.");

    /// <summary>The signed-in operator as the actor of a use case.</summary>
    public static OperatorActor OperatorActor(this HttpContext context) => new(context.Operator().OperatorId, context.ClientAddress());
}

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
