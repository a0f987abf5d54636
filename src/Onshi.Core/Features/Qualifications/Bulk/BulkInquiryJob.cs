using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Accounts;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Jobs;
using Onshi.Core.Features.Sessions;

namespace Onshi.Core.Features.Qualifications.Bulk;

/// <summary>
/// Answers a 一括照会 (a <see cref="BulkInquiryService.JobKind"/> job) in batches of <see cref="BulkInquiryOptions.BatchSize"/>
/// patients. Each batch commits its 資格確認結果, its items, the progress and one audit row together — and only while this run
/// still holds the job's lease. A run that died is claimed again after its lease and resumes after the last committed batch:
/// the items' unique (inquiry, position) means no patient is ever answered twice. The last transaction marks the inquiry
/// 完了, drops the kept request, enqueues its purge at the end of the kept period and ends the job.
/// </summary>
public sealed class BulkInquiryJob(OnshiDbContext db, QualificationLookupService lookups, AuditLog audit, BackgroundJobStore jobs, TimeProvider time,
    IOptions<BulkInquiryOptions> options) : IBackgroundJobHandler
{
    public async Task RunAsync(BackgroundJobRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var id = run.PayloadId;
        var inquiry = await db.BulkInquiries.AsNoTracking().FirstOrDefaultAsync(b => b.Id == id, cancellationToken);
        if (inquiry is null || inquiry.Status is not (BulkInquiryStatus.Accepted or BulkInquiryStatus.Processing) || inquiry.RequestJson is null)
        {
            await EndJobAsync(run, cancellationToken);
            return;
        }

        var actor = await ActorAsync(inquiry, cancellationToken);
        var patients = JsonSerializer.Deserialize<List<QualificationConfirmSearchInfo>>(inquiry.RequestJson, WireJson.Options) ?? [];
        var now = time.GetUtcNow().UtcDateTime;
        await db.BulkInquiries.Where(b => b.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(b => b.Status, BulkInquiryStatus.Processing)
            .SetProperty(b => b.StartedAt, b => b.StartedAt ?? now), cancellationToken);

        // Resume after the batches an earlier run committed (their items are written in order, batch by batch).
        var done = await db.BulkInquiryItems.CountAsync(i => i.BulkInquiryId == id, cancellationToken);
        var date = QualificationAnswer.Wire(inquiry.ConfirmationDate);
        var insurerNames = new Dictionary<string, string?>(StringComparer.Ordinal);
        var batchSize = Math.Max(1, options.Value.BatchSize);
        for (var start = done; start < patients.Count; start += batchSize)
        {
            var end = Math.Min(patients.Count, start + batchSize);
            var executedAt = AuditLog.StoredTime(time.GetUtcNow().UtcDateTime);
            var today = Jst.Today(time);
            var results = new List<(int Position, QualificationResult Row)>();
            var refused = new List<BulkInquiryItem>();
            for (var position = start; position < end; position++)
            {
                var p = patients[position];
                var validated = QualificationLookupService.Validate(LookupInput.FromWire(p, date), today);
                var errors = validated.Errors;
                if (errors.Count > 0)
                {
                    refused.Add(new BulkInquiryItem
                    {
                        BulkInquiryId = id,
                        Position = position,
                        ErrorCode = WireErrors.InputInvalid,
                        ErrorMessage = Clip(string.Join(" ", errors.Select(e => e.Message).Distinct())),
                        SearchJson = JsonSerializer.Serialize(p, WireJson.Options),
                    });
                    continue;
                }

                var key = validated.Value!;
                var evaluation = await lookups.EvaluateAsync(key, insurerNames, cancellationToken);
                var (row, _) = QualificationLookupService.NewResult(actor, key, evaluation, LookupChannel.Bulk, executedAt, p.ArbitraryIdentifier);
                results.Add((position, row));
            }

            var normal = results.Count;
            var wrong = refused.Count;
            audit.Record(actor.Audit(AuditActions.QualificationBulkProcess, AuditOutcomes.Success, inquiry.ReceptionNumber,
                string.Create(CultureInfo.InvariantCulture, $"rows={end - start},errors={wrong}")));
            var committed = await audit.CommitAsync(async ct =>
            {
                if (!await run.HoldsLeaseAsync(db, time.GetUtcNow().UtcDateTime, ct))
                {
                    return false;
                }

                db.QualificationResults.AddRange(results.Select(r => r.Row));
                await db.SaveChangesAsync(ct);
                db.BulkInquiryItems.AddRange(results.Select(r => new BulkInquiryItem { BulkInquiryId = id, Position = r.Position, QualificationResultId = r.Row.Id }));
                db.BulkInquiryItems.AddRange(refused);
                await db.BulkInquiries.Where(b => b.Id == id).ExecuteUpdateAsync(s => s
                    .SetProperty(b => b.Processed, end)
                    .SetProperty(b => b.NormalCount, b => b.NormalCount + normal)
                    .SetProperty(b => b.ErrorCount, b => b.ErrorCount + wrong), ct);
                return true;
            }, cancellationToken);
            db.ChangeTracker.Clear();
            if (!committed)
            {
                // Another instance holds the job now: it resumes where this one committed last.
                return;
            }
        }

        var completedAt = AuditLog.StoredTime(time.GetUtcNow().UtcDateTime);
        var expiresAt = completedAt + options.Value.KeptFor;
        await audit.CommitAsync(async ct =>
        {
            if (!await run.CompleteAsync(db, completedAt, ct))
            {
                return false;
            }

            await db.BulkInquiries.Where(b => b.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(b => b.Status, BulkInquiryStatus.Completed)
                .SetProperty(b => b.CompletedAt, completedAt)
                .SetProperty(b => b.ExpiresAt, expiresAt)
                .SetProperty(b => b.RequestJson, (string?)null), ct);
            jobs.Enqueue(BulkInquiryService.PurgeJobKind, id, expiresAt);
            return true;
        }, cancellationToken);
    }

    public async Task GiveUpAsync(long payloadId, CancellationToken cancellationToken)
    {
        var inquiry = await db.BulkInquiries.AsNoTracking().FirstOrDefaultAsync(b => b.Id == payloadId, cancellationToken);
        if (inquiry is null)
        {
            return;
        }

        var actor = await ActorAsync(inquiry, cancellationToken);
        audit.Record(actor.Audit(AuditActions.QualificationBulkProcess, AuditOutcomes.Failure, inquiry.ReceptionNumber, "bulk-failed"));
        await audit.CommitAsync(async ct =>
        {
            var now = time.GetUtcNow().UtcDateTime;
            await db.BulkInquiryItems.Where(i => i.BulkInquiryId == payloadId).ExecuteDeleteAsync(ct);
            await db.BulkInquiries.Where(b => b.Id == payloadId).ExecuteUpdateAsync(s => s
                .SetProperty(b => b.Status, BulkInquiryStatus.Failed)
                .SetProperty(b => b.CompletedAt, now)
                .SetProperty(b => b.RequestJson, (string?)null), ct);
            return true;
        }, cancellationToken);
    }

    private static string Clip(string message) => message.Length > 1000 ? message[..1000] : message;

    /// <summary>The sender, as the audit rows and the 資格確認結果 name it (the account as it is now, its terminal as it was).</summary>
    private async Task<ActorContext> ActorAsync(BulkInquiry inquiry, CancellationToken cancellationToken)
    {
        var a = await db.Accounts.AsNoTracking().Where(x => x.Id == inquiry.AccountId)
            .Select(x => new { x.UserId, x.DisplayName, x.Kind, Code = x.Institution!.Code, Name = x.Institution.Name })
            .FirstAsync(cancellationToken);
        var principal = new SessionPrincipal(0, "", inquiry.AccountId, a.UserId, a.DisplayName, a.Kind, inquiry.InstitutionId, a.Code, a.Name,
            inquiry.Environment, false, false, inquiry.SubmittedAt);
        return new ActorContext(principal, inquiry.TerminalSerial ?? "", "");
    }

    private async Task EndJobAsync(BackgroundJobRun run, CancellationToken cancellationToken)
    {
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await run.CompleteAsync(db, time.GetUtcNow().UtcDateTime, cancellationToken))
        {
            await tx.CommitAsync(cancellationToken);
        }
    }
}

