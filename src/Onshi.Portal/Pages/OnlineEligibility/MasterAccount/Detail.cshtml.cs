using Microsoft.AspNetCore.Mvc;
using Onshi.Core.Data;
using Onshi.Core.Features.Applications;

namespace Onshi.Portal.Pages.OnlineEligibility.MasterAccount;

/// <summary>
/// A document's detail (seed P4–P5): title = the file name without .pdf, 「添付ファイル」 downloading it, 本番環境/接続確認環境,
/// 申請区分, 決定通知書取込日; for a 新規 that covered both environments, the ZIP of both.
/// </summary>
public sealed class DetailModel(PortalDocumentService documents) : PortalPageModel
{
    public PortalDocumentRow Document { get; private set; } = null!;

    /// <summary>The master's initial password of a ユーザ設定情報 (its expiry, or that it was changed); null for other documents.</summary>
    public MasterInitialPassword? InitialPassword { get; private set; }

    /// <summary>The 新規 申請 whose two ユーザ設定情報 can be downloaded as one ZIP, if any.</summary>
    public long? BothEnvironmentsApplicationId { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id)
    {
        var found = await documents.GetAsync(UserId, id, Aborted);
        if (!found.Succeeded || found.Value!.Kind == PortalDocumentKind.GrantDecision)
        {
            return NotFoundPage();
        }

        Document = found.Value;
        InitialPassword = (await documents.GetMasterInitialPasswordAsync(UserId, id, Aborted)).Value;
        if (Document is { Kind: PortalDocumentKind.UserSettings, UsageApplicationId: { } applicationId })
        {
            // The list holds the user's documents; the ZIP is offered only when both environments' are among them.
            var all = await documents.ListMasterAccountDocumentsAsync(UserId, 1, 100, Aborted);
            var environments = all.Rows
                .Where(r => r.Kind == PortalDocumentKind.UserSettings && r.UsageApplicationId == applicationId)
                .Select(r => r.Environment).Distinct().Count();
            BothEnvironmentsApplicationId = environments == 2 ? applicationId : null;
        }

        return Page();
    }

    /// <summary>「添付ファイル」: the PDF as an attachment.</summary>
    public async Task<IActionResult> OnGetFileAsync(long id)
    {
        var found = await documents.GetAsync(UserId, id, Aborted);
        if (!found.Succeeded || found.Value!.Kind == PortalDocumentKind.GrantDecision)
        {
            return NotFoundPage();
        }

        var file = await documents.DownloadAsync(UserId, id, Aborted);
        return file.Succeeded ? Attachment(file.Value!) : NotFoundPage();
    }

    /// <summary>The ZIP of both environments' ユーザ設定情報 (seed P5).</summary>
    public async Task<IActionResult> OnGetZipAsync(long id)
    {
        var found = await documents.GetAsync(UserId, id, Aborted);
        if (!found.Succeeded || found.Value!.UsageApplicationId is not { } applicationId)
        {
            return NotFoundPage();
        }

        var zip = await documents.DownloadBothEnvironmentsZipAsync(UserId, applicationId, Aborted);
        return zip.Succeeded ? Attachment(zip.Value!) : NotFoundPage();
    }
}
