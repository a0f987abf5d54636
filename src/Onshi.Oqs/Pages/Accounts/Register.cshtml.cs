using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Data;
using Onshi.Core.Features.AccountManagement;
using Onshi.Core.Features.Accounts;
using Onshi.Oqs.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Oqs.Pages.Accounts;

/// <summary>
/// アカウント管理（登録）: creates an account with a temporary password shown once (a 連携アプリ用 / Web API用 account: a non-expiring
/// secret to set into the client, SPEC §12).
/// </summary>
public sealed class RegisterModel(AccountAdministration accounts, IssuedPasswordTokens tokens) : PageModel
{
    [BindProperty]
    public RegisterInput Input { get; set; } = new();

    [TempData]
    public string? IssuedToken { get; set; }

    public IReadOnlyList<AccountKind> Kinds { get; private set; } = [];

    public IActionResult OnGet()
    {
        Kinds = PermissionMatrix.CreatableKinds(HttpContext.Actor().Principal.Kind);
        if (Kinds.Count == 0)
        {
            return Redirect("/Denied");
        }

        Input.Kind = Kinds.Contains(AccountKind.General) ? AccountKind.General : Kinds[0];
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var actor = HttpContext.Actor();
        Kinds = PermissionMatrix.CreatableKinds(actor.Principal.Kind);
        // A value that is no 権限区分 at all (not the empty 「選択してください」) is a forged choice: refused and audited as such.
        var kind = Input.Kind ?? (string.IsNullOrEmpty(Request.Form["Input.Kind"]) ? null : (AccountKind)0);
        var result = await accounts.CreateAsync(actor, kind, Input.UserId, Input.DisplayName, HttpContext.RequestAborted);
        if (!result.Succeeded)
        {
            ModelState.Clear();
            ModelState.AddOnshiErrors(result.Errors);
            return Page();
        }

        IssuedToken = tokens.Protect(actor.Principal.SessionKey, result.Value!, IssueReason.Registered);
        return Redirect("/Accounts/Issued");
    }
}

/// <summary>The registration form.</summary>
public sealed class RegisterInput
{
    /// <summary>Null when 「選択してください」 was left selected.</summary>
    public AccountKind? Kind { get; set; }

    [CodeInput]

    public string? UserId { get; set; }

    public string? DisplayName { get; set; }
}
