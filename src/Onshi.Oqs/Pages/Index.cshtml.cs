using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Features.Login;
using Onshi.Core.Features.Sessions;
using Onshi.Oqs.Hosting;

namespace Onshi.Oqs.Pages;

/// <summary>The start page (seed P2-3): 「システムの利用を始める」.</summary>
public sealed class IndexModel : PageModel
{
    public TerminalIdentity Terminal => HttpContext.Terminal();

    public bool SignedIn => HttpContext.Features.Get<SessionPrincipal>() is not null;
}
