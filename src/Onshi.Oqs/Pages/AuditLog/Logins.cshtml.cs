using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Features.Audit;
using Onshi.Oqs.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Oqs.Pages.OperationLog;

/// <summary>
/// ログイン履歴: each login of this institution's accounts with the end of its session (ログアウト, or the reason it
/// ended) and the time in between, read from the 操作ログ (SPEC §9: "login time and duration").
/// </summary>
public sealed class LoginsModel(InstitutionAuditQuery query) : PageModel
{
    public AuditFilterForm Input { get; private set; } = new();

    public LoginHistoryPage? Result { get; private set; }

    public async Task OnGetAsync(string? from, string? to, [CodeInput] string? account, string? p)
    {
        Input = new AuditFilterForm(from, to, account);
        var parsed = InstitutionAuditQuery.Parse(Input.ToCriteriaInput());
        if (!parsed.Succeeded)
        {
            ModelState.AddOnshiErrors(parsed.Errors);
            return;
        }

        var result = await query.LoginHistoryAsync(HttpContext.Actor(), parsed.Value!, AuditFilterForm.PageNumber(p), HttpContext.RequestAborted);
        if (!result.Succeeded)
        {
            ModelState.AddOnshiErrors(result.Errors);
            return;
        }

        Result = result.Value;
    }

    public string PageLink(int page) => "/AuditLog/Logins" + Input.Query(page);
}
