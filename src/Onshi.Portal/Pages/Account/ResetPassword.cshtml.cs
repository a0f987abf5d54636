using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Onshi.Core.Features.Passwords;
using Onshi.Core.Features.PortalAccounts;
using Onshi.Portal.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Portal.Pages.Account;

/// <summary>The reset link's form: a new password; the link works once and ends every session.</summary>
public sealed class ResetPasswordModel(PortalPasswordResetService accounts, IOptions<PasswordOptions> options) : PageModel
{
    [BindProperty]
    public ResetPasswordInput Input { get; set; } = new();

    public bool LinkValid { get; private set; } = true;

    public string RulesText => PasswordRules.Text(options.Value);

    public async Task OnGetAsync(string? token)
    {
        Input.Token = token;
        LinkValid = await accounts.IsResetLinkValidAsync(token, HttpContext.RequestAborted);
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var result = await accounts.ResetPasswordAsync(Input.Token, Input.Password, Input.ConfirmPassword, HttpContext.ClientAddress(), HttpContext.RequestAborted);
        Input.Password = Input.ConfirmPassword = null;
        if (result.Succeeded)
        {
            return Redirect("/Account/Login?reset=1");
        }

        if (result.Errors.Any(e => e.Code == PortalAccountErrors.LinkInvalid().Code))
        {
            LinkValid = false;
            return Page();
        }

        ModelState.Clear();
        ModelState.AddOnshiErrors(result.Errors);
        return Page();
    }
}

/// <summary>The reset form; the token travels in a hidden field.</summary>
public sealed class ResetPasswordInput
{
    public string? Token { get; set; }

    public string? Password { get; set; }

    public string? ConfirmPassword { get; set; }
}
