using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Features.PortalAccounts;
using Onshi.Portal.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Portal.Pages.Account;

/// <summary>ログイン (seed P4): user ID = e-mail address.</summary>
public sealed class LoginModel(PortalLoginService accounts) : PageModel
{
    [BindProperty]
    public LoginInput Input { get; set; } = new();

    public string? Notice { get; private set; }

    public bool Invalid { get; private set; }

    public IActionResult OnGet(string? ended, string? reset, string? verified)
    {
        if (HttpContext.Features.Get<PortalPrincipal>() is not null)
        {
            return Redirect("/");
        }

        Notice = ended is not null || HttpContext.Features.Get<SessionEndedFeature>() is not null
            ? "ログインの有効時間が過ぎたか、ログアウトされました。もう一度ログインしてください。"
            : reset is not null ? "パスワードを再設定しました。新しいパスワードでログインしてください。"
            : verified is not null ? "メールアドレスの確認が完了しました。ログインしてください。"
            : null;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (string.IsNullOrWhiteSpace(Input.Email) || string.IsNullOrEmpty(Input.Password))
        {
            ModelState.AddModelError("", PortalAccountErrors.EmptyCredentials);
            Invalid = true;
            Input.Password = "";
            return Page();
        }

        var result = await accounts.LoginAsync(Input.Email, Input.Password, HttpContext.ClientAddress(), HttpContext.RequestAborted);
        if (result.Outcome == PortalLoginOutcome.Success)
        {
            if (User.FindFirstValue(PortalSessionAuthentication.SessionKeyClaim) is { } previous)
            {
                // Logging in again in the same browser ends the session it had.
                await accounts.LogoutAsync(previous, HttpContext.ClientAddress(), HttpContext.RequestAborted);
            }

            await HttpContext.SignInAsync(PortalSessionAuthentication.Scheme, PortalSessionAuthentication.Definition.CreatePrincipal(result.SessionKey!),
                new AuthenticationProperties { IsPersistent = false });
            return Redirect("/");
        }

        ModelState.AddModelError("", result.Message!);
        Invalid = true;
        Input.Password = "";
        return Page();
    }
}

/// <summary>The login form.</summary>
public sealed class LoginInput
{
    public string? Email { get; set; }

    public string? Password { get; set; }
}
