using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Onshi.Core.Features.Operators;
using Onshi.Core.Features.Passwords;
using Onshi.Operator.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Operator.Pages;

/// <summary>パスワード変更, also the forced change after a temporary or expired password.</summary>
public sealed class ChangePasswordModel(OperatorOwnPasswordService accounts, IOptions<PasswordOptions> options) : PageModel
{
    [BindProperty]
    public ChangePasswordInput Input { get; set; } = new();

    public bool Forced { get; private set; }

    public bool Expired { get; private set; }

    public bool Done { get; private set; }

    /// <summary>How many other sessions of the account the change ended (shown after 「パスワードを変更しました。」).</summary>
    public int OtherSessionsEnded { get; private set; }

    public string RulesText
    {
        get
        {
            var o = options.Value;
            return $"{o.MinLength}文字以上{o.MaxLength}文字以内で、英字・数字・記号をそれぞれ1文字以上含めてください。ユーザIDやこのシステム・運営機関の名称（ローマ字を含む）を含むもの、よく使われるものは使えません。"
                + $"{o.NonExpiringLength}文字以上のパスワードには有効期限がありません（{o.NonExpiringLength - 1}文字以下は{o.ExpiryDays}日）。";
        }
    }

    public void OnGet() => SetFlags();

    public async Task<IActionResult> OnPostAsync()
    {
        SetFlags();
        var p = HttpContext.Operator();
        var result = await accounts.ChangeAsync(p.OperatorId, p.SessionId, Input.CurrentPassword, Input.NewPassword, Input.ConfirmPassword,
            HttpContext.ClientAddress(), HttpContext.RequestAborted);
        Input = new();
        if (!result.Succeeded)
        {
            ModelState.Clear();
            ModelState.AddOnshiErrors(result.Errors);
            return Page();
        }

        Forced = false;
        Done = true;
        OtherSessionsEnded = result.Value;
        return Page();
    }

    private void SetFlags()
    {
        var p = HttpContext.Operator();
        Forced = p.MustChangePassword || p.PasswordExpired;
        Expired = p.PasswordExpired && !p.MustChangePassword;
    }
}

/// <summary>The password change form.</summary>
public sealed class ChangePasswordInput
{
    public string? CurrentPassword { get; set; }

    public string? NewPassword { get; set; }

    public string? ConfirmPassword { get; set; }
}
