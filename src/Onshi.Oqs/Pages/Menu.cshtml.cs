using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Features.Accounts;
using Onshi.Core.Features.Certificates;
using Onshi.Core.Features.Sessions;
using Onshi.Oqs.Hosting;

namespace Onshi.Oqs.Pages;

/// <summary>メニュー: 《アカウント情報管理》 and the certificate-expiry warning.</summary>
public sealed class MenuModel(TimeProvider time) : PageModel
{
    public bool CanAdminister { get; private set; }

    public bool CanRegister { get; private set; }

    public bool CanChangeOwn { get; private set; }

    public bool CanListTerminals { get; private set; }

    public bool CanReadAuditLog { get; private set; }

    public string? ExpiryMessage { get; private set; }

    public void OnGet()
    {
        var p = HttpContext.Features.Get<SessionPrincipal>()!;
        CanAdminister = PermissionMatrix.CanUseAccountAdministration(p.Kind);
        CanRegister = PermissionMatrix.CreatableKinds(p.Kind).Count > 0;
        CanChangeOwn = PermissionMatrix.CanChangeOwnPassword(p.Kind);
        CanReadAuditLog = PermissionMatrix.CanReadAuditLog(p.Kind);
        CanListTerminals = p.Kind is Onshi.Core.Data.AccountKind.Master or Onshi.Core.Data.AccountKind.Admin;
        ExpiryMessage = CertificateExpiry.Evaluate(HttpContext.Terminal().NotAfter, time.GetUtcNow().UtcDateTime)?.Message;
    }
}
