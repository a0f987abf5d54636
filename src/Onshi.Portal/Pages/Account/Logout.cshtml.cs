using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Features.PortalAccounts;
using Onshi.Portal.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Portal.Pages.Account;

/// <summary>ログアウト (POST): ends the server-side session (audited), drops the cookie and asks the browser to clear the site's data.</summary>
public sealed class LogoutModel(PortalLoginService accounts) : PageModel
{
    public IActionResult OnGet() => HttpContext.Features.Get<PortalPrincipal>() is null ? Page() : Redirect("/");

    public async Task<IActionResult> OnPostAsync()
    {
        await accounts.LogoutAsync(User.FindFirstValue(PortalSessionAuthentication.SessionKeyClaim), HttpContext.ClientAddress(), HttpContext.RequestAborted);
        await HttpContext.SignOutAsync(PortalSessionAuthentication.Scheme);
        SecurityHeaders.ClearSiteData(Response);
        return Redirect("/Account/Logout");
    }
}
