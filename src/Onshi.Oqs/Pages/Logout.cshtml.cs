using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Features.Sessions;
using Onshi.Oqs.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Oqs.Pages;

/// <summary>ログアウト: ends the server-side session (audited), drops the cookie and asks the browser to clear the site's data.</summary>
public sealed class LogoutModel(SessionService sessions) : PageModel
{
    public IActionResult OnGet() => HttpContext.Features.Get<SessionPrincipal>() is null ? Page() : Redirect("/Menu");

    public async Task<IActionResult> OnPostAsync()
    {
        var key = User.FindFirstValue(SessionAuthentication.SessionKeyClaim);
        if (key is not null)
        {
            await sessions.LogoutAsync(key, HttpContext.RequestAborted);
        }

        await HttpContext.SignOutAsync(SessionAuthentication.Scheme);
        SecurityHeaders.ClearSiteData(Response);
        return Redirect("/Logout");
    }
}
