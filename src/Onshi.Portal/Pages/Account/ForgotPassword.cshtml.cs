using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Features.PortalAccounts;
using Onshi.Portal.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Portal.Pages.Account;

/// <summary>パスワードの再設定 (request): the same answer whether or not the address is registered.</summary>
public sealed class ForgotPasswordModel(PortalPasswordResetService accounts) : PageModel
{
    [BindProperty]
    public ForgotPasswordInput Input { get; set; } = new();

    public bool Sent { get; private set; }

    public void OnGet(string? sent) => Sent = sent is not null;

    public async Task<IActionResult> OnPostAsync()
    {
        var result = await accounts.RequestPasswordResetAsync(Input.Email, HttpContext.ClientAddress(), HttpContext.RequestAborted);
        if (!result.Succeeded)
        {
            ModelState.Clear();
            ModelState.AddOnshiErrors(result.Errors);
            return Page();
        }

        return Redirect("/Account/ForgotPassword?sent=1");
    }
}

/// <summary>The reset request form.</summary>
public sealed class ForgotPasswordInput
{
    public string? Email { get; set; }
}
