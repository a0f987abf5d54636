using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Onshi.Bench.BareKestrel.Pages;

/// <summary>One form with an antiforgery token (the form tag helper adds it); POST echoes the user ID.</summary>
public sealed class IndexModel : PageModel
{
    [BindProperty]
    public string? UserId { get; set; }

    public void OnGet()
    {
    }

    public IActionResult OnPost() => Page();
}
