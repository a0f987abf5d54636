using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Features.PortalAccounts;
using Onshi.Portal.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Portal.Pages.Account;

/// <summary>The verification link of the registration mail.</summary>
public sealed class VerifyModel(PortalRegistrationService accounts) : PageModel
{
    public bool Succeeded { get; private set; }

    public async Task OnGetAsync(string? token)
    {
        var result = await accounts.VerifyEmailAsync(token, HttpContext.ClientAddress(), HttpContext.RequestAborted);
        Succeeded = result.Succeeded;
    }
}
