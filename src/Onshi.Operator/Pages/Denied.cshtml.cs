using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Features.Operators;
using Onshi.Operator.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Operator.Pages;

/// <summary>Where a role refusal lands (403); the refusal is audited.</summary>
public sealed class DeniedModel(OperatorGate gate) : PageModel
{
    public async Task OnGetAsync(string? returnUrl)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        if (HttpContext.Features.Get<OperatorPrincipal>() is { } p)
        {
            var target = returnUrl is { Length: > 0 } u && u.StartsWith('/') ? u.Split('?')[0] : "";
            await gate.RecordPageDeniedAsync(p, target.Length > 64 ? target[..64] : target, HttpContext.ClientAddress(), HttpContext.RequestAborted);
        }
    }
}
