using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc;
using Onshi.Core.Features.Applications;

namespace Onshi.Portal.Pages.OnlineEligibility.Certificates;

/// <summary>
/// The one-time result of 「ダウンロード」: the passphrase (masked, with パスワード表示) and 「証明書ファイルを保存」 for the
/// PKCS#12. The token arrives through TempData, so the screen shows once; reloading or coming back shows that it expired.
/// </summary>
public sealed class IssuedModel(IDataProtectionProvider protection, CertificateApplicationService certificates, TimeProvider time) : PortalPageModel
{
    [TempData]
    public string? CertificateToken { get; set; }

    public string? Token { get; private set; }

    public CertificateDownloadTicket? Ticket { get; private set; }

    public void OnGet()
    {
        Token = CertificateToken;
        Ticket = Tokens.Unprotect(Token, Principal.SessionId, UserId);
    }

    /// <summary>
    /// 「証明書ファイルを保存」: the PKCS#12 of the token (within its few minutes, in this session only); the first one
    /// records that the file was sent (申請照会 then says 保存済み instead of 未保存).
    /// </summary>
    public async Task<IActionResult> OnPostFileAsync(string? token)
    {
        var ticket = Tokens.Unprotect(token, Principal.SessionId, UserId);
        if (ticket is null)
        {
            return Page();
        }

        await certificates.MarkFileSavedAsync(UserId, ticket.ApplicationId, Aborted);
        return File(Convert.FromBase64String(ticket.Pkcs12Base64), "application/x-pkcs12", ticket.FileName);
    }

    private CertificateDownloadTokens Tokens => new(protection, time);
}
