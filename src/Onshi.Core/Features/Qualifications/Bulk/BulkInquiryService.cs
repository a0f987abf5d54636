using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Accounts;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Jobs;

namespace Onshi.Core.Features.Qualifications.Bulk;

/// <summary>A 一括照会 as its lists and result show it.</summary>
public sealed record BulkInquiryRow(string ReceptionNumber, BulkInquiryStatus Status, DateTime SubmittedAt, DateTime? CompletedAt, DateTime? ExpiresAt,
    int Total, int Processed, int NormalCount, int ErrorCount, string? FileName, LookupChannel Channel, string AccountUserId, DateOnly ConfirmationDate,
    string? ArbitraryFileIdentifier)
{
    public string StatusLabel => BulkInquiryLabels.Status(Status);
}

/// <summary>The words of a 一括照会's states.</summary>
public static class BulkInquiryLabels
{
    public static string Status(BulkInquiryStatus status) => status switch
    {
        BulkInquiryStatus.Accepted => "受付",
        BulkInquiryStatus.Processing => "処理中",
        BulkInquiryStatus.Completed => "完了",
        BulkInquiryStatus.Failed => "エラー",
        BulkInquiryStatus.Purged => "削除済み（保存期間経過）",
        _ => "",
    };
}

/// <summary>
/// 一括照会 (SPEC §11.3, two phases): <see cref="SubmitAsync"/> accepts a request at once — its patients kept, a job enqueued on
/// the shared job table in the same commit, audited — and answers the 受付番号; <see cref="BulkInquiryJob"/> answers each patient
/// in the background; <see cref="ResultAsync"/> gives the result (or 処理中) to the institution that sent it, and only to it.
/// </summary>
public sealed class BulkInquiryService(OnshiDbContext db, AuditLog audit, BackgroundJobStore jobs, BackgroundJobSignal signal, TimeProvider time,
    IOptions<BulkInquiryOptions> options)
{
    public const string JobKind = "qualification-bulk";
    public const string PurgeJobKind = "qualification-bulk-purge";

    private readonly BulkInquiryOptions opts = options.Value;

    /// <summary>A request's header as sent: 確認日 (yyyyMMdd, empty = today) and the client's file identifier.</summary>
    public sealed record Header(string? ConfirmationDate, string? ArbitraryFileIdentifier);

    /// <summary>Accepts a 一括照会 of <paramref name="patients"/> from <paramref name="actor"/> through <paramref name="channel"/>.</summary>
    public async Task<OpResult<BulkInquiryRow>> SubmitAsync(ActorContext actor, LookupChannel channel, Header header,
        IReadOnlyList<QualificationConfirmSearchInfo?>? patients, string? fileName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(header);
        var lookupChannel = channel == LookupChannel.Bulk ? LookupChannel.Screen : channel;
        if (!PermissionMatrix.MayLookUp(actor.Principal.Kind, lookupChannel))
        {
            audit.Record(actor.Audit(AuditActions.AccessDenied, AuditOutcomes.Denied, AuditDetails.QualificationTarget, AuditDetails.NotPermitted));
            await audit.CommitAsync(cancellationToken);
            return OpResult<BulkInquiryRow>.Fail(QualificationErrors.NotPermitted);
        }

        if (patients is null || patients.Count == 0)
        {
            return OpResult<BulkInquiryRow>.Fail(WireErrors.BulkEmpty);
        }

        if (patients.Count > opts.MaxPatients)
        {
            return OpResult<BulkInquiryRow>.Fail(WireErrors.BulkTooMany(opts.MaxPatients));
        }

        if (QualificationLookupService.ValidateConfirmationDate(header.ConfirmationDate, Jst.Today(time), out var date) is { } dateError)
        {
            return OpResult<BulkInquiryRow>.Fail(dateError);
        }

        if (!QualificationErrors.IsAcceptableIdentifier(header.ArbitraryFileIdentifier))
        {
            return OpResult<BulkInquiryRow>.Fail(QualificationErrors.ArbitraryIdentifier);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var inquiry = new BulkInquiry
        {
            ReceptionNumber = QualificationLookupService.NewReferenceNumber(),
            InstitutionId = actor.Principal.InstitutionId,
            Environment = actor.Principal.Environment,
            AccountId = actor.Principal.AccountId,
            TerminalSerial = actor.CertificateSerial.Length > 0 ? actor.CertificateSerial : null,
            Channel = channel,
            ConfirmationDate = date,
            ArbitraryFileIdentifier = string.IsNullOrEmpty(header.ArbitraryFileIdentifier) ? null : header.ArbitraryFileIdentifier,
            FileName = fileName,
            Total = patients.Count,
            RequestJson = JsonSerializer.Serialize(patients.Select(p => p ?? new QualificationConfirmSearchInfo()).ToList(), WireJson.Options),
            SubmittedAt = AuditLog.StoredTime(now),
        };
        await audit.CommitAsync(async ct =>
        {
            db.BulkInquiries.Add(inquiry);
            await db.SaveChangesAsync(ct);
            var job = jobs.Enqueue(JobKind, inquiry.Id);
            await db.SaveChangesAsync(ct);
            inquiry.JobId = job.Id;
            audit.Record(actor.Audit(AuditActions.QualificationBulkAccept, AuditOutcomes.Success, inquiry.ReceptionNumber,
                "rows=" + patients.Count.ToString(CultureInfo.InvariantCulture)));
            return true;
        }, cancellationToken);
        signal.Notify();
        return OpResult<BulkInquiryRow>.Success(Row(inquiry, actor.Principal.UserId));
    }

    /// <summary>
    /// The result of the 一括照会 <paramref name="receptionNumber"/> of the actor's institution: its state and, once complete,
    /// one unit per patient in the order sent. Another institution's number is answered as unknown (and audited as a denial).
    /// </summary>
    public async Task<OpResult<(BulkInquiryRow Inquiry, IReadOnlyList<BulkConfirmUnit> Units)>> ResultAsync(
        ActorContext actor, string? receptionNumber, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var found = await FindOwnAsync(actor, receptionNumber, cancellationToken);
        if (found is null)
        {
            return OpResult<(BulkInquiryRow, IReadOnlyList<BulkConfirmUnit>)>.Fail(WireErrors.BulkNotFound);
        }

        var (inquiry, row) = found.Value;
        if (inquiry.Status != BulkInquiryStatus.Completed)
        {
            return OpResult<(BulkInquiryRow, IReadOnlyList<BulkConfirmUnit>)>.Success((row, []));
        }

        var units = new List<BulkConfirmUnit>(inquiry.Total);
        var items = db.BulkInquiryItems.AsNoTracking().Where(i => i.BulkInquiryId == inquiry.Id).OrderBy(i => i.Position)
            .Select(i => new
            {
                i.ErrorCode,
                i.ErrorMessage,
                i.SearchJson,
                Answer = db.QualificationResults.Where(r => r.Id == i.QualificationResultId).Select(r => new { r.AnswerJson, r.ReferenceNumber }).FirstOrDefault(),
            }).AsAsyncEnumerable();
        await foreach (var item in items.WithCancellation(cancellationToken))
        {
            if (item.Answer is { } answer)
            {
                var body = JsonSerializer.Deserialize<ResultBody>(answer.AnswerJson, WireJson.Options) ?? new ResultBody();
                units.Add(new BulkConfirmUnit
                {
                    QualificationConfirmSearchInfo = body.QualificationConfirmSearchInfo,
                    ProcessingResultStatus = body.ProcessingResultStatus,
                    ProcessingResultCode = body.ProcessingResultCode,
                    ProcessingResultMessage = body.ProcessingResultMessage,
                    QualificationValidity = body.QualificationValidity,
                    ResultOfQualificationConfirmation = body.ResultList?.FirstOrDefault()?.ResultOfQualificationConfirmation,
                    ReferenceNumber = answer.ReferenceNumber,
                });
            }
            else
            {
                units.Add(new BulkConfirmUnit
                {
                    QualificationConfirmSearchInfo = item.SearchJson is null ? null : JsonSerializer.Deserialize<QualificationConfirmSearchInfo>(item.SearchJson, WireJson.Options),
                    ProcessingResultStatus = "2",
                    ProcessingResultCode = item.ErrorCode,
                    ProcessingResultMessage = item.ErrorMessage,
                });
            }
        }

        audit.Record(actor.Audit(AuditActions.QualificationBulkResult, AuditOutcomes.Success, inquiry.ReceptionNumber,
            "rows=" + units.Count.ToString(CultureInfo.InvariantCulture)));
        await audit.CommitAsync(cancellationToken);
        return OpResult<(BulkInquiryRow, IReadOnlyList<BulkConfirmUnit>)>.Success((row, units));
    }

    /// <summary>
    /// Where the 一括照会 <paramref name="receptionNumber"/> of the actor's institution stands (the screen's detail, refreshed while
    /// it runs), without its answers: nothing is read of the patients and nothing is audited but a refusal. Another institution's
    /// number is answered as unknown (and audited as a denial), as by <see cref="ResultAsync"/>.
    /// </summary>
    public async Task<OpResult<BulkInquiryRow>> StatusAsync(ActorContext actor, string? receptionNumber, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var found = await FindOwnAsync(actor, receptionNumber, cancellationToken);
        return found is { } f ? OpResult<BulkInquiryRow>.Success(f.Row) : OpResult<BulkInquiryRow>.Fail(WireErrors.BulkNotFound);
    }

    /// <summary>The institution's 一括照会 of this environment, newest first (the screen's list).</summary>
    public async Task<Paged<BulkInquiryRow>> ListAsync(ActorContext actor, int page, int pageSize = 20, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var p = actor.Principal;
        var query = db.BulkInquiries.AsNoTracking().Where(b => b.InstitutionId == p.InstitutionId && b.Environment == p.Environment);
        var total = await query.CountAsync(cancellationToken);
        page = Math.Clamp(page, 1, Math.Max(1, (total + pageSize - 1) / pageSize));
        var rows = await query.OrderByDescending(b => b.Id).Skip((page - 1) * pageSize).Take(pageSize)
            .Select(b => new BulkInquiryRow(b.ReceptionNumber, b.Status, b.SubmittedAt, b.CompletedAt, b.ExpiresAt, b.Total, b.Processed, b.NormalCount,
                b.ErrorCount, b.FileName, b.Channel, db.Accounts.Where(a => a.Id == b.AccountId).Select(a => a.UserId).First(), b.ConfirmationDate,
                b.ArbitraryFileIdentifier))
            .ToListAsync(cancellationToken);
        return new Paged<BulkInquiryRow>(rows, total, page, pageSize);
    }

    /// <summary>The wire answer of a result (<c>OQSmuquc02res</c>), or of the acceptance (<c>OQSmuquc01res</c>) with no units.</summary>
    public static BulkResultMessage Message(BulkInquiryRow inquiry, IReadOnlyList<BulkConfirmUnit> units, string institutionCode, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(inquiry);
        ArgumentNullException.ThrowIfNull(units);
        var completed = inquiry.Status == BulkInquiryStatus.Completed;
        var failed = inquiry.Status is BulkInquiryStatus.Failed or BulkInquiryStatus.Purged;
        var error = inquiry.Status == BulkInquiryStatus.Failed ? WireErrors.BulkFailed : inquiry.Status == BulkInquiryStatus.Purged ? WireErrors.BulkPurged : null;
        return new BulkResultMessage
        {
            MessageHeader = new ResultHeader
            {
                ProcessExecutionTime = QualificationLookupService.WireTime(nowUtc),
                QualificationConfirmationDate = QualificationAnswer.Wire(inquiry.ConfirmationDate),
                MedicalInstitutionCode = institutionCode,
                ArbitraryFileIdentifier = inquiry.ArbitraryFileIdentifier,
                ReferenceClassification = "2",
                SegmentOfResult = completed ? "1" : failed ? "9" : "2",
                ErrorCode = error?.Code,
                ErrorMessage = error?.Message,
                CharacterCodeIdentifier = "0",
                NumberOfProcessingResult = completed ? inquiry.Total.ToString(CultureInfo.InvariantCulture) : null,
                NumberOfNormalProcessing = completed ? inquiry.NormalCount.ToString(CultureInfo.InvariantCulture) : null,
                NumberOfError = completed ? inquiry.ErrorCount.ToString(CultureInfo.InvariantCulture) : null,
            },
            MessageBody = new BulkResultBody
            {
                ReceptionNumber = inquiry.ReceptionNumber,
                BulkConfirmUnit = completed ? [.. units] : null,
            },
        };
    }

    /// <summary>The inquiry <paramref name="receptionNumber"/> when it is of the actor's institution and environment; another's is audited.</summary>
    private async Task<(BulkInquiry Inquiry, BulkInquiryRow Row)?> FindOwnAsync(ActorContext actor, string? receptionNumber, CancellationToken cancellationToken)
    {
        var p = actor.Principal;
        var number = (TextInput.NormalizeCode(receptionNumber) ?? "").Trim();
        var found = number.Length is > 0 and <= 16 && number.All(char.IsAsciiDigit)
            ? await db.BulkInquiries.AsNoTracking().Where(b => b.ReceptionNumber == number)
                .Select(b => new { Inquiry = b, UserId = db.Accounts.Where(a => a.Id == b.AccountId).Select(a => a.UserId).First() })
                .FirstOrDefaultAsync(cancellationToken)
            : null;
        if (found is null || found.Inquiry.InstitutionId != p.InstitutionId || found.Inquiry.Environment != p.Environment)
        {
            if (found is not null)
            {
                audit.Record(actor.Audit(AuditActions.AccessDenied, AuditOutcomes.Denied, found.Inquiry.ReceptionNumber, "other-institution"));
                await audit.CommitAsync(cancellationToken);
            }

            return null;
        }

        return (found.Inquiry, Row(found.Inquiry, found.UserId));
    }

    private static BulkInquiryRow Row(BulkInquiry b, string userId) => new(b.ReceptionNumber, b.Status, b.SubmittedAt, b.CompletedAt, b.ExpiresAt, b.Total,
        b.Processed, b.NormalCount, b.ErrorCount, b.FileName, b.Channel, userId, b.ConfirmationDate, b.ArbitraryFileIdentifier);
}
