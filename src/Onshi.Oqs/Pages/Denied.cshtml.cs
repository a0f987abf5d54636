using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Sessions;
using Onshi.Oqs.Hosting;

namespace Onshi.Oqs.Pages;

/// <summary>Where an authorization refusal lands; the refusal is audited.</summary>
public sealed class DeniedModel(AuditLog audit) : PageModel
{
    public async Task OnGetAsync(string? returnUrl)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        if (HttpContext.Features.Get<SessionPrincipal>() is not null)
        {
            var target = returnUrl is { Length: > 0 } u && u.StartsWith('/') ? u.Split('?')[0] : "";
            audit.Record(HttpContext.Actor().Audit(AuditActions.AccessDenied, AuditOutcomes.Denied, target.Length > 64 ? target[..64] : target, "page"));
            await audit.CommitAsync(HttpContext.RequestAborted);
        }
    }
}
