using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Data;
using Onshi.Core.Features.CallCenterDesk;
using Onshi.Operator.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Operator.Pages.CallCenter;

/// <summary>
/// One institution at the desk: details, the master and reset accounts' lock state, the contact history, and the
/// 本人確認 form with 「秘密の番号を再発行（通知書PDF）」 (confirmation step, then the PDF as the response) and
/// 「リセット用アカウントのロック解除」 per environment.
/// </summary>
public sealed class InstitutionModel(CallCenterDeskService desk) : PageModel
{
    [BindProperty]
    public DeskInput Input { get; set; } = new();

    public InstitutionDetail? Institution { get; private set; }

    /// <summary>Set when the re-issue waits for the operator's confirmation.</summary>
    public OqsEnvironment? ConfirmEnvironment { get; private set; }

    [TempData]
    public string? Done { get; set; }

    public async Task<IActionResult> OnGetAsync(long id) => await LoadAsync(id) ? Page() : NotFound();

    public async Task<IActionResult> OnPostConfirmReissueAsync(long id)
    {
        if (!await LoadAsync(id))
        {
            return NotFound();
        }

        var errors = CallCenterDeskService.Validate(Verification());
        var environment = ParseEnvironment(Input.Environment);
        if (environment is null)
        {
            errors.Add(DeskErrors.EnvironmentRequired);
        }

        ModelState.Clear();
        if (errors.Count > 0)
        {
            ModelState.AddOnshiErrors(errors);
            return Page();
        }

        ConfirmEnvironment = environment;
        return Page();
    }

    public async Task<IActionResult> OnPostReissueAsync(long id)
    {
        var environment = ParseEnvironment(Input.Environment);
        var result = await desk.ReissueSecretNumberAsync(HttpContext.OperatorActor(), id, environment is { } e ? [e] : [], Verification(),
            HttpContext.RequestAborted);
        if (result.Succeeded)
        {
            // The notice is the whole answer: the number is never shown on a page.
            return File(result.Value!.Pdf, "application/pdf", result.Value.FileName);
        }

        if (!await LoadAsync(id))
        {
            return NotFound();
        }

        ModelState.Clear();
        ModelState.AddOnshiErrors(result.Errors);
        return Page();
    }

    public async Task<IActionResult> OnPostUnlockAsync(long id)
    {
        var environment = ParseEnvironment(Input.Environment);
        var result = environment is { } e
            ? await desk.UnlockResetAccountAsync(HttpContext.OperatorActor(), id, e, Verification(), HttpContext.RequestAborted)
            : Core.Common.OpResult.Fail([.. CallCenterDeskService.Validate(Verification()), DeskErrors.EnvironmentRequired]);
        if (result.Succeeded)
        {
            Done = $"{OperatorDisplay.Environment(environment!.Value)}のマスタアカウントリセット用アカウントのロックを解除しました。";
            return Redirect($"/CallCenter/Institution/{id}");
        }

        if (!await LoadAsync(id))
        {
            return NotFound();
        }

        ModelState.Clear();
        ModelState.AddOnshiErrors(result.Errors);
        return Page();
    }

    private CallerVerification Verification() => new(Input.CallerName, Input.Method, Input.Note);

    private static OqsEnvironment? ParseEnvironment(string? value) => value switch
    {
        nameof(OqsEnvironment.Production) => OqsEnvironment.Production,
        nameof(OqsEnvironment.Verification) => OqsEnvironment.Verification,
        _ => null,
    };

    private async Task<bool> LoadAsync(long id)
    {
        var result = await desk.GetInstitutionAsync(HttpContext.OperatorActor(), id, HttpContext.RequestAborted);
        Institution = result.Value;
        return result.Succeeded;
    }
}

/// <summary>The 本人確認 form and the chosen environment.</summary>
public sealed class DeskInput
{
    public string? CallerName { get; set; }

    public string? Method { get; set; }

    public string? Note { get; set; }

    public string? Environment { get; set; }
}
