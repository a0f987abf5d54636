using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Features.AccountManagement;
using Onshi.Core.Features.Accounts;
using Onshi.Oqs.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Oqs.Pages.Accounts;

/// <summary>
/// シークレットの更新（ローテーション）of a 連携アプリ用 / Web API用 account (SPEC §12): the confirmation, which says until when the
/// current secret stays valid, and the rotation itself; the new secret is shown once on the result screen (<see cref="IssuedModel"/>),
/// like every issued password. The same shape as <see cref="InitializePasswordModel"/>.
/// </summary>
public sealed class RotateSecretModel(AccountAdministration accounts, IssuedPasswordTokens tokens) : PageModel
{
    public long Id { get; private set; }

    /// <summary>The account as the confirmation shows it; null after a refused rotation.</summary>
    public AccountDetail? Detail { get; private set; }

    [TempData]
    public string? IssuedToken { get; set; }

    public async Task<IActionResult> OnGetAsync(long id)
    {
        var detail = await accounts.GetAsync(HttpContext.Actor(), id, HttpContext.RequestAborted);
        if (!detail.Succeeded)
        {
            return NotFound();
        }

        if (!detail.Value!.CanRotateSecret)
        {
            return detail.Value.CanInitializePassword
                ? Redirect("/Accounts/Detail/" + id)
                : Redirect("/Denied?returnUrl=" + Uri.EscapeDataString(Request.Path));
        }

        (Id, Detail) = (id, detail.Value);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long id)
    {
        var actor = HttpContext.Actor();
        var result = await accounts.RotateSecretAsync(actor, id, HttpContext.RequestAborted);
        if (!result.Succeeded)
        {
            if (result.Errors.Any(e => e.Code == AccountErrors.NotFound.Code))
            {
                return NotFound();
            }

            ModelState.AddOnshiErrors(result.Errors);
            Id = id;
            Response.StatusCode = result.Errors.Any(e => e.Code == AccountErrors.Conflict.Code || e.Code == AccountErrors.SecretNotIssued.Code)
                ? StatusCodes.Status409Conflict
                : StatusCodes.Status403Forbidden;
            return Page();
        }

        IssuedToken = tokens.Protect(actor.Principal.SessionKey, result.Value!, IssueReason.Rotated);
        return Redirect("/Accounts/Issued");
    }
}
