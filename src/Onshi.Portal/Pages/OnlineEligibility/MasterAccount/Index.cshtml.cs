using Onshi.Core.Features.Applications;

namespace Onshi.Portal.Pages.OnlineEligibility.MasterAccount;

/// <summary>オンライン資格確認マスタアカウント情報管理 (seed P4): the user's ユーザ設定情報 and 変更のお知らせ, 20 a page.</summary>
public sealed class IndexModel(PortalDocumentService documents) : PortalPageModel
{
    public PortalDocumentPage Documents { get; private set; } = new([], 0, 1, PortalDocumentService.DefaultPageSize);

    public async Task OnGetAsync(int? page)
    {
        Documents = await documents.ListMasterAccountDocumentsAsync(UserId, page ?? 1, PortalDocumentService.DefaultPageSize, Aborted);
    }
}
