using System.IO.Compression;

using Microsoft.EntityFrameworkCore;

using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;

namespace Onshi.Core.Features.Applications;

/// <summary>A row of マスタアカウント情報 (and of the 交付決定通知書 list).</summary>
/// <param name="Id">The document's id (for the detail and the download).</param>
/// <param name="FileName">The attachment's name, e.g. 「本_オンライン資格確認等システムユーザ設定情報.pdf」.</param>
/// <param name="Environment">The environment, or null (交付決定通知書).</param>
/// <param name="EnvironmentLabel">本番環境 / 接続確認環境 (empty when none).</param>
/// <param name="Kind">What the document is.</param>
/// <param name="ApplicationKind">申請区分.</param>
/// <param name="ApplicationKindLabel">新規 / 変更.</param>
/// <param name="ImportedOn">決定通知書取込日.</param>
/// <param name="ImportedOnText">決定通知書取込日 as the portal shows it (yyyy-MM-dd).</param>
/// <param name="InstitutionId">The institution it belongs to.</param>
/// <param name="InstitutionCode">医療機関等コード.</param>
/// <param name="InstitutionName">医療機関等名.</param>
/// <param name="UsageApplicationId">The 利用申請 it answers, if any (the ZIP of both environments takes this id).</param>
public sealed record PortalDocumentRow(
    long Id,
    string FileName,
    OqsEnvironment? Environment,
    string EnvironmentLabel,
    PortalDocumentKind Kind,
    ApplicationKind ApplicationKind,
    string ApplicationKindLabel,
    DateOnly ImportedOn,
    string ImportedOnText,
    long InstitutionId,
    string InstitutionCode,
    string InstitutionName,
    long? UsageApplicationId)
{
    /// <summary>The detail screen's title: the file name without «.pdf».</summary>
    public string Title => FileName.EndsWith(".pdf", StringComparison.OrdinalIgnoreCase) ? FileName[..^4] : FileName;
}

/// <summary>One page of documents with the numbers of 「1~N 件目 / M 件」.</summary>
public sealed record PortalDocumentPage(IReadOnlyList<PortalDocumentRow> Rows, int Total, int Page, int PageSize)
{
    public int First => Total == 0 ? 0 : ((Page - 1) * PageSize) + 1;

    public int Last => Math.Min(Page * PageSize, Total);

    public int PageCount => Math.Max(1, (Total + PageSize - 1) / PageSize);

    /// <summary>「1~4 件目 / 4 件」.</summary>
    public string RangeText => ApplicationLabels.Range(First, Last, Total);
}

/// <summary>
/// The master account's initial password as the ユーザ設定情報 detail shows it: when it expires, or that it is no longer
/// pending (changed at the first login).
/// </summary>
/// <param name="ExpiresAt">The expiry of the password still waiting for its first change (UTC); null once changed.</param>
/// <param name="Expired">True when that expiry has passed without a change (the reset account is the way back).</param>
public sealed record MasterInitialPassword(DateTime? ExpiresAt, bool Expired);

/// <summary>A file to send: name, bytes and content type.</summary>
public sealed record DownloadFile(string FileName, byte[] Content, string ContentType)
{
    /// <summary>Prints no content.</summary>
    public override string ToString() => $"{nameof(DownloadFile)} {{ FileName = {FileName}, Length = {Content.Length} }}";
}

/// <summary>
/// マスタアカウント情報ダウンロード (SPEC §6, seed P4–P5) and the download of every portal document. A portal user sees the
/// documents of the institutions whose contact it is; another's document is answered like a missing one and the attempt
/// is audited. Every download is audited.
/// </summary>
public sealed class PortalDocumentService(OnshiDbContext db, PortalScope scope, ApplicationProtection protection, AuditLog audit, TimeProvider time)
{
    /// <summary>The ZIP of both environments' ユーザ設定情報 (seed P5: what the old site's applicants receive).</summary>
    public const string BothEnvironmentsZipFileName = "オンライン資格確認等システムユーザ設定情報.zip";

    public const int DefaultPageSize = 20;

    private static readonly PortalDocumentKind[] MasterAccountKinds = [PortalDocumentKind.UserSettings, PortalDocumentKind.ChangeNotice];

    /// <summary>
    /// The マスタアカウント情報 list: ユーザ設定情報 and 登録内容変更のお知らせ, newest first (本番 before 接続確認 on the same day).
    /// <paramref name="page"/> is 1-based and clamped to the last page.
    /// </summary>
    public async Task<PortalDocumentPage> ListMasterAccountDocumentsAsync(long portalUserId, int page = 1, int pageSize = DefaultPageSize, CancellationToken cancellationToken = default) =>
        await ListAsync(portalUserId, MasterAccountKinds, page, pageSize, cancellationToken);

