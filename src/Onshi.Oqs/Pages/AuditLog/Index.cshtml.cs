using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Features.Audit;
using Onshi.Oqs.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Oqs.Pages.OperationLog;

/// <summary>
/// 操作ログ照会 (SPEC §9): this institution's 操作ログ for its マスタ and 管理者, filtered by 期間 (JST days), アカウント,
/// 操作 and 結果, 50 a page, newest first, times in JST; 「CSV出力」 streams the same filter.
/// </summary>
public sealed class AuditLogModel(InstitutionAuditQuery query) : PageModel
{
    public AuditFilterForm Input { get; private set; } = new();

    public AuditRowPage? Result { get; private set; }

    public async Task OnGetAsync(string? from, string? to, [CodeInput] string? account, string? action, string? outcome, string? p)
    {
        Input = new AuditFilterForm(from, to, account, action, outcome);
        var criteria = Parse();
        if (criteria is null)
        {
            return;
        }

        var result = await query.SearchAsync(HttpContext.Actor(), criteria, AuditFilterForm.PageNumber(p), HttpContext.RequestAborted);
        if (!result.Succeeded)
        {
            ModelState.AddOnshiErrors(result.Errors);
            return;
        }

        Result = result.Value;
    }

    public async Task<IActionResult> OnGetCsvAsync(string? from, string? to, [CodeInput] string? account, string? action, string? outcome)
    {
        Input = new AuditFilterForm(from, to, account, action, outcome);
        var criteria = Parse();
        if (criteria is null)
        {
            return Page();
        }

        var export = await query.ExportAsync(HttpContext.Actor(), criteria, HttpContext.RequestAborted);
        if (!export.Succeeded)
        {
            ModelState.AddOnshiErrors(export.Errors);
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return Page();
        }

        return new AuditCsvResult(export.Value!);
    }

    public string PageLink(int page) => "/AuditLog" + Input.Query(page);

    private AuditCriteria? Parse()
    {
        var parsed = InstitutionAuditQuery.Parse(Input.ToCriteriaInput());
        if (!parsed.Succeeded)
        {
            // Under "Input.": the query parameters (from, account…) already own the bare keys, case-insensitively.
            ModelState.AddOnshiErrors(parsed.Errors);
            return null;
        }

        return parsed.Value;
    }
}

/// <summary>The 操作ログ照会 / ログイン履歴 filters as typed, and the query string that carries them.</summary>
public sealed record AuditFilterForm(string? From = null, string? To = null, string? Account = null, string? Action = null, string? Outcome = null)
{
    public AuditCriteriaInput ToCriteriaInput() => new(From, To, Account, Action, Outcome);

    /// <summary>The filter as a query string (empty values left out), with a page number when given.</summary>
    public string Query(int? page = null, bool withActionAndOutcome = true)
    {
        var values = new Dictionary<string, string?>
        {
            ["from"] = From,
            ["to"] = To,
            ["account"] = Account,
        };
        if (withActionAndOutcome)
        {
            values["action"] = Action;
            values["outcome"] = Outcome;
        }

        if (page is { } n)
        {
            values["p"] = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var kept = values.Where(kv => !string.IsNullOrEmpty(kv.Value)).ToList();
        return kept.Count == 0 ? "" : QueryString.Create(kept).ToUriComponent();
    }

    /// <summary>A page number from the query string; anything else is page 1.</summary>
    public static int PageNumber(string? p) => int.TryParse(p, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 1;
}
