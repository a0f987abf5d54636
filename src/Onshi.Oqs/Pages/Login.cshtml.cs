using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Features.Login;
using Onshi.Core.Features.Sessions;
using Onshi.Oqs.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Oqs.Pages;

/// <summary>ログイン (seed P2-4).</summary>
public sealed class LoginModel(LoginService login, SessionService sessions, OqsSiteOptions site) : PageModel
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
        var terminal = HttpContext.Terminal();
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

        var result = await login.LoginAsync(site.Environment, terminal, Input.UserId, Input.Password, HttpContext.ClientAddress(), HttpContext.RequestAborted);
        switch (result.Outcome)
        {
            case LoginOutcome.Success:
            case LoginOutcome.MustChangePassword:
                if (User.FindFirstValue(SessionAuthentication.SessionKeyClaim) is { } previous)
                {
                    // Logging in again in the same browser ends the session it had.
                    await sessions.LogoutAsync(previous, HttpContext.RequestAborted);
                }

                await HttpContext.SignInAsync(SessionAuthentication.Scheme, SessionAuthentication.CreatePrincipal(result.SessionKey!),
                    new AuthenticationProperties { IsPersistent = false });
                return Redirect(result.Outcome == LoginOutcome.MustChangePassword ? "/ChangePassword" : "/Menu");
            case LoginOutcome.Throttled:
                ModelState.AddModelError("", LoginResult.ThrottledMessage);
                break;
            case LoginOutcome.TemporaryPasswordExpired:
                ModelState.AddModelError("", LoginResult.TemporaryExpiredMessage);
                break;
            default:
                ModelState.AddModelError("", LoginResult.GenericFailureMessage);
                break;
        }

        Input.Password = "";
        return Page();
    }
}

/// <summary>The login form.</summary>
public sealed class LoginInput
{
    public string? UserId { get; set; }

    public string? Password { get; set; }
}
