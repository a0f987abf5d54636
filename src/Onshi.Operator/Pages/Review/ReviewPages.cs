using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Applications;
using Onshi.Core.Features.Operators;
using Onshi.Operator.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Operator.Pages.Review;

/// <summary>How a decided application was decided, for the review pages' 「審査結果」 block.</summary>
public sealed record ReviewDecision(ReviewStatus Status, DateTime? DecidedAt, string? DecidedBy, string? SendBackReason)
{
    public string StatusLabel => ApplicationLabels.Status(Status);

    /// <summary>The operator's user ID without the audit prefix.</summary>
    public string DecidedByLabel => DecidedBy is { } d && d.StartsWith(OperatorAudit.ActorPrefix, StringComparison.Ordinal)
        ? d[OperatorAudit.ActorPrefix.Length..]
        : DecidedBy ?? "";
}

/// <summary>The 差戻し reason and the 交付決定額 typed in a confirmation dialog.</summary>
public sealed class ReviewInput
{
    /// <summary>差戻し理由.</summary>
    public string? Reason { get; set; }

    /// <summary>交付決定額 as typed (parsed by <see cref="ReviewPages.ParseYen"/>).</summary>
    [CodeInput]
    public string? GrantedAmount { get; set; }
}

/// <summary>
/// The page of one application under review (利用開始・変更申請, 電子証明書発行申請, 補助金申請). It reads the application
/// with <paramref name="read"/> as the signed-in operator (<see cref="Actor"/>; the service checks the role itself),
/// shows the confirmation asked for, sends back with <paramref name="sendBack"/>, and turns every decision into the
/// page's answer (<see cref="DecidedAsync"/>); each page adds its 「承認」 and what it shows besides the application.
/// </summary>
/// <param name="kind">The page's folder name: its path is <c>/Review/{kind}/{id}</c>.</param>
/// <param name="read">The service's read of one application for review.</param>
/// <param name="sendBack">The service's 差戻し.</param>
/// <param name="sentBackNotice">The notice after a 差戻し (where the applicant finds the reason).</param>
public abstract class ReviewPageModel<TApplication>(
    string kind,
    Func<OperatorActor, long, CancellationToken, Task<OpResult<TApplication>>> read,
    Func<OperatorActor, long, string?, CancellationToken, Task<OpResult>> sendBack,
    string sentBackNotice) : PageModel
    where TApplication : class
{
    /// <summary>The application shown (null when there is none to show).</summary>
    public TApplication? Application { get; private set; }

    /// <summary><see cref="ReviewPages.Approve"/> or <see cref="ReviewPages.SendBack"/> while a confirmation is shown.</summary>
    public string? Confirm { get; private set; }

    [BindProperty]
    public ReviewInput Input { get; set; } = new();

    [TempData]
    public string? Done { get; set; }

    /// <summary>Whether the application shown is still 申請中.</summary>
    public abstract bool Pending { get; }

    /// <summary>The signed-in operator as the actor of the application services.</summary>
    protected OperatorActor Actor => HttpContext.OperatorActor();

    public async Task<IActionResult> OnGetAsync(long id, string? confirm)
    {
        if (!await LoadAsync(id))
        {
            return NotFound();
        }

        // A decided application has one dialog of its own: 証明書の再発行 (approved certificates only).
        Confirm = Pending ? ReviewPages.Confirmation(confirm) : confirm == ReviewPages.Reissue ? confirm : null;
        return Page();
    }

    public async Task<IActionResult> OnPostSendBackAsync(long id) =>
        await DecidedAsync(id, await sendBack(Actor, id, Input.Reason, HttpContext.RequestAborted), sentBackNotice, ReviewPages.SendBack);

    /// <summary>What the page shows besides the application (read-only look-ups the services do not offer).</summary>
    protected virtual Task ShowAsync(long id, TApplication application, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// The answer to a decision: on success <paramref name="done"/> as the notice, back on the page (so a reload sends
    /// nothing again); otherwise <see cref="FailedAsync"/> with the dialog <paramref name="confirm"/>.
    /// </summary>
    protected async Task<IActionResult> DecidedAsync(long id, OpResult result, string done, string? confirm)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Succeeded)
        {
            Done = done;
            return Redirect($"/Review/{kind}/{id}");
        }

        return await FailedAsync(id, result.Errors, confirm);
    }

    /// <summary>
    /// The page again with <paramref name="errors"/>. A refused reason or amount shows the dialog <paramref name="confirm"/>
    /// again with what was typed; a decided application shows no dialog.
    /// </summary>
    protected async Task<IActionResult> FailedAsync(long id, IEnumerable<OnshiError> errors, string? confirm)
    {
        if (!await LoadAsync(id))
        {
            return NotFound();
        }

        ModelState.Clear();
        ModelState.AddOnshiErrors(errors);
        Confirm = Pending ? confirm : null;
        ViewData["Reason"] = Input.Reason;
        return Page();
    }

    private async Task<bool> LoadAsync(long id)
    {
        var ct = HttpContext.RequestAborted;
        var result = await read(Actor, id, ct);
        Application = result.Value;
        if (!result.Succeeded || Application is null)
        {
            return false;
        }

        await ShowAsync(id, Application, ct);
        return true;
    }
}

/// <summary>
/// What the review pages share besides <see cref="ReviewPageModel{TApplication}"/>: the confirmation step asked for, and the read-only
/// look-ups the services do not offer (the applicants' e-mail addresses). The decisions' rules stay in the services.
/// </summary>
public static class ReviewPages
{
    public const string Approve = "approve";
    public const string SendBack = "sendback";

    /// <summary>The dialog of 「証明書を再発行（審査なし）」 (a decided 電子証明書発行申請).</summary>
    public const string Reissue = "reissue";

    /// <summary>The confirmation dialog asked for in the query (<c>?confirm=approve|sendback</c>), if any.</summary>
    public static string? Confirmation(string? value) => value is Approve or SendBack ? value : null;

    /// <summary>The e-mail addresses of the given portal users (those that still exist).</summary>
    public static async Task<IReadOnlyDictionary<long, string>> EmailsAsync(OnshiDbContext db, IEnumerable<long> portalUserIds,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var ids = portalUserIds.Distinct().ToList();
        if (ids.Count == 0)
        {
            return new Dictionary<long, string>();
        }

        return await db.PortalUsers.AsNoTracking().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Email, cancellationToken);
    }

    /// <summary>A yen amount as typed (<see cref="YenInput"/>); empty gets 「…を入力してください。」.</summary>
    public static long? ParseYen(string? value, string field, string label, out OnshiError? error)
    {
        var amount = YenInput.Parse(value, field, label, out error);
        if (amount is null && error is null)
        {
            error = ApplicationErrors.AmountRequired(field, label);
        }

        return amount;
    }
}
