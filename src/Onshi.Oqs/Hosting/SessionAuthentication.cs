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
        services.AddSiteSessionAuthentication(Definition, Policies.SignedIn)
            .AddPrincipalPolicy(Definition, Policies.AccountAdministration, sp => PermissionMatrix.CanUseAccountAdministration(sp.Kind))
            .AddPrincipalPolicy(Definition, Policies.TerminalList, sp => sp.Kind is Onshi.Core.Data.AccountKind.Master or Onshi.Core.Data.AccountKind.Admin)
            .AddPrincipalPolicy(Definition, Policies.AuditLog, sp => PermissionMatrix.CanReadAuditLog(sp.Kind));
        return services;
    }

    public static ActorContext Actor(this HttpContext context)
    {
        var principal = context.Features.Get<SessionPrincipal>() ?? throw new InvalidOperationException("Not signed in.");
        var terminal = context.Features.Get<TerminalIdentity>();
        return new ActorContext(principal, terminal?.SerialNumber ?? "", context.ClientAddress());
    }
}

/// <summary>Authorization policy names.</summary>
public static class Policies
{
    public const string SignedIn = "SignedIn";
    public const string AccountAdministration = "AccountAdministration";

    /// <summary>端末証明書一覧: the master and admin screens (SPEC §8), not the reset account.</summary>
    public const string TerminalList = "TerminalList";

    /// <summary>操作ログ照会 and ログイン履歴 (<see cref="PermissionMatrix.CanReadAuditLog"/>).</summary>
    public const string AuditLog = "AuditLog";
}
