using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Features.CallCenterDesk;
using Onshi.Operator.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Operator.Pages.CallCenter;

/// <summary>コールセンター: find an institution by code or name.</summary>
public sealed class CallCenterIndexModel(CallCenterDeskService desk) : PageModel
{
    public string? Query { get; private set; }

    public InstitutionSearchResult? Result { get; private set; }

    public async Task OnGetAsync(string? q, int? p)
    {
        Query = q;
        // Nothing is searched until 「検索」 is pressed; an empty query then gets its message.
        if (q is null && !Request.Query.ContainsKey("q"))
        {
            return;
        }

        var result = await desk.FindInstitutionsAsync(HttpContext.OperatorActor(), q, p ?? 1, HttpContext.RequestAborted);
        if (!result.Succeeded)
        {
            // Under "Input.": the query parameters (from, code, actor…) already own the bare keys, case-insensitively.
            ModelState.AddOnshiErrors(result.Errors);

            return;
        }

        Result = result.Value;
    }
}
