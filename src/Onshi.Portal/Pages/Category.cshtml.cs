using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Onshi.Portal.Pages;

/// <summary>The four categories that other services provide: what each is, no broken link.</summary>
public sealed class CategoryModel : PageModel
{
    public string Title { get; private set; } = "";

    public string About { get; private set; } = "";

    public string Path { get; private set; } = "";

    public IActionResult OnGet(string slug)
    {
        if (!PortalCategories.Others.TryGetValue(slug, out var c))
        {
            return NotFound();
        }

        (Title, About) = c;
        Path = PortalCategories.All.First(l => l.Title == c.Title).Path;
        return Page();
    }
}
