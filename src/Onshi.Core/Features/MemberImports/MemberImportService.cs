using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Jobs;
using Onshi.Core.Features.Operators;

namespace Onshi.Core.Features.MemberImports;

/// <summary>An uploaded file as the form received it.</summary>
/// <param name="FileName">The name the browser sent (may carry a path).</param>
/// <param name="Length">Its size in bytes.</param>
/// <param name="Content">Its bytes (null when no file was chosen); read only when the size is within the limit.</param>
/// <param name="Encoding">The operator's choice of encoding.</param>
public sealed record MemberUpload(string? FileName, long Length, Stream? Content, MemberImportEncoding Encoding);

/// <summary>One import as the list and the detail page show it.</summary>
public sealed record MemberImportRow(
    long Id,
    string FileName,
    long FileSize,
    string OperatorUserId,
    MemberImportEncoding RequestedEncoding,
    MemberImportEncoding Encoding,
    MemberImportStatus Status,
    int TotalRows,
    int ValidatedRows,
    int ErrorRows,
    int ErrorCount,
    int InsertedRows,
    int UpdatedRows,
    int InsurersAdded,
    bool HasReport,
    DateTime CreatedAt,
    DateTime? FinishedAt)
{
    /// <summary>The validation's progress in percent while 検証中 (the total is known from the upload's line count estimate).</summary>
    public int? Percent => Status == MemberImportStatus.Validating && TotalRows > 0 ? Math.Min(99, ValidatedRows * 100 / TotalRows) : null;
}

