using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Onshi.Web.Pages.Session;

/// <summary>
/// 「ログインを延長する」 of the idle-timeout warning (issue 14, item 9), on every site: an authenticated, antiforgery-checked
/// POST that does nothing itself — the site's session validation that runs before it renews the sliding idle timeout, as any
/// request does — and answers 204 to the page's script. The page lies under each site's signed-in policy, so an ended session
/// gets the site's login redirect instead.
/// </summary>
public sealed class ExtendModel : PageModel
{
    /// <summary>The header the warning's script sends; a plain form post (no script) is sent back to the site's start.</summary>
    public const string ScriptHeader = "X-Onshi-Extend";

    public IActionResult OnGet() => Redirect("/");

    public IActionResult OnPost() => Request.Headers.ContainsKey(ScriptHeader) ? new NoContentResult() : Redirect("/");
}
