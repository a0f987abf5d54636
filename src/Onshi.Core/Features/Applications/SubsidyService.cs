using Microsoft.EntityFrameworkCore;

using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Documents;
using Onshi.Core.Features.Operators;

namespace Onshi.Core.Features.Applications;

/// <summary>The 補助金申請 form. Amounts in yen; the receipt is a PDF, JPEG or PNG of at most 5 MB.</summary>
public sealed record SubsidyInput
{
    /// <summary>申請額.</summary>
    public long? ClaimedAmount { get; init; }

    /// <summary>事業費.</summary>
    public long? TotalCost { get; init; }

    /// <summary>事業内容.</summary>
    public string? Description { get; init; }

    public string? ReceiptFileName { get; init; }

    /// <summary>The type the browser declared; checked against the content.</summary>
    public string? ReceiptContentType { get; init; }

#pragma warning disable CA1819 // The uploaded file's bytes, handed over once.
    public byte[]? ReceiptBytes { get; init; }
#pragma warning restore CA1819

    /// <summary>Prints no content.</summary>
    public override string ToString() => $"{nameof(SubsidyInput)} {{ ReceiptFileName = {ReceiptFileName} }}";
}

/// <summary>A 補助金申請 as its applicant (and the operator) sees it.</summary>
public sealed record SubsidyRow(
    long Id,
    long InstitutionId,
    string InstitutionCode,
    string InstitutionName,
    ReviewStatus Status,
    string StatusLabel,
    long ClaimedAmount,
    long TotalCost,
    string Description,
    string ReceiptFileName,
    DateTime SubmittedAt,
    DateTime? DecidedAt,
    string? SendBackReason,
    long? GrantedAmount,
    long? DecisionDocumentId)
{
    /// <summary>The 受付番号 (<see cref="ReceiptNumbers"/>).</summary>
    public string ReceiptNumber => ReceiptNumbers.Subsidy(Id, SubmittedAt);
}

