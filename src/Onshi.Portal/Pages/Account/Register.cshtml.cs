using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Onshi.Core.Features.Passwords;
using Onshi.Core.Features.PortalAccounts;
using Onshi.Portal.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Portal.Pages.Account;

/// <summary>新規登録 (「アカウントがありませんか? 新規登録はこちら」): always 「確認メールを送信しました」 on valid input.</summary>
public sealed class RegisterModel(PortalRegistrationService accounts, IOptions<PasswordOptions> options) : PageModel
{
    [BindProperty]
    public RegisterInput Input { get; set; } = new();

    public bool Sent { get; private set; }

    public string RulesText => PasswordRules.Text(options.Value);

    public void OnGet(string? sent) => Sent = sent is not null;

    public async Task<IActionResult> OnPostAsync()
    {
        var result = await accounts.RegisterAsync(Input.Email, Input.DisplayName, Input.Password, Input.ConfirmPassword,
            HttpContext.ClientAddress(), HttpContext.RequestAborted);
        Input.Password = Input.ConfirmPassword = null;
        if (!result.Succeeded)
        {
            ModelState.Clear();
            ModelState.AddOnshiErrors(result.Errors);
            return Page();
        }

        // PRG: a reload shows the answer again without registering again.
        return Redirect("/Account/Register?sent=1");
    }
}

/// <summary>The registration form.</summary>
public sealed class RegisterInput
{
    public string? Email { get; set; }

    public string? DisplayName { get; set; }

    public string? Password { get; set; }

    public string? ConfirmPassword { get; set; }
}
