using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Onshi.Core.Features.Login;
using Onshi.Core.Features.Operators;
using Onshi.Operator.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Operator.Pages;

/// <summary>ログイン of the operator console.</summary>
public sealed class LoginModel(OperatorLoginService accounts, IOptions<LoginOptions> lockout) : PageModel
{
    [BindProperty]
    public LoginInput Input { get; set; } = new();

    public string? Notice { get; private set; }

    public void OnGet(string? ended)
    {
        if (ended is not null || HttpContext.Features.Get<SessionEndedFeature>() is not null)
        {
            Notice = "ログインの有効時間が過ぎたか、ログアウトされました。もう一度ログインしてください。";
        }
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (string.IsNullOrWhiteSpace(Input.UserId) || string.IsNullOrEmpty(Input.Password))
        {
            if (string.IsNullOrWhiteSpace(Input.UserId))
            {
                ModelState.AddModelError("Input.UserId", "ユーザIDを入力してください。");
            }

            if (string.IsNullOrEmpty(Input.Password))
            {
                ModelState.AddModelError("Input.Password", "パスワードを入力してください。");
            }

            return Page();
        }

        var result = await accounts.LoginAsync(Input.UserId, Input.Password, HttpContext.ClientAddress(), HttpContext.RequestAborted);
        switch (result.Outcome)
        {
            case LoginOutcome.Success:
            case LoginOutcome.MustChangePassword:
                if (User.FindFirstValue(OperatorSessionAuthentication.SessionKeyClaim) is { } previous)
                {
                    // Logging in again in the same browser ends the session it had.
                    await accounts.LogoutAsync(previous, HttpContext.ClientAddress(), HttpContext.RequestAborted);
                }

                await HttpContext.SignInAsync(OperatorSessionAuthentication.Scheme, OperatorSessionAuthentication.Definition.CreatePrincipal(result.SessionKey!),
                    new AuthenticationProperties { IsPersistent = false });
                return Redirect(result.Outcome == LoginOutcome.MustChangePassword ? "/ChangePassword" : "/");
            case LoginOutcome.Throttled:
                ModelState.AddModelError("", OperatorErrors.Throttled);
                break;
            case LoginOutcome.TemporaryPasswordExpired:
                ModelState.AddModelError("", OperatorErrors.TemporaryExpired);
                break;
            default:
                ModelState.AddModelError("", OperatorErrors.GenericLoginFailure(lockout.Value));
                break;
        }

        Input.Password = "";
        return Page();
    }
}

/// <summary>The login form.</summary>
public sealed class LoginInput
{
    [CodeInput]
    public string? UserId { get; set; }

    public string? Password { get; set; }
}
