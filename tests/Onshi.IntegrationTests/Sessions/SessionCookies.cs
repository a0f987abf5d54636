using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Shouldly;

namespace Onshi.IntegrationTests.Sessions;

/// <summary>One site's session cookie: its name, the authentication scheme that protects it and the claim holding the key.</summary>
public sealed record SessionCookieKind(string CookieName, string Scheme, string KeyClaim);

/// <summary>
/// Reads and forges a site's session cookie with the site's own Data Protection keys: the cookie is an encrypted
/// authentication ticket whose only claim is the session key. Forging needs those keys, so a forged cookie is the
/// strongest attacker there is: one who can also read the database.
/// </summary>
public static class SessionCookies
{
    /// <summary>The session cookie's value in <paramref name="jar"/> for <paramref name="site"/>, or null.</summary>
    public static string? Value(CookieContainer jar, Uri site, SessionCookieKind kind)
    {
        ArgumentNullException.ThrowIfNull(jar);
        ArgumentNullException.ThrowIfNull(kind);
        return jar.GetCookies(site)[kind.CookieName]?.Value;
    }

    /// <summary>The session key inside a cookie value.</summary>
    public static string KeyOf(IServiceProvider services, SessionCookieKind kind, string cookieValue)
    {
        ArgumentNullException.ThrowIfNull(kind);
        var ticket = Options(services, kind).TicketDataFormat.Unprotect(cookieValue).ShouldNotBeNull("the cookie is not a ticket of this site");
        return ticket.Principal.FindFirstValue(kind.KeyClaim).ShouldNotBeNull();
    }

    /// <summary>A valid cookie value (a ticket the site's keys authenticate) carrying <paramref name="key"/> as the session key.</summary>
    public static string Forge(IServiceProvider services, SessionCookieKind kind, string key)
    {
        ArgumentNullException.ThrowIfNull(kind);
        var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(kind.KeyClaim, key)], kind.Scheme));
        return Options(services, kind).TicketDataFormat.Protect(new AuthenticationTicket(principal, new AuthenticationProperties(), kind.Scheme));
    }

    /// <summary>Sets the session cookie in <paramref name="jar"/> as an attacker who can write the victim's cookies would.</summary>
    public static void Plant(CookieContainer jar, Uri site, SessionCookieKind kind, string value)
    {
        ArgumentNullException.ThrowIfNull(jar);
        ArgumentNullException.ThrowIfNull(kind);
        jar.Add(site, new Cookie(kind.CookieName, value, "/") { Secure = true, HttpOnly = true });
    }

    private static CookieAuthenticationOptions Options(IServiceProvider services, SessionCookieKind kind) =>
        services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(kind.Scheme);
}
