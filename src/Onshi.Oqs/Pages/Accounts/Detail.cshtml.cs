using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Data;
using Onshi.Core.Features.AccountManagement;
using Onshi.Oqs.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Oqs.Pages.Accounts;

/// <summary>アカウント情報: the account's details and the actions the matrix allows (seed P7-4, P9-4).</summary>
public sealed class DetailModel(AccountAdministration accounts) : PageModel
{
    public AccountDetail? Detail { get; private set; }

    [BindProperty]
    public UpdateInput Input { get; set; } = new();

    [TempData]
    public string? Message { get; set; }

    public async Task<IActionResult> OnGetAsync(long id) => await LoadAsync(id) ? Page() : NotFoundPage();

    /// <summary>A POST naming no handler (or an unknown one) is not a request this page answers.</summary>
    public IActionResult OnPost() => NotFound();

    public async Task<IActionResult> OnPostUpdateAsync(long id)
    {
        var result = await accounts.UpdateAsync(HttpContext.Actor(), id, Input.DisplayName, Input.Kind, Input.Status, HttpContext.RequestAborted);
        if (result.Succeeded)
        {
            Message = "アカウント情報を更新しました。";
            return Redirect($"/Accounts/Detail/{id}");
        }

        ModelState.Clear();
        ModelState.AddOnshiErrors(result.Errors);
        return await LoadAsync(id) ? Page() : NotFoundPage();
    }

    public async Task<IActionResult> OnPostUnlockAsync(long id)
    {
        var result = await accounts.UnlockAsync(HttpContext.Actor(), id, HttpContext.RequestAborted);
        if (result.Succeeded)
        {
            Message = "ロックを解除しました。";
            return Redirect($"/Accounts/Detail/{id}");
        }

        ModelState.AddOnshiErrors(result.Errors);
        return await LoadAsync(id) ? Page() : NotFoundPage();
    }

    private async Task<bool> LoadAsync(long id)
    {
        var result = await accounts.GetAsync(HttpContext.Actor(), id, HttpContext.RequestAborted);
        Detail = result.Value;
        return result.Succeeded;
    }

    private NotFoundResult NotFoundPage() => NotFound();
}

/// <summary>The update form.</summary>
public sealed class UpdateInput
{
    public string? DisplayName { get; set; }

    public AccountKind Kind { get; set; }

    public AccountStatus Status { get; set; }
}