    /// <summary>The 交付決定通知書 list (newest first).</summary>
    public async Task<PortalDocumentPage> ListGrantNoticesAsync(long portalUserId, int page = 1, int pageSize = DefaultPageSize, CancellationToken cancellationToken = default) =>
        await ListAsync(portalUserId, [PortalDocumentKind.GrantDecision], page, pageSize, cancellationToken);

    /// <summary>A document's detail (the screen with 「添付ファイル」).</summary>
    public async Task<OpResult<PortalDocumentRow>> GetAsync(long portalUserId, long documentId, CancellationToken cancellationToken = default)
    {
        var found = await LoadAsync(portalUserId, documentId, "document.view", cancellationToken);
        return found.Succeeded ? OpResult<PortalDocumentRow>.Success(found.Value!.Row) : OpResult<PortalDocumentRow>.Fail(found.Errors);
    }

    /// <summary>
    /// For a ユーザ設定情報: the state of the master account's initial password in the document's environment (the same
    /// date the approval mail stated); null for other documents or when the master is gone.
    /// </summary>
    public async Task<OpResult<MasterInitialPassword?>> GetMasterInitialPasswordAsync(long portalUserId, long documentId,
        CancellationToken cancellationToken = default)
    {
        var found = await LoadAsync(portalUserId, documentId, "document.view", cancellationToken);
        if (!found.Succeeded)
        {
            return OpResult<MasterInitialPassword?>.Fail(found.Errors);
        }

        var row = found.Value!.Row;
        if (row.Kind != PortalDocumentKind.UserSettings || row.Environment is not { } environment)
        {
            return OpResult<MasterInitialPassword?>.Success(null);
        }

        var master = await db.Accounts.AsNoTracking()
            .Where(a => a.InstitutionId == row.InstitutionId && a.Environment == environment && a.Kind == AccountKind.Master)
            .Select(a => new { a.MustChangePassword, a.PasswordExpiresAt }).FirstOrDefaultAsync(cancellationToken);
        if (master is null)
        {
            return OpResult<MasterInitialPassword?>.Success(null);
        }

        // Still the password of the document (or one initialized since, which the master must change just the same).
        var pending = master is { MustChangePassword: true, PasswordExpiresAt: not null } ? master.PasswordExpiresAt : null;
        return OpResult<MasterInitialPassword?>.Success(new MasterInitialPassword(pending, pending is { } e && e <= time.GetUtcNow().UtcDateTime));
    }

    /// <summary>The document's file, decrypted, as 添付ファイル; audited.</summary>
    public async Task<OpResult<DownloadFile>> DownloadAsync(long portalUserId, long documentId, CancellationToken cancellationToken = default)
    {
        var found = await LoadAsync(portalUserId, documentId, "document.download", cancellationToken);
        if (!found.Succeeded)
        {
            return OpResult<DownloadFile>.Fail(found.Errors);
        }

        var (row, content) = found.Value!;
        var bytes = protection.UnprotectDocument(content);
        audit.Record(new AuditRecord(AuditActions.DocumentDownload, AuditOutcomes.Success)
        {
            Environment = row.Environment,
            InstitutionId = row.InstitutionId,
            InstitutionCode = row.InstitutionCode,
            Actor = ApplicationAuditActions.PortalActor(portalUserId),
            Target = "portal-document#" + row.Id,
            Detail = row.Kind.ToString(),
        });
        await audit.CommitAsync(cancellationToken);
        return OpResult<DownloadFile>.Success(new DownloadFile(row.FileName, bytes, "application/pdf"));
    }

