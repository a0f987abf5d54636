using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Operators;
using Onshi.Operator.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Operator.Pages.Audit;

/// <summary>操作ログ across institutions (管理者 only): filters, 50 a page, newest first, times in JST, CSV export.</summary>
public sealed class AuditIndexModel(OperatorAuditQuery query) : PageModel
{
    public AuditQueryInput Input { get; private set; } = new();

    public AuditRowPage? Result { get; private set; }

    public async Task OnGetAsync(string? from, string? to, [CodeInput] string? code, [CodeInput] string? actor, string? action, string? outcome, string? p)
    {
        Input = new AuditQueryInput { From = from, To = to, Code = code, Actor = actor, Action = action, Outcome = outcome };
        var criteria = Parse();
        if (criteria is null)
        {
            return;
        }

        var page = int.TryParse(p, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 1;
        var result = await query.SearchAsync(HttpContext.OperatorActor(), criteria, page, HttpContext.RequestAborted);
        if (!result.Succeeded)
        {
            ModelState.AddOnshiErrors(result.Errors);
            return;
        }

        Result = result.Value;
    }

    public async Task<IActionResult> OnGetCsvAsync(string? from, string? to, [CodeInput] string? code, [CodeInput] string? actor, string? action, string? outcome)
    {
        Input = new AuditQueryInput { From = from, To = to, Code = code, Actor = actor, Action = action, Outcome = outcome };
        var criteria = Parse();
        if (criteria is null)
        {
            return Page();
        }

        var export = await query.ExportAsync(HttpContext.OperatorActor(), criteria, HttpContext.RequestAborted);
        if (!export.Succeeded)
        {
            ModelState.AddOnshiErrors(export.Errors);
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return Page();
        }

        return new AuditCsvResult(export.Value!);
    }

    public string PageLink(int page)
    {
        var values = new Dictionary<string, string?>
        {
            ["from"] = Input.From,
            ["to"] = Input.To,
            ["code"] = Input.Code,
            ["actor"] = Input.Actor,
            ["action"] = Input.Action,
            ["outcome"] = Input.Outcome,
            ["p"] = page.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        return "/Audit" + QueryString.Create(values.Where(kv => !string.IsNullOrEmpty(kv.Value))).ToUriComponent();
    }

    private AuditCriteria? Parse()
    {
        var parsed = OperatorAuditQuery.Parse(new AuditCriteriaInput(Input.From, Input.To, Input.Actor, Input.Action, Input.Outcome, Input.Code));
        if (!parsed.Succeeded)
        {
            // Under "Input.": the query parameters (from, code, actor…) already own the bare keys, case-insensitively.
            ModelState.AddOnshiErrors(parsed.Errors);
            return null;
        }

        return parsed.Value;
    }
}

/// <summary>The audit filter as typed.</summary>
public sealed class AuditQueryInput
{
    public string? From { get; set; }

    public string? To { get; set; }

    public string? Code { get; set; }

    public string? Actor { get; set; }

    public string? Action { get; set; }

    public string? Outcome { get; set; }
}
