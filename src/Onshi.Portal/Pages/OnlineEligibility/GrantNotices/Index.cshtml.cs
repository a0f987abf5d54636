using Microsoft.AspNetCore.Mvc;
using Onshi.Core.Data;
using Onshi.Core.Features.Applications;

namespace Onshi.Portal.Pages.OnlineEligibility.GrantNotices;

/// <summary>交付決定通知書ダウンロード: the user's 交付決定通知書, 20 a page, each downloaded as a PDF attachment.</summary>
public sealed class IndexModel(PortalDocumentService documents) : PortalPageModel
{
    public PortalDocumentPage Documents { get; private set; } = new([], 0, 1, PortalDocumentService.DefaultPageSize);

    /// <summary>The list; with an id (/OnlineEligibility/GrantNotices/{id}) the notice itself as an attachment.</summary>
    public async Task<IActionResult> OnGetAsync(long? id, int? page)
    {
        if (id is null)
        {
            Documents = await documents.ListGrantNoticesAsync(UserId, page ?? 1, PortalDocumentService.DefaultPageSize, Aborted);
            return Page();
        }

        return await DownloadAsync(id.Value);
    }

    /// <summary>Another's notice, a missing one or another kind of document is a 404.</summary>
    private async Task<IActionResult> DownloadAsync(long id)
    {
        var found = await documents.GetAsync(UserId, id, Aborted);
        if (!found.Succeeded || found.Value!.Kind != PortalDocumentKind.GrantDecision)
        {
            return NotFoundPage();
        }

        var file = await documents.DownloadAsync(UserId, id, Aborted);
        return file.Succeeded ? Attachment(file.Value!) : NotFoundPage();
    }
}