    /// <summary>
    /// One ZIP holding the 本番 and 接続確認 ユーザ設定情報 PDFs of a 新規 利用申請 (seed P5). Refused with a message when the
    /// application did not produce both.
    /// </summary>
    public async Task<OpResult<DownloadFile>> DownloadBothEnvironmentsZipAsync(long portalUserId, long usageApplicationId, CancellationToken cancellationToken = default)
    {
        var application = await db.UsageApplications.AsNoTracking()
            .Where(a => a.Id == usageApplicationId)
            .Select(a => new { a.Id, a.InstitutionId })
            .FirstOrDefaultAsync(cancellationToken);
        if (application?.InstitutionId is not { } institutionId)
        {
            return OpResult<DownloadFile>.Fail(ApplicationErrors.NotFound);
        }

        var institution = await db.Institutions.AsNoTracking().FirstAsync(i => i.Id == institutionId, cancellationToken);
        if (institution.ContactPortalUserId != portalUserId)
        {
            return await scope.DeniedAsync<DownloadFile>(portalUserId, institutionId, "usage-application#" + application.Id, "document.zip", cancellationToken);
        }

        var documents = await db.PortalDocuments.AsNoTracking()
            .Where(d => d.UsageApplicationId == usageApplicationId && d.InstitutionId == institutionId && d.Kind == PortalDocumentKind.UserSettings)
            .OrderBy(d => d.Environment)
            .ToListAsync(cancellationToken);
        if (!documents.Any(d => d.Environment == OqsEnvironment.Production) || !documents.Any(d => d.Environment == OqsEnvironment.Verification))
        {
            return OpResult<DownloadFile>.Fail(ApplicationErrors.BothEnvironmentsMissing);
        }

        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: System.Text.Encoding.UTF8))
        {
            foreach (var document in documents)
            {
                var entry = zip.CreateEntry(document.FileName, CompressionLevel.Optimal);
                await using var stream = await entry.OpenAsync(cancellationToken);
                await stream.WriteAsync(protection.UnprotectDocument(document.ProtectedContent), cancellationToken);
            }
        }

        audit.Record(new AuditRecord(AuditActions.DocumentDownload, AuditOutcomes.Success)
        {
            InstitutionId = institutionId,
            InstitutionCode = institution.Code,
            Actor = ApplicationAuditActions.PortalActor(portalUserId),
            Target = "usage-application#" + application.Id,
            Detail = "zip:" + string.Join('+', documents.Select(d => d.Id)),
        });
        await audit.CommitAsync(cancellationToken);
        return OpResult<DownloadFile>.Success(new DownloadFile(BothEnvironmentsZipFileName, buffer.ToArray(), "application/zip"));
    }

    private async Task<PortalDocumentPage> ListAsync(long portalUserId, PortalDocumentKind[] kinds, int page, int pageSize, CancellationToken cancellationToken)
    {
        pageSize = Math.Clamp(pageSize, 1, 100);
        var query = from d in db.PortalDocuments.AsNoTracking()
                    join i in db.Institutions.AsNoTracking() on d.InstitutionId equals i.Id
                    where i.ContactPortalUserId == portalUserId && kinds.Contains(d.Kind)
                    select new { d.Id, d.FileName, d.Environment, d.Kind, d.ApplicationKind, d.ImportedOn, d.CreatedAt, d.InstitutionId, i.Code, i.Name, d.UsageApplicationId };
        var total = await query.CountAsync(cancellationToken);
        var pageCount = Math.Max(1, (total + pageSize - 1) / pageSize);
        page = Math.Clamp(page, 1, pageCount);
        var rows = await query
            .OrderByDescending(d => d.ImportedOn).ThenByDescending(d => d.CreatedAt).ThenBy(d => d.Environment).ThenByDescending(d => d.Id)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .ToListAsync(cancellationToken);
        return new PortalDocumentPage(
            [.. rows.Select(d => ToRow(d.Id, d.FileName, d.Environment, d.Kind, d.ApplicationKind, d.ImportedOn, d.InstitutionId, d.Code, d.Name, d.UsageApplicationId))],
            total, page, pageSize);
    }

    private async Task<OpResult<(PortalDocumentRow Row, byte[] Content)>> LoadAsync(long portalUserId, long documentId, string operation, CancellationToken cancellationToken)
    {
        var found = await (from x in db.PortalDocuments.AsNoTracking()
                           join i in db.Institutions.AsNoTracking() on x.InstitutionId equals i.Id
                           where x.Id == documentId
                           select new { Document = x, i.Code, i.Name, i.ContactPortalUserId }).FirstOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return OpResult<(PortalDocumentRow, byte[])>.Fail(ApplicationErrors.NotFound);
        }

        var d = found.Document;
        if (found.ContactPortalUserId != portalUserId)
        {
            await scope.DenyAsync(portalUserId, d.InstitutionId, found.Code, "portal-document#" + d.Id, operation, cancellationToken);
            return OpResult<(PortalDocumentRow, byte[])>.Fail(ApplicationErrors.NotFound);
        }

        return OpResult<(PortalDocumentRow, byte[])>.Success(
            (ToRow(d.Id, d.FileName, d.Environment, d.Kind, d.ApplicationKind, d.ImportedOn, d.InstitutionId, found.Code, found.Name, d.UsageApplicationId), d.ProtectedContent));
    }

    private static PortalDocumentRow ToRow(long id, string fileName, OqsEnvironment? environment, PortalDocumentKind kind, ApplicationKind applicationKind,
        DateOnly importedOn, long institutionId, string code, string name, long? usageApplicationId) => new(
        id, fileName, environment, ApplicationLabels.Environment(environment), kind, applicationKind, ApplicationLabels.Kind(applicationKind),
        importedOn, ApplicationLabels.Date(importedOn), institutionId, code, name, usageApplicationId);
}
