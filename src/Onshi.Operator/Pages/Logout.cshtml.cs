using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Features.Operators;
using Onshi.Operator.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Operator.Pages;

/// <summary>ログアウト: ends the server-side session (audited), drops the cookie and asks the browser to clear the site's data.</summary>
public sealed class LogoutModel(OperatorLoginService accounts) : PageModel
{
    public IActionResult OnGet() => HttpContext.Features.Get<OperatorPrincipal>() is null ? Page() : Redirect("/");

    public async Task<IActionResult> OnPostAsync()
    {
        var key = User.FindFirstValue(OperatorSessionAuthentication.SessionKeyClaim);
        await accounts.LogoutAsync(key, HttpContext.ClientAddress(), HttpContext.RequestAborted);
        await HttpContext.SignOutAsync(OperatorSessionAuthentication.Scheme);
        SecurityHeaders.ClearSiteData(Response);
        return Redirect("/Logout");
    }
}
