using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Features.PortalAccounts;

namespace Onshi.Portal.Pages;

/// <summary>The home after login (seed P4): カテゴリ and the オンライン資格確認 items.</summary>
public sealed class IndexModel : PageModel
{
    public string DisplayName => HttpContext.Features.Get<PortalPrincipal>()?.DisplayName ?? "";
}