/// <summary>
/// Purges a completed 一括照会's results at the end of its kept period (a <see cref="BulkInquiryService.PurgeJobKind"/> job,
/// enqueued by the completion to become claimable then): the per-patient items go, the inquiry stays as 削除済み so that a
/// late fetch is told why; the 資格確認結果 of each patient stay (the institution's record, SPEC §11.2). Audited, by the system.
/// </summary>
public sealed class BulkInquiryPurgeJob(OnshiDbContext db, AuditLog audit, TimeProvider time) : IBackgroundJobHandler
{
    public async Task RunAsync(BackgroundJobRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var id = run.PayloadId;
        var inquiry = await db.BulkInquiries.AsNoTracking().Where(b => b.Id == id)
            .Select(b => new { b.Status, b.ReceptionNumber, b.InstitutionId, b.Environment, Code = db.Institutions.Where(i => i.Id == b.InstitutionId).Select(i => i.Code).First() })
            .FirstOrDefaultAsync(cancellationToken);
        var now = AuditLog.StoredTime(time.GetUtcNow().UtcDateTime);
        if (inquiry is not null && inquiry.Status == BulkInquiryStatus.Completed)
        {
            audit.Record(new AuditRecord(AuditActions.QualificationBulkPurge, AuditOutcomes.Success)
            {
                Environment = inquiry.Environment,
                InstitutionId = inquiry.InstitutionId,
                InstitutionCode = inquiry.Code,
                Actor = "system",
                Target = inquiry.ReceptionNumber,
            });
        }

        await audit.CommitAsync(async ct =>
        {
            if (!await run.CompleteAsync(db, now, ct))
            {
                return false;
            }

            if (inquiry is not null && inquiry.Status == BulkInquiryStatus.Completed)
            {
                await db.BulkInquiryItems.Where(i => i.BulkInquiryId == id).ExecuteDeleteAsync(ct);
                await db.BulkInquiries.Where(b => b.Id == id).ExecuteUpdateAsync(s => s
                    .SetProperty(b => b.Status, BulkInquiryStatus.Purged)
                    .SetProperty(b => b.PurgedAt, now), ct);
            }

            return true;
        }, cancellationToken);
    }

    public Task GiveUpAsync(long payloadId, CancellationToken cancellationToken) => Task.CompletedTask;
}
