using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Features.Certificates;
using Onshi.Oqs.Hosting;

namespace Onshi.Oqs.Pages;

/// <summary>The page a request without a usable terminal certificate sees (SPEC §4.1).</summary>
[IgnoreAntiforgeryToken]
public sealed class CertificateErrorModel : PageModel
{
    public string Title { get; private set; } = "";

    public string What { get; private set; } = "";

    public string Action { get; private set; } = "";

    public IActionResult OnGet()
    {
        var problem = HttpContext.Features.Get<CertificateProblem>();
        if (problem is null)
        {
            // Reached directly with a good certificate: nothing is wrong.
            return Redirect("/");
        }

        Response.StatusCode = StatusCodes.Status403Forbidden;
        var m = CertificateMessages.Describe(problem.Status);
        (Title, What, Action) = (m.Title, m.WhatHappened, m.WhatToDo);
        return Page();
    }
}
