using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Features.Operators;
using Onshi.Operator.Hosting;

namespace Onshi.Operator.Pages.Certificates;

/// <summary>「失効」 with its confirmation.</summary>
public sealed class RevokeModel(OperatorCertificateService certificates) : PageModel
{
    public OperatorCertificateRow? Certificate { get; private set; }

    [TempData]
    public string? Done { get; set; }

    public async Task<IActionResult> OnGetAsync(long id)
    {
        Certificate = await certificates.FindAsync(HttpContext.OperatorActor(), id, HttpContext.RequestAborted);
        return Certificate is null ? NotFound() : Page();
    }

    public async Task<IActionResult> OnPostAsync(long id)
    {
        var result = await certificates.RevokeAsync(HttpContext.OperatorActor(), id, HttpContext.RequestAborted);
        if (result.Succeeded)
        {
            Done = $"{result.Value!.InstitutionName} の端末 {result.Value.TerminalName} の証明書を失効しました。";
            return Redirect("/Certificates");
        }

        Certificate = await certificates.FindAsync(HttpContext.OperatorActor(), id, HttpContext.RequestAborted);
        if (Certificate is null)
        {
            return NotFound();
        }

        foreach (var e in result.Errors)
        {
            ModelState.AddModelError("", e.Message);
        }

        return Page();
    }
}
