using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Features.Qualifications;
using Onshi.Oqs.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Oqs.Pages.Qualifications;

/// <summary>One kept 資格確認結果 (from the 一覧): what the desk saw, for the institution's accounts that may see it.</summary>
public sealed class ResultModel(QualificationResultQuery results) : PageModel
{
    public QualificationDisplay? Answer { get; private set; }

    public string BackLink { get; private set; } = "/Qualifications/Results";

    public async Task<IActionResult> OnGetAsync(string? r, string? back)
    {
        // Back to the list with its filters (a local query string only).
        if (back is { Length: > 0 } b && b.StartsWith('?') && !b.Contains("//", StringComparison.Ordinal))
        {
            BackLink = "/Qualifications/Results" + b;
        }

        var found = await results.GetAsync(HttpContext.Actor(), r, HttpContext.RequestAborted);
        if (!found.Succeeded)
        {
            ModelState.AddOnshiErrors(found.Errors);
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }

        Answer = new QualificationDisplay(found.Value!);
        return Page();
    }
}
