using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Features.Certificates;
using Onshi.Core.Features.Sessions;
using Onshi.Oqs.Hosting;

namespace Onshi.Oqs.Pages;

/// <summary>メニュー: the groups and lines of <see cref="OqsMenu"/> the account's kind may use, and the certificate-expiry warning.</summary>
public sealed class MenuModel(TimeProvider time) : PageModel
{
    public IReadOnlyList<OqsMenuGroup> Groups { get; private set; } = [];

    public string? ExpiryMessage { get; private set; }

    public void OnGet()
    {
        var p = HttpContext.Features.Get<SessionPrincipal>()!;
        Groups = OqsMenu.For(p.Kind);
        ExpiryMessage = CertificateExpiry.Evaluate(HttpContext.Terminal().NotAfter, time.GetUtcNow().UtcDateTime)?.Message;
    }
}
