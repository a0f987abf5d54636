using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Onshi.Core.Features.Login;
using Onshi.Core.Features.Sessions;
using Onshi.Oqs.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Oqs.Pages;

/// <summary>ログイン (seed P2-4).</summary>
public sealed class LoginModel(LoginService login, SessionService sessions, OqsSiteOptions site, IOptions<LoginOptions> lockout) : PageModel
{
    /// <summary>The lockout rule, for 「ログインできない場合」.</summary>
    public LoginOptions Lockout => lockout.Value;

    [BindProperty]
    public LoginInput Input { get; set; } = new();

    public string? Notice { get; private set; }

    /// <summary>Set while the 強制ログイン question is shown: the token its OK / キャンセル post back.</summary>
    public string? ForcedLoginToken { get; private set; }

    /// <summary>The notice for a session that ended by 強制ログイン elsewhere (SPEC §4.8).</summary>
    public const string ForcedOutNotice =
        "同じユーザIDで、別の端末またはブラウザから強制ログインが行われたため、ログアウトしました。続けて利用する場合は、もう一度ログインしてください（相手の端末はログアウトされます）。";

    public void OnGet(string? ended)
    {
        var reason = ended ?? HttpContext.Features.Get<SessionEndedFeature>()?.Reason;
        if (reason == SessionEndReasons.ForcedLogin)
        {
            Notice = ForcedOutNotice;
        }
        else if (ended is not null || HttpContext.Features.Get<SessionEndedFeature>() is not null)
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

        var result = await login.LoginAsync(site.Environment, terminal, Input.UserId, Input.Password, HttpContext.ClientAddress(),
            CurrentSessionKey(), HttpContext.RequestAborted);
        return await AnswerAsync(result);
    }

    /// <summary>強制ログイン: OK. The other session ends and this browser signs in.</summary>
    public async Task<IActionResult> OnPostForceAsync(string? token) =>
        await AnswerAsync(await login.ForceLoginAsync(site.Environment, HttpContext.Terminal(), token, HttpContext.ClientAddress(), HttpContext.RequestAborted));

    /// <summary>強制ログイン: キャンセル. Nothing changes; back to an empty login form.</summary>
    public async Task<IActionResult> OnPostCancelAsync(string? token)
    {
        await login.CancelForcedLoginAsync(site.Environment, HttpContext.Terminal(), token, HttpContext.ClientAddress(), HttpContext.RequestAborted);
        return RedirectToPage();
    }

    private string? CurrentSessionKey() => HttpContext.Features.Get<SessionPrincipal>() is not null
        ? User.FindFirstValue(SessionAuthentication.SessionKeyClaim)
        : null;

    private async Task<IActionResult> AnswerAsync(LoginResult result)
    {
        switch (result.Outcome)
        {
            case LoginOutcome.Success:
            case LoginOutcome.MustChangePassword:
                if (CurrentSessionKey() is { } previous)
                {
                    // Logging in again in the same browser ends the session it had.
                    await sessions.LogoutAsync(previous, HttpContext.RequestAborted);
                }

                await HttpContext.SignInAsync(SessionAuthentication.Scheme, SessionAuthentication.Definition.CreatePrincipal(result.SessionKey!),
                    new AuthenticationProperties { IsPersistent = false });
                return Redirect(result.Outcome == LoginOutcome.MustChangePassword ? "/ChangePassword" : "/Menu");
            case LoginOutcome.AlreadyInUse:
                ForcedLoginToken = result.ForcedLoginToken;
                Input = new LoginInput { UserId = Input.UserId };
                return Page();
            case LoginOutcome.ForcedLoginExpired:
                ModelState.AddModelError("", LoginResult.ForcedLoginExpiredMessage);
                break;
            case LoginOutcome.Throttled:
                ModelState.AddModelError("", LoginResult.ThrottledMessage);
                break;
            case LoginOutcome.TemporaryPasswordExpired:
                ModelState.AddModelError("", LoginResult.TemporaryExpiredMessage(result.ExpiredKind, result.ExpiredInitial));
                break;
            default:
                ModelState.AddModelError("", LoginResult.GenericFailureMessage(lockout.Value));
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
