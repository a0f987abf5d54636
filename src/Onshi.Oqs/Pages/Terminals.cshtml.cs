using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Data;
using Onshi.Core.Features.Certificates;
using Onshi.Oqs.Hosting;

namespace Onshi.Oqs.Pages;

/// <summary>The institution's terminals with their certificate expiry (SPEC §8).</summary>
public sealed class TerminalsModel(TerminalCertificateService certificates, TimeProvider time) : PageModel
{
    public IReadOnlyList<TerminalCertificate> Certificates { get; private set; } = [];

    public async Task OnGetAsync()
    {
        Certificates = await certificates.ListAsync(HttpContext.Actor().Principal.InstitutionId, HttpContext.RequestAborted);
    }

    public string StateOf(TerminalCertificate c)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (c.RevokedAt is not null)
        {
            return "失効";
        }

        if (c.NotAfter <= now)
        {
            return "期限切れ";
        }

        var days = (int)Math.Ceiling((c.NotAfter - now).TotalDays);
        return days <= 90 ? $"有効（残り{days}日・更新してください）" : "有効";
    }
}
