using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Data;
using Onshi.Core.Features.CallCenterDesk;
using Onshi.Operator.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Operator.Pages.CallCenter;

/// <summary>
/// One institution at the desk: details, the master and reset accounts' lock state, the contact history, and the
/// 本人確認 form with 「秘密の番号を再発行（通知書PDF）」 and 「リセット用アカウントのロック解除」 per environment. The
/// re-issue goes confirmation → POST (with the confirmation's request token and the version of the reset account it
/// showed) → redirect to this page with <c>?reissue=token</c> (PRG), which shows the result, the updated 対応履歴 and
/// 「通知書PDFをダウンロード」 for the kept notice (the same number, as often as needed while it is kept).
/// </summary>
public sealed class InstitutionModel(CallCenterDeskService desk) : PageModel
{
    [BindProperty]
    public DeskInput Input { get; set; } = new();

    public InstitutionDetail? Institution { get; private set; }

    /// <summary>Set when the re-issue waits for the operator's confirmation.</summary>
    public OqsEnvironment? ConfirmEnvironment { get; private set; }

    /// <summary>The confirmation's request token: one re-issue per token.</summary>
    public string? RequestId { get; private set; }

    /// <summary>The version of the reset account the confirmation showed.</summary>
    public string? Version { get; private set; }

    /// <summary>The re-issue just made (the page after the redirect).</summary>
    public SecretReissueView? Reissue { get; private set; }

    [TempData]
    public string? Done { get; set; }

    public async Task<IActionResult> OnGetAsync(long id, string? reissue)
    {
        if (!await LoadAsync(id))
        {
            return NotFound();
        }

        if (reissue is not null)
        {
            var found = await desk.GetReissueAsync(HttpContext.OperatorActor(), id, reissue, HttpContext.RequestAborted);
            if (!found.Succeeded)
            {
                ModelState.AddOnshiErrors(found.Errors);
            }

            Reissue = found.Value;
        }

        return Page();
    }

    /// <summary>「通知書PDFをダウンロード」: the kept notice of a re-issue (the same number), audited.</summary>
    public async Task<IActionResult> OnGetNoticeAsync(long id, string? reissue)
    {
        var result = await desk.DownloadNoticeAsync(HttpContext.OperatorActor(), id, reissue, HttpContext.RequestAborted);
        if (result.Succeeded)
        {
            return File(result.Value!.Pdf, "application/pdf", result.Value.FileName);
        }

        if (!await LoadAsync(id))
        {
            return NotFound();
        }

        ModelState.AddOnshiErrors(result.Errors);
        return Page();
    }

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

        var reset = Institution!.Accounts.FirstOrDefault(a => a.Environment == environment && a.Kind == AccountKind.MasterReset);
        if (reset is null)
        {
            ModelState.AddOnshiErrors([DeskErrors.ResetAccountMissing]);
            return Page();
        }

        ConfirmEnvironment = environment;
        RequestId = CallCenterDeskService.NewRequestId();
        Version = reset.Version;
        return Page();
    }

    public async Task<IActionResult> OnPostReissueAsync(long id)
    {
        var environment = ParseEnvironment(Input.Environment);
        var result = await desk.ReissueSecretNumberAsync(HttpContext.OperatorActor(), id, environment is { } e ? [e] : [], Verification(),
            Input.RequestId, Input.Version, HttpContext.RequestAborted);
        if (result.Succeeded)
        {
            // PRG: the result page shows what was done and offers the notice; reloading it or resubmitting changes nothing.
            Done = result.Value!.Replayed
                ? "この確認画面の再発行は既に行われています（二重に再発行はしていません）。通知書は下の「通知書PDFをダウンロード」から取得できます。"
                : $"{OperatorDisplay.Environment(environment!.Value)}の秘密の番号を再発行しました。「通知書PDFをダウンロード」で通知書を保存・印刷し、登録されている所在地宛てに郵送してください。";
            return Redirect($"/CallCenter/Institution/{id}?reissue={result.Value.RequestId}");
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

    /// <summary>The confirmation's request token.</summary>
    public string? RequestId { get; set; }

    /// <summary>The version of the reset account the confirmation showed.</summary>
    public string? Version { get; set; }
}
