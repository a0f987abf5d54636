using System.Globalization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Operators;
using Onshi.Operator.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Operator.Pages.Audit;

/// <summary>操作ログ across institutions (管理者 only): filters, 50 a page, newest first, times in JST.</summary>
public sealed class AuditIndexModel(OperatorAuditQuery query) : PageModel
{
    public static IReadOnlyList<string> KnownActions { get; } =
    [
        AuditActions.Login, AuditActions.Logout, AuditActions.SessionEnd, AuditActions.Lockout, AuditActions.Unlock,
        AuditActions.PasswordChange, AuditActions.PasswordInitialize, AuditActions.AccountCreate, AuditActions.AccountUpdate,
        AuditActions.AccessDenied, AuditActions.CertificateRejected, AuditActions.CertificateIssue, AuditActions.CertificateRevoke,
        AuditActions.DocumentDownload, OperatorAuditActions.SecretReissue, OperatorAuditActions.Login, OperatorAuditActions.Logout,
        OperatorAuditActions.SessionEnd, OperatorAuditActions.Lockout, OperatorAuditActions.PasswordChange, OperatorAuditActions.Create,
        OperatorAuditActions.AccessDenied,
    ];

    public static IReadOnlyList<(string Code, string Label)> Outcomes { get; } =
        [(AuditOutcomes.Success, "成功"), (AuditOutcomes.Failure, "失敗"), (AuditOutcomes.Denied, "拒否")];

    public AuditQueryInput Input { get; private set; } = new();

    public AuditPage? Result { get; private set; }

    public async Task OnGetAsync(string? from, string? to, string? code, string? actor, string? action, string? outcome, int? p)
    {
        Input = new AuditQueryInput { From = from, To = to, Code = code, Actor = actor, Action = action, Outcome = outcome };
        var fromDate = ParseDate(from, "From");
        var toDate = ParseDate(to, "To");
        if (!ModelState.IsValid)
        {
            return;
        }

        var result = await query.SearchAsync(HttpContext.OperatorActor(),
            new AuditFilter(fromDate, toDate, code, actor, action, outcome, p ?? 1), HttpContext.RequestAborted);
        if (!result.Succeeded)
        {
            // Under "Input.": the query parameters (from, code, actor…) already own the bare keys, case-insensitively.
            ModelState.AddOnshiErrors(result.Errors);

            return;
        }

        Result = result.Value;
    }

    public string PageLink(int page)
    {
        var parts = new List<string>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                parts.Add(name + "=" + Uri.EscapeDataString(value));
            }
        }

        Add("from", Input.From);
        Add("to", Input.To);
        Add("code", Input.Code);
        Add("actor", Input.Actor);
        Add("action", Input.Action);
        Add("outcome", Input.Outcome);
        parts.Add("p=" + page.ToString(CultureInfo.InvariantCulture));
        return "/Audit?" + string.Join('&', parts);
    }

    private DateOnly? ParseDate(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (DateOnly.TryParseExact(value.Trim(), ["yyyy-MM-dd", "yyyy/MM/dd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            return d;
        }

        ModelState.AddModelError("Input." + field, "日付は「2025-01-31」の形式で入力してください。");
        return null;
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
