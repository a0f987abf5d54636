using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Features.AccountManagement;
using Onshi.Core.Features.Sessions;
using Onshi.Oqs.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Oqs.Pages.Accounts;

/// <summary>The confirmation 「パスワードを初期化します。よろしいですか？」 (seed P8-5, P10-5) and the initialization itself.</summary>
public sealed class InitializePasswordModel(AccountAdministration accounts, IssuedPasswordTokens tokens) : PageModel
{
    public long Id { get; private set; }

    public string UserId { get; private set; } = "";

    /// <summary>The target's ユーザ名: the confirmation names the account it acts on (issue 14, item 8).</summary>
    public string DisplayName { get; private set; } = "";

    public Onshi.Core.Data.AccountKind? Kind { get; private set; }

    [TempData]
    public string? IssuedToken { get; set; }

    public async Task<IActionResult> OnGetAsync(long id)
    {
        var detail = await accounts.GetAsync(HttpContext.Actor(), id, HttpContext.RequestAborted);
        if (!detail.Succeeded)
        {
            return NotFound();
        }

        if (!detail.Value!.CanInitializePassword)
        {
            return Redirect("/Denied?returnUrl=" + Uri.EscapeDataString(Request.Path));
        }

        (Id, UserId, DisplayName, Kind) = (id, detail.Value.Account.UserId, detail.Value.Account.DisplayName, detail.Value.Account.Kind);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long id)
    {
        var actor = HttpContext.Actor();
        var result = await accounts.InitializePasswordAsync(actor, id, HttpContext.RequestAborted);
        if (!result.Succeeded)
        {
            if (result.Errors.Any(e => e.Code == "account.not_found"))
            {
                return NotFound();
            }

            ModelState.AddOnshiErrors(result.Errors);
            Id = id;
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return Page();
        }

        IssuedToken = tokens.Protect(actor.Principal.SessionKey, result.Value!, IssueReason.Initialized);
        return Redirect("/Accounts/Issued");
    }
}