/// <summary>
/// 補助金申請 and 交付決定通知書 (SPEC §6, §7). The receipt must really be a PDF, JPEG or PNG (its first bytes are checked,
/// not only the declared type and extension). 承認 posts a 交付決定通知書 to the portal, encrypted like every portal document.
/// The operator's methods take the <see cref="OperatorActor"/> and need <see cref="OperatorCapability.ReviewQueues"/>
/// (<see cref="ReviewDecisions"/>).
/// </summary>
public sealed class SubsidyService(
    OnshiDbContext db,
    PortalScope scope,
    ReviewDecisions decisions,
    PortalDocumentService documents,
    IPdfRenderer<NoticeDocument> noticePdf,
    ApplicationProtection protection,
    PortalSubmissions submissions,
    AuditLog audit,
    ApplicationMail mail,
    TimeProvider time)
{
    /// <summary>The largest receipt accepted: 5 MB.</summary>
    public const int MaxReceiptBytes = 5 * 1024 * 1024;

    /// <summary>The largest amount accepted (yen).</summary>
    public const long MaxAmount = 1_000_000_000;

    /// <summary>The grant notice's title.</summary>
    public const string GrantNoticeTitle = "交付決定通知書";

    /// <summary>The grant notice's file name.</summary>
    public const string GrantNoticeFileName = "オンライン資格確認等補助金交付決定通知書.pdf";

    public const int DescriptionMaxLength = 1000;

    /// <summary>The gate's target of a refused look at one 補助金申請.</summary>
    public const string ReviewOperation = "subsidy-application.view";

    /// <summary>Submits a 補助金申請 for an institution whose contact is <paramref name="portalUserId"/>. The value is its id.</summary>
    public Task<OpResult<long>> SubmitAsync(long portalUserId, long institutionId, SubsidyInput input, CancellationToken cancellationToken = default) =>
        SubmitAsync(portalUserId, institutionId, input, store: true, null, cancellationToken);

    /// <summary>
    /// <see cref="SubmitAsync(long, long, SubsidyInput, CancellationToken)"/> of a portal 確認 draft, recording its nonce in
    /// the same commit (<see cref="PortalSubmissions"/>).
    /// </summary>
    public Task<OpResult<long>> SubmitAsync(long portalUserId, long institutionId, SubsidyInput input, string submissionNonce,
        CancellationToken cancellationToken = default) =>
        SubmitAsync(portalUserId, institutionId, input, store: true, submissionNonce, cancellationToken);

    /// <summary>
    /// Every check of <see cref="SubmitAsync(long, long, SubsidyInput, CancellationToken)"/> but the receipt's, nothing
    /// stored: the portal's 入力 step (the receipt is chosen on its 確認 step, so that no file waits between the steps).
    /// </summary>
    public Task<OpResult<long>> CheckAsync(long portalUserId, long institutionId, SubsidyInput input, CancellationToken cancellationToken = default) =>
        SubmitAsync(portalUserId, institutionId, input, store: false, null, cancellationToken);

    private async Task<OpResult<long>> SubmitAsync(long portalUserId, long institutionId, SubsidyInput input, bool store, string? submissionNonce,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var institution = await scope.OwnInstitutionAsync(portalUserId, institutionId, "subsidy-application.submit", cancellationToken);
        if (institution is null)
        {
            return OpResult<long>.Fail(ApplicationErrors.NotFound);
        }

        var errors = new List<OnshiError>();
        var claimed = Amount(errors, input.ClaimedAmount, "ClaimedAmount", "申請額");
        var total = Amount(errors, input.TotalCost, "TotalCost", "事業費");
        if (claimed > 0 && total > 0 && claimed > total)
        {
            errors.Add(ApplicationErrors.ClaimOverTotal);
        }

        var description = InputRules.Text(errors, input.Description, "Description", "事業内容", DescriptionMaxLength);
        var receipt = store ? CheckReceipt(errors, input) : null;
        if (errors.Count > 0)
        {
            return OpResult<long>.Fail(errors);
        }

        if (!store)
        {
            return OpResult<long>.Success(0);
        }

        var application = new SubsidyApplication
        {
            PortalUserId = portalUserId,
            InstitutionId = institution.Id,
            ClaimedAmount = claimed,
            TotalCost = total,
            Description = description,
            ReceiptFileName = receipt!.Value.FileName,
            ReceiptContentType = receipt.Value.ContentType,
            ReceiptContent = input.ReceiptBytes!,
            SubmittedAt = time.GetUtcNow().UtcDateTime,
        };
        db.SubsidyApplications.Add(application);
        audit.Record(new AuditRecord(ApplicationAuditActions.SubsidySubmit, AuditOutcomes.Success)
        {
            InstitutionId = institution.Id,
            InstitutionCode = institution.Code,
            Actor = ApplicationAuditActions.PortalActor(portalUserId),
            Target = institution.Code,
        });
        await audit.CommitAsync(submissions.Recording(submissionNonce, PortalSubmissionKind.Subsidy, () => application.Id), cancellationToken);
        return OpResult<long>.Success(application.Id);
    }

    /// <summary>The 補助金申請 of the institutions whose contact is <paramref name="portalUserId"/>, newest first.</summary>
    public async Task<IReadOnlyList<SubsidyRow>> ListAsync(long portalUserId, CancellationToken cancellationToken = default) =>
        await Rows(db.SubsidyApplications.AsNoTracking().Where(a => scope.InstitutionIds(portalUserId).Contains(a.InstitutionId)), cancellationToken);

    /// <summary>One 補助金申請 of the user's institutions (the portal's 完了); someone else's is answered like a missing one.</summary>
    public async Task<SubsidyRow?> GetMineAsync(long portalUserId, long applicationId, CancellationToken cancellationToken = default)
    {
        var rows = await Rows(db.SubsidyApplications.AsNoTracking()
            .Where(a => a.Id == applicationId && scope.InstitutionIds(portalUserId).Contains(a.InstitutionId)), cancellationToken);
        return rows.Count > 0 ? rows[0] : null;
    }

    /// <summary>The operator's view of one 補助金申請.</summary>
    public async Task<OpResult<SubsidyRow>> GetForReviewAsync(OperatorActor actor, long applicationId, CancellationToken cancellationToken = default)
    {
        if (await decisions.ReviewerAsync(actor, ReviewOperation, cancellationToken) is null)
        {
            return OpResult<SubsidyRow>.Fail(OperatorErrors.NotPermitted);
        }

        var rows = await Rows(db.SubsidyApplications.AsNoTracking().Where(a => a.Id == applicationId), cancellationToken);
        return rows.Count == 0 ? OpResult<SubsidyRow>.Fail(ApplicationErrors.NotFound) : OpResult<SubsidyRow>.Success(rows[0]);
    }

    /// <summary>The receipt, for the operator reviewing the application; audited.</summary>
    public async Task<OpResult<DownloadFile>> GetReceiptForReviewAsync(OperatorActor actor, long applicationId, CancellationToken cancellationToken = default)
    {
        var operatorId = await decisions.ReviewerAsync(actor, ApplicationAuditActions.SubsidyReceiptView, cancellationToken);
        if (operatorId is null)
        {
            return OpResult<DownloadFile>.Fail(OperatorErrors.NotPermitted);
        }

        var application = await db.SubsidyApplications.AsNoTracking().FirstOrDefaultAsync(a => a.Id == applicationId, cancellationToken);
        if (application is null)
        {
            return OpResult<DownloadFile>.Fail(ApplicationErrors.NotFound);
        }

        audit.Record(new AuditRecord(ApplicationAuditActions.SubsidyReceiptView, AuditOutcomes.Success)
        {
            InstitutionId = application.InstitutionId,
            Actor = operatorId,
            Target = "subsidy-application#" + application.Id,
        });
        await audit.CommitAsync(cancellationToken);
        return OpResult<DownloadFile>.Success(new DownloadFile(application.ReceiptFileName, application.ReceiptContent, application.ReceiptContentType));
    }

    /// <summary>承認 with the 交付決定額 (1 yen up to the claimed amount): posts the 交付決定通知書 to the portal.</summary>
    public async Task<OpResult<long>> ApproveAsync(OperatorActor actor, long applicationId, long grantedAmount, CancellationToken cancellationToken = default)
    {
        var pending = await decisions.PendingAsync(actor, ApplicationAuditActions.SubsidyApprove,
            db.SubsidyApplications.Where(a => a.Id == applicationId), cancellationToken);
        if (!pending.Succeeded)
        {
            return OpResult<long>.Fail(pending.Errors);
        }

        var (operatorId, application) = pending.Value!;
        if (grantedAmount <= 0)
        {
            return OpResult<long>.Fail(ApplicationErrors.AmountPositive("GrantedAmount", "交付決定額"));
        }

        if (grantedAmount > application.ClaimedAmount)
        {
            return OpResult<long>.Fail(ApplicationErrors.GrantOverClaim);
        }

        var institution = await db.Institutions.AsNoTracking().FirstAsync(i => i.Id == application.InstitutionId, cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        var decidedOn = ApplicationLabels.JapanDate(now);
        var pdf = noticePdf.Render(new NoticeDocument(
            GrantNoticeTitle,
            [institution.Name + " 御中", "医療機関等コード：" + institution.Code],
            [ApplicationReviewService.Issuer],
            [
                "平素よりオンライン資格確認等システムをご利用いただき、誠にありがとうございます。",
                "申請のありましたオンライン資格確認等の補助金について、下記のとおり交付することに決定しましたので通知します。",
            ],
            [
                new DocumentField("医療機関等コード", institution.Code),
                new DocumentField("医療機関等名", institution.Name),
                new DocumentField("申請日", JapanDateText(ApplicationLabels.JapanDate(application.SubmittedAt))),
                new DocumentField("事業費", ApplicationLabels.Yen(application.TotalCost)),
                new DocumentField("申請額", ApplicationLabels.Yen(application.ClaimedAmount)),
                new DocumentField("交付決定額", ApplicationLabels.Yen(grantedAmount)),
                new DocumentField("交付決定日", JapanDateText(decidedOn)),
            ],
            ["※ 本通知書は大切に保管してください。"],
            now,
            "補助第" + application.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) + "号"));
        var document = new PortalDocument
        {
            InstitutionId = institution.Id,
            Environment = null,
            Kind = PortalDocumentKind.GrantDecision,
            ApplicationKind = ApplicationKind.New,
            FileName = GrantNoticeFileName,
            ImportedOn = decidedOn,
            ProtectedContent = protection.ProtectDocument(pdf),
            CreatedAt = now,
        };
        db.PortalDocuments.Add(document);
        application.Status = ReviewStatus.Approved;
        application.GrantedAmount = grantedAmount;
        application.DecidedAt = now;
        application.DecidedBy = operatorId;
        audit.Record(new AuditRecord(ApplicationAuditActions.SubsidyApprove, AuditOutcomes.Success)
        {
            InstitutionId = institution.Id,
            InstitutionCode = institution.Code,
            Actor = operatorId,
            Target = "subsidy-application#" + application.Id,
        });
        await audit.CommitAsync(cancellationToken);

        // The document's id exists only after the insert above, and the model has no navigation to fill it in; the
        // link is bookkeeping (the notice is already listed for the institution), so it is saved afterwards.
        application.DecisionDocumentId = document.Id;
        await audit.CommitAsync(cancellationToken);
        await mail.SubsidyGrantedAsync(application, cancellationToken);
        return OpResult<long>.Success(document.Id);
    }

    /// <summary>差戻し with a reason (required, at most 500 characters).</summary>
    public Task<OpResult> SendBackAsync(OperatorActor actor, long applicationId, string? reason, CancellationToken cancellationToken = default) =>
        decisions.SendBackAsync(actor, ApplicationAuditActions.SubsidySendBack, db.SubsidyApplications.Where(a => a.Id == applicationId),
            reason, (application, operatorId, ct) => decisions.InstitutionRecordAsync(ApplicationAuditActions.SubsidySendBack,
                application.InstitutionId, operatorId, "subsidy-application#" + application.Id, ct), cancellationToken);

    /// <summary>交付決定通知書ダウンロード: the list; download each with <see cref="PortalDocumentService.DownloadAsync"/>.</summary>
    public Task<PortalDocumentPage> ListGrantNoticesAsync(long portalUserId, int page = 1, CancellationToken cancellationToken = default) =>
        documents.ListGrantNoticesAsync(portalUserId, page, PortalDocumentService.DefaultPageSize, cancellationToken);

    /// <summary>What the first bytes say the file is: application/pdf, image/jpeg, image/png, or null.</summary>
    public static string? SniffContentType(ReadOnlySpan<byte> content)
    {
        if (content.StartsWith("%PDF-"u8))
        {
            return "application/pdf";
        }

        if (content.Length >= 3 && content[0] == 0xFF && content[1] == 0xD8 && content[2] == 0xFF)
        {
            return "image/jpeg";
        }

        ReadOnlySpan<byte> png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        return content.StartsWith(png) ? "image/png" : null;
    }

    private static (string FileName, string ContentType)? CheckReceipt(List<OnshiError> errors, SubsidyInput input)
    {
        var bytes = input.ReceiptBytes;
        if (bytes is null || bytes.Length == 0)
        {
            errors.Add(ApplicationErrors.ReceiptRequired);
            return null;
        }

        if (bytes.Length > MaxReceiptBytes)
        {
            errors.Add(ApplicationErrors.ReceiptTooLarge);
            return null;
        }

        // Only the last path segment counts (some browsers send a full path); no control characters.
        var name = Path.GetFileName((input.ReceiptFileName ?? "").Replace('\\', '/')).Trim();
        if (name.Length == 0 || name.Length > 200 || name.Any(TextInput.IsForbidden))
        {
            errors.Add(ApplicationErrors.ReceiptFileName);
            return null;
        }

        var declared = (input.ReceiptContentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
        if (declared == "image/jpg" || declared == "image/pjpeg")
        {
            declared = "image/jpeg";
        }

        var byExtension = Path.GetExtension(name).ToLowerInvariant() switch
        {
            ".pdf" => "application/pdf",
            ".jpg" or ".jpeg" => "image/jpeg",
            ".png" => "image/png",
            _ => null,
        };
        if (byExtension is null || declared is not ("application/pdf" or "image/jpeg" or "image/png"))
        {
            errors.Add(ApplicationErrors.ReceiptType);
            return null;
        }

        var actual = SniffContentType(bytes);
        if (actual is null || actual != declared || actual != byExtension)
        {
            errors.Add(ApplicationErrors.ReceiptContentMismatch);
            return null;
        }

        return (name, actual);
    }

    private static long Amount(List<OnshiError> errors, long? value, string field, string label)
    {
        if (value is not { } amount)
        {
            errors.Add(ApplicationErrors.AmountRequired(field, label));
            return 0;
        }

        if (amount <= 0)
        {
            errors.Add(ApplicationErrors.AmountPositive(field, label));
            return 0;
        }

        if (amount > MaxAmount)
        {
            errors.Add(ApplicationErrors.AmountTooLarge(field, label));
            return 0;
        }

        return amount;
    }

    private static string JapanDateText(DateOnly date) => date.ToString("yyyy'年'M'月'd'日'", System.Globalization.CultureInfo.InvariantCulture);

    private async Task<IReadOnlyList<SubsidyRow>> Rows(IQueryable<SubsidyApplication> applications, CancellationToken cancellationToken)
    {
        var rows = await (from a in applications
                          join i in db.Institutions.AsNoTracking() on a.InstitutionId equals i.Id
                          orderby a.SubmittedAt descending, a.Id descending
                          select new SubsidyRow(a.Id, a.InstitutionId, i.Code, i.Name, a.Status, "", a.ClaimedAmount, a.TotalCost, a.Description,
                              a.ReceiptFileName, a.SubmittedAt, a.DecidedAt, a.SendBackReason, a.GrantedAmount, a.DecisionDocumentId))
            .ToListAsync(cancellationToken);
        return [.. rows.Select(r => r with { StatusLabel = ApplicationLabels.Status(r.Status) })];
    }
}
