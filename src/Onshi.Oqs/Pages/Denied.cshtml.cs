using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Features.Accounts;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Sessions;
using Onshi.Oqs.Hosting;

namespace Onshi.Oqs.Pages;

/// <summary>Where an authorization refusal lands; the refusal is audited.</summary>
public sealed class DeniedModel(AuditLog audit) : PageModel
{
    /// <summary>What to do instead, where the refused page has a known way round (the reset account's 秘密の番号).</summary>
    public string? Hint { get; private set; }

    public async Task OnGetAsync(string? returnUrl)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        if (HttpContext.Features.Get<SessionPrincipal>() is { } principal)
        {
            var target = returnUrl is { Length: > 0 } u && u.StartsWith('/') ? u.Split('?')[0] : "";
            if (string.Equals(target, "/ChangePassword", StringComparison.OrdinalIgnoreCase)
                && !PermissionMatrix.Allows(principal.Kind, OqsCapability.ChangeOwnPassword))
            {
                Hint = AccountErrors.ResetCannotChange.Message;
            }

            audit.Record(HttpContext.Actor().Audit(AuditActions.AccessDenied, AuditOutcomes.Denied, target.Length > 64 ? target[..64] : target, AuditDetails.Page));
            await audit.CommitAsync(HttpContext.RequestAborted);
        }
    }
}
