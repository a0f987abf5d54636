using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Features.Accounts;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Documents;
using Onshi.Oqs.Hosting;

namespace Onshi.Oqs.Pages.Accounts;

/// <summary>
/// The result dialog (seed P8-6, P10-6): ユーザID, the masked password with パスワード表示／非表示, ダウンロード (the
/// アカウント設定情報 PDF) and OK. Shown once; the password is never stored. A 連携アプリ用 / Web API用 account's secret is shown the
/// same way, worded as a シークレット to set into the client as issued, with no expiry (SPEC §12).
/// </summary>
public sealed class IssuedModel(IssuedPasswordTokens tokens, AuditLog audit, OqsSiteOptions site, IPdfRenderer<AccountSettingsDocument> pdfRenderer) : PageModel
{
    [TempData]
    public string? IssuedToken { get; set; }

    public string? Token { get; private set; }

    public IssuedPasswordTicket? Ticket { get; private set; }

    /// <summary>Whether the password is shown in clear (「パスワード表示」 without JavaScript).</summary>
    public bool Revealed { get; private set; }

    public void OnGet()
    {
        Token = IssuedToken;
        Ticket = tokens.Unprotect(Token, HttpContext.Actor().Principal.SessionKey);
    }

    /// <summary>
    /// 「パスワード表示」 without JavaScript (seed P8-6, P10-6): the same dialog again, from the same token, with the
    /// password in clear and the button reading 「パスワード非表示」. Nothing is stored or audited; the token's
    /// limits (10 minutes, this session) still apply.
    /// </summary>
    public void OnPostReveal(string? token) => Show(token, revealed: true);

    /// <summary>「パスワード非表示」 without JavaScript: the dialog masked again.</summary>
    public void OnPostHide(string? token) => Show(token, revealed: false);

    private void Show(string? token, bool revealed)
    {
        Ticket = tokens.Unprotect(token, HttpContext.Actor().Principal.SessionKey);
        Token = Ticket is null ? null : token;
        Revealed = revealed && Ticket is not null;
    }

    public async Task<IActionResult> OnPostDownloadAsync(string? token)
    {
        var actor = HttpContext.Actor();
        var ticket = tokens.Unprotect(token, actor.Principal.SessionKey);
        if (ticket is null)
        {
            return Page();
        }

        var p = actor.Principal;
        var document = new AccountSettingsDocument(
            site.Environment, p.InstitutionCode, p.InstitutionName, ticket.UserId, ticket.DisplayName, AccountKinds.Label(ticket.Kind),
            ticket.Password, ticket.ExpiresAt, ticket.IssuedAt, p.UserId, ticket.Operation, ticket.IsMachineSecret, ticket.PreviousValidUntil);
        var pdf = pdfRenderer.Render(document);
        audit.Record(actor.Audit(AuditActions.DocumentDownload, AuditOutcomes.Success, ticket.UserId, AuditDetails.AccountSettingsPdf));
        await audit.CommitAsync(HttpContext.RequestAborted);
        return File(pdf, "application/pdf", AccountSettingsPdf.FileName(document));
    }
}
