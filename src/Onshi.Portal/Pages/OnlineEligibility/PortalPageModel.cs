using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Onshi.Core.Common;
using Onshi.Core.Features.Applications;
using Onshi.Core.Features.PortalAccounts;

namespace Onshi.Portal.Pages.OnlineEligibility;

/// <summary>
/// The base of the オンライン資格確認 pages: the signed-in portal user (every service call passes its id, and the services
/// show each user only its own applications and institutions) and the one-line notice carried over a redirect (PRG).
/// </summary>
public abstract class PortalPageModel : PageModel
{
    /// <summary>The success message of the last POST, shown once after its redirect.</summary>
    [TempData]
    public string? Notice { get; set; }

    /// <summary>The signed-in portal user. The folder requires a session, so it is always there.</summary>
    protected PortalPrincipal Principal => HttpContext.Features.Get<PortalPrincipal>()
        ?? throw new InvalidOperationException("The portal's pages require a signed-in portal user.");

    protected long UserId => Principal.UserId;

    protected CancellationToken Aborted => HttpContext.RequestAborted;

    /// <summary>A missing item and someone else's look alike: the portal's 404 page.</summary>
    protected IActionResult NotFoundPage() => NotFound();

    /// <summary>Sends a file as an attachment (the browser starts the download by itself, seed P4).</summary>
    protected FileContentResult Attachment(DownloadFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return File(file.Content, file.ContentType, file.FileName);
    }

    /// <summary>True when the failure is the service's 「指定された情報が見つかりません。」.</summary>
    protected static bool IsNotFound(IReadOnlyList<OnshiError> errors) =>
        errors.Any(e => e.Code == ApplicationErrors.NotFoundCode);
}

/// <summary>How the オンライン資格確認 pages show dates and times (JST).</summary>
public static class PortalDisplay
{
    /// <summary><see cref="Jst.IsoDate(DateTime)"/>, the portal's date format.</summary>
    public static string Date(DateTime? utc) => utc is { } u ? Jst.IsoDate(u) : "";

    /// <summary><see cref="Jst.IsoMinutes"/>.</summary>
    public static string Time(DateTime? utc) => utc is { } u ? Jst.IsoMinutes(u) : "";

    /// <summary>The CSS modifier of a state: 申請中 / 承認 / 差戻し.</summary>
    public static string StatusClass(Onshi.Core.Data.ReviewStatus status) => status switch
    {
        Onshi.Core.Data.ReviewStatus.Approved => "status--approved",
        Onshi.Core.Data.ReviewStatus.SentBack => "status--sentback",
        _ => "status--pending",
    };
}