/// <summary>
/// 加入者データ取込 (SPEC §11.1, docs/qualification.md): a 管理者 uploads a member CSV; the upload is checked as far as can be
/// done at once (size, encoding, header) and stored with its job; the worker (<see cref="MemberImportJob"/>) validates every
/// row and applies the file whole or not at all. The list, the detail and the error report are read here too. Every step
/// checks <see cref="OperatorCapability.MemberImport"/> (a refusal is audited by <see cref="OperatorGate"/>).
/// </summary>
public sealed class MemberImportService(OnshiDbContext db, AuditLog audit, OperatorGate gate, BackgroundJobStore jobs, BackgroundJobSignal signal,
    TimeProvider time, IOptions<MemberImportOptions> options)
{
    /// <summary>The job kind in the shared job table.</summary>
    public const string JobKind = "member-import";

    /// <summary>Imports the list shows.</summary>
    public const int ListSize = 50;

    private const string GateTarget = "member-import";

    /// <summary>Checks and stores an upload; its id, or the form's errors (nothing stored).</summary>
    public async Task<OpResult<long>> UploadAsync(OperatorActor actor, MemberUpload upload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(upload);
        if (await gate.CheckAsync(actor, OperatorCapability.MemberImport, GateTarget, cancellationToken) is not { } op)
        {
            return OpResult<long>.Fail(MemberImportErrors.NotPermitted);
        }

        var max = options.Value.MaxFileBytes;
        if (upload.Content is not null && upload.Length > max)
        {
            return OpResult<long>.Fail(MemberImportErrors.TooLarge(max));
        }

        byte[]? content = null;
        if (upload.Content is not null)
        {
            using var buffer = new MemoryStream((int)Math.Max(0, upload.Length));
            await upload.Content.CopyToAsync(buffer, cancellationToken);
            content = buffer.ToArray();
        }

        var checkedFile = Check(upload.FileName, content, upload.Encoding, max);
        if (!checkedFile.Succeeded)
        {
            return OpResult<long>.Fail(checkedFile.Errors);
        }

        var (encoding, estimatedRows) = checkedFile.Value;
        var now = time.GetUtcNow().UtcDateTime;
        var import = new MemberImport
        {
            OperatorAccountId = op.Id,
            OperatorUserId = op.UserId,
            FileName = CleanFileName(upload.FileName),
            FileSize = content!.LongLength,
            RequestedEncoding = upload.Encoding,
            Encoding = encoding,
            TotalRows = estimatedRows,
            CreatedAt = now,
        };
        await audit.CommitAsync(async ct =>
        {
            db.MemberImports.Add(import);
            await db.SaveChangesAsync(ct);
            db.MemberImportFiles.Add(new MemberImportFile { ImportId = import.Id, Content = content });
            var job = jobs.Enqueue(JobKind, import.Id);
            await db.SaveChangesAsync(ct);
            import.JobId = job.Id;
            audit.Record(new AuditRecord(MemberImportAuditActions.Accept, AuditOutcomes.Success)
            {
                Actor = OperatorAudit.Actor(op.UserId),
                Target = MemberImportAuditActions.Target(import.Id),
                Detail = "bytes=" + content.LongLength.ToString(CultureInfo.InvariantCulture),
                ClientAddress = actor.ClientAddress,
            });
            return true;
        }, cancellationToken);
        signal.Notify();
        return OpResult<long>.Success(import.Id);
    }

    /// <summary>
    /// What can be said of a file at once: chosen, not empty, not too large, named .csv, text, decodable in the chosen (or
    /// detected) encoding, a valid header and at least one row. The encoding to read it with and an estimate of its rows.
    /// </summary>
    public static OpResult<(MemberImportEncoding Encoding, int EstimatedRows)> Check(string? fileName, byte[]? content, MemberImportEncoding choice, long maxBytes)
    {
        static OpResult<(MemberImportEncoding, int)> Fail(OnshiError error) => OpResult<(MemberImportEncoding, int)>.Fail(error);
        if (!Enum.IsDefined(choice))
        {
            return Fail(MemberImportErrors.EncodingUnknown);
        }

        if (content is null || string.IsNullOrWhiteSpace(fileName))
        {
            return Fail(MemberImportErrors.FileRequired);
        }

        if (content.Length == 0)
        {
            return Fail(MemberImportErrors.FileEmpty);
        }

        if (content.LongLength > maxBytes)
        {
            return Fail(MemberImportErrors.TooLarge(maxBytes));
        }

        if (!CleanFileName(fileName).EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
        {
            return Fail(MemberImportErrors.NotCsvName);
        }

        if (content.AsSpan().IndexOf((byte)0) >= 0)
        {
            return Fail(MemberImportErrors.NotText);
        }

        if (MemberFileEncoding.Resolve(content, choice, out var decodeError) is not { } encoding)
        {
            return Fail(MemberImportErrors.Encoding(decodeError!));
        }

        using var reader = MemberFileEncoding.Open(content, encoding);
        var csv = new CsvRecordReader(reader);
        if (MemberHeader.Parse(csv.Read(), out var headerErrors) is null)
        {
            return OpResult<(MemberImportEncoding, int)>.Fail([.. headerErrors.Select(MemberImportErrors.Header)]);
        }

        CsvRecord? first;
        do
        {
            first = csv.Read();
        }
        while (first is { IsBlank: true });
        if (first is null)
        {
            return Fail(MemberImportErrors.NoRows);
        }

        // For the progress bar: line breaks (a quoted one counts too, so this is an upper bound), less the header.
        var lines = content.AsSpan().Count((byte)'\n') + (content[^1] == (byte)'\n' ? 0 : 1);
        return OpResult<(MemberImportEncoding, int)>.Success((encoding, Math.Max(1, lines - 1)));
    }

    /// <summary>The newest imports (null when the operator may not see them; the refusal is audited).</summary>
    public async Task<IReadOnlyList<MemberImportRow>?> ListAsync(OperatorActor actor, CancellationToken cancellationToken)
    {
        if (await gate.CheckAsync(actor, OperatorCapability.MemberImport, GateTarget, cancellationToken) is null)
        {
            return null;
        }

        return await Rows(db.MemberImports.AsNoTracking().OrderByDescending(i => i.Id).Take(ListSize)).ToListAsync(cancellationToken);
    }

    /// <summary>One import, or null (not found, or not permitted: audited).</summary>
    public async Task<MemberImportRow?> FindAsync(OperatorActor actor, long id, CancellationToken cancellationToken)
    {
        if (await gate.CheckAsync(actor, OperatorCapability.MemberImport, GateTarget, cancellationToken) is null)
        {
            return null;
        }

        return await Rows(db.MemberImports.AsNoTracking().Where(i => i.Id == id)).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>The error report of a refused import (audited as downloaded), or null.</summary>
    public async Task<byte[]?> ReportAsync(OperatorActor actor, long id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (await gate.CheckAsync(actor, OperatorCapability.MemberImport, GateTarget, cancellationToken) is not { } op)
        {
            return null;
        }

        var report = await db.MemberImports.AsNoTracking().Where(i => i.Id == id).Select(i => i.ErrorReport).FirstOrDefaultAsync(cancellationToken);
        if (report is null)
        {
            return null;
        }

        audit.Record(new AuditRecord(MemberImportAuditActions.ReportDownload, AuditOutcomes.Success)
        {
            Actor = OperatorAudit.Actor(op.UserId),
            Target = MemberImportAuditActions.Target(id),
            ClientAddress = actor.ClientAddress,
        });
        await audit.CommitAsync(cancellationToken);
        return report;
    }

    /// <summary>The file name to store and show: its last path segment, without control characters, at most 100 characters.</summary>
    public static string CleanFileName(string? name)
    {
        var s = (name ?? "").Replace('\\', '/');
        s = s[(s.LastIndexOf('/') + 1)..];
        s = new string([.. s.Where(c => !TextInput.IsForbidden(c))]).Trim();
        return s.Length > 100 ? s[^100..] : s;
    }

    private static IQueryable<MemberImportRow> Rows(IQueryable<MemberImport> query) => query.Select(i => new MemberImportRow(
        i.Id, i.FileName, i.FileSize, i.OperatorUserId, i.RequestedEncoding, i.Encoding, i.Status, i.TotalRows, i.ValidatedRows, i.ErrorRows,
        i.ErrorCount, i.InsertedRows, i.UpdatedRows, i.InsurersAdded, i.ErrorReport != null, i.CreatedAt, i.FinishedAt));
}
