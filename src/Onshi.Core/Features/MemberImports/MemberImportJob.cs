using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Jobs;
using Onshi.Core.Features.Operators;

namespace Onshi.Core.Features.MemberImports;

/// <summary>
/// Processes one uploaded member file (a <see cref="MemberImportService.JobKind"/> job), from the start on every run:
/// <list type="number">
/// <item>検証中: every row through <see cref="MemberFileCheck"/>, streaming; the progress is written in short transactions of
/// its own every <see cref="MemberImportOptions.ProgressEvery"/> rows.</item>
/// <item>Any wrong row: the file is refused — the error report, the status エラー, the job's end and the audit row in one
/// commit; nothing of the file is applied.</item>
/// <item>Else 適用中: in <b>one</b> transaction the rows are staged into a temporary table, matched to existing
/// qualifications by the upsert key, replaced or added set-wise, the new insurers registered, the import marked 完了 (its
/// bytes deleted), the audit row written and the job ended (if this run still holds its lease). A kill before the commit
/// leaves nothing of the file; the job is claimed again after its lease and the file applied from the start.</item>
/// </list>
/// </summary>
public sealed class MemberImportJob(OnshiDbContext db, AuditLog audit, TimeProvider time, IOptions<MemberImportOptions> options) : IBackgroundJobHandler
{
    private const string Stage = "MemberImportStage";

    /// <summary>
    /// Rows per multi-row INSERT into the stage on PostgreSQL (27 columns: 5,400 parameters; fewer round trips). SQLite binds
    /// each parameter by looking its name up among all of the statement's (a linear search), so there a batch stays small.
    /// </summary>
    private const int PostgresStageBatch = 200;

    private const int SqliteStageBatch = 8;

    /// <summary>The apply's statements may take minutes on a large file; the default 30 s command timeout is for requests.</summary>
    private const int ApplyCommandTimeoutSeconds = 3600;

    /// <summary>The qualification's columns the file sets, with their values (enums as their numbers).</summary>
    private static readonly (string Column, Func<InsuredQualification, object?> Read)[] Columns =
    [
        (nameof(InsuredQualification.PersonId), q => q.PersonId),
        (nameof(InsuredQualification.InsurerNumber), q => q.InsurerNumber),
        (nameof(InsuredQualification.Symbol), q => q.Symbol),
        (nameof(InsuredQualification.Number), q => q.Number),
        (nameof(InsuredQualification.Branch), q => q.Branch),
        (nameof(InsuredQualification.Birthdate), q => q.Birthdate),
        (nameof(InsuredQualification.CardClassification), q => (int)q.CardClassification),
        (nameof(InsuredQualification.PersonalFamily), q => (int)q.PersonalFamily),
        (nameof(InsuredQualification.InsuredName), q => q.InsuredName),
        (nameof(InsuredQualification.Name), q => q.Name),
        (nameof(InsuredQualification.NameOfOther), q => q.NameOfOther),
        (nameof(InsuredQualification.NameKana), q => q.NameKana),
        (nameof(InsuredQualification.NameOfOtherKana), q => q.NameOfOtherKana),
        (nameof(InsuredQualification.Sex), q => (int)q.Sex),
        (nameof(InsuredQualification.PostNumber), q => q.PostNumber),
        (nameof(InsuredQualification.Address), q => q.Address),
        (nameof(InsuredQualification.QualificationDate), q => q.QualificationDate),
        (nameof(InsuredQualification.DisqualificationDate), q => q.DisqualificationDate),
        (nameof(InsuredQualification.ReasonOfLoss), q => q.ReasonOfLoss is { } r ? (int)r : null),
        (nameof(InsuredQualification.CardIssuanceDate), q => q.CardIssuanceDate),
        (nameof(InsuredQualification.CardValidDate), q => q.CardValidDate),
        (nameof(InsuredQualification.CardExpirationDate), q => q.CardExpirationDate),
        (nameof(InsuredQualification.ContributionPercent), q => q.ContributionPercent),
        (nameof(InsuredQualification.ElderlyCertificateDate), q => q.ElderlyCertificateDate),
        (nameof(InsuredQualification.ElderlyValidStartDate), q => q.ElderlyValidStartDate),
        (nameof(InsuredQualification.ElderlyValidEndDate), q => q.ElderlyValidEndDate),
        (nameof(InsuredQualification.ElderlyContributionPercent), q => q.ElderlyContributionPercent),
    ];

    /// <summary>The upsert key (<see cref="MemberFileCheck.Key"/>).</summary>
    private static readonly string[] KeyColumns =
    [
        nameof(InsuredQualification.InsurerNumber), nameof(InsuredQualification.Number), nameof(InsuredQualification.Symbol),
        nameof(InsuredQualification.Branch), nameof(InsuredQualification.QualificationDate),
    ];

    private static readonly string ColumnList = string.Join(", ", Columns.Select(c => Quote(c.Column)));

    public async Task RunAsync(BackgroundJobRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var id = run.PayloadId;
        var import = await db.MemberImports.AsNoTracking().Where(i => i.Id == id)
            .Select(i => new { i.Status, i.Encoding, i.OperatorUserId }).FirstOrDefaultAsync(cancellationToken);
        if (import is null || !MemberImportLabels.InProgress(import.Status))
        {
            return;
        }

        var content = await db.MemberImportFiles.AsNoTracking().Where(f => f.ImportId == id).Select(f => f.Content).FirstOrDefaultAsync(cancellationToken);
        if (content is null)
        {
            throw new InvalidOperationException("The import's file is missing.");
        }

        await db.MemberImports.Where(i => i.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(i => i.Status, MemberImportStatus.Validating)
            .SetProperty(i => i.ValidatedRows, 0), cancellationToken);

        var insurers = await db.Insurers.AsNoTracking().ToDictionaryAsync(i => i.Number, i => i.Name, StringComparer.Ordinal, cancellationToken);
        var today = Jst.Today(time);
        var opts = options.Value;
        var reported = new List<MemberRowError>();
        var errorCount = 0;
        var errorRows = 0;
        var rows = 0;
        var rowErrors = new List<MemberRowError>();
        MemberFileCheck check;
        using (var reader = MemberFileEncoding.Open(content, import.Encoding))
        {
            var csv = new CsvRecordReader(reader);
            var header = MemberHeader.Parse(csv.Read(), out _) ?? throw new InvalidOperationException("The header was checked at upload.");
            check = new MemberFileCheck(header, today, insurers);
            while (csv.Read() is { } record)
            {
                if (record.IsBlank)
                {
                    continue;
                }

                rows++;
                rowErrors.Clear();
                if (check.Check(record, rowErrors) is null)
                {
                    errorRows++;
                    errorCount += rowErrors.Count;
                    reported.AddRange(rowErrors.Take(opts.MaxReportedErrors - reported.Count));
                }

                if (rows % opts.ProgressEvery == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var done = rows;
                    await db.MemberImports.Where(i => i.Id == id).ExecuteUpdateAsync(s => s.SetProperty(i => i.ValidatedRows, done), cancellationToken);
                }
            }
        }

        var actor = OperatorAudit.Actor(import.OperatorUserId);
        var target = MemberImportAuditActions.Target(id);
        if (errorCount > 0)
        {
            var report = MemberImportReport.Build(reported, errorCount);
            audit.Record(new AuditRecord(MemberImportAuditActions.Refuse, AuditOutcomes.Failure)
            {
                Actor = actor,
                Target = target,
                Detail = Invariant($"rows={rows},errors={errorCount}"),
            });
            await audit.CommitAsync(async ct =>
            {
                var now = time.GetUtcNow().UtcDateTime;
                await db.MemberImports.Where(i => i.Id == id).ExecuteUpdateAsync(s => s
                    .SetProperty(i => i.Status, MemberImportStatus.Refused)
                    .SetProperty(i => i.TotalRows, rows)
                    .SetProperty(i => i.ValidatedRows, rows)
                    .SetProperty(i => i.ErrorRows, errorRows)
                    .SetProperty(i => i.ErrorCount, errorCount)
                    .SetProperty(i => i.ErrorReport, report)
                    .SetProperty(i => i.FinishedAt, now), ct);
                await db.MemberImportFiles.Where(f => f.ImportId == id).ExecuteDeleteAsync(ct);
                return await run.CompleteAsync(db, now, ct);
            }, cancellationToken);
            return;
        }

        await db.MemberImports.Where(i => i.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(i => i.Status, MemberImportStatus.Applying)
            .SetProperty(i => i.TotalRows, rows)
            .SetProperty(i => i.ValidatedRows, rows), cancellationToken);

        await audit.CommitAsync(async ct =>
        {
            var (inserted, updated) = await ApplyAsync(content, import.Encoding, today, insurers, ct);
            var added = check.NewInsurers.Count;
            foreach (var (number, name) in check.NewInsurers)
            {
                _ = Qualifications.InsurerNumber.TryParse(number, out _, out var scheme, out _); // valid: the row was checked
                db.Insurers.Add(new Insurer { Number = number, Name = name, Scheme = scheme });
            }

            if (opts.ApplyPauseForTests > TimeSpan.Zero)
            {
                await Task.Delay(opts.ApplyPauseForTests, ct);
            }

            var now = time.GetUtcNow().UtcDateTime;
            await db.MemberImports.Where(i => i.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(i => i.Status, MemberImportStatus.Completed)
                .SetProperty(i => i.InsertedRows, inserted)
                .SetProperty(i => i.UpdatedRows, updated)
                .SetProperty(i => i.InsurersAdded, added)
                .SetProperty(i => i.FinishedAt, now), ct);
            await db.MemberImportFiles.Where(f => f.ImportId == id).ExecuteDeleteAsync(ct);
            audit.Record(new AuditRecord(MemberImportAuditActions.Complete, AuditOutcomes.Success)
            {
                Actor = actor,
                Target = target,
                Detail = Invariant($"rows={rows},inserted={inserted},updated={updated}"),
            });
            return await run.CompleteAsync(db, now, ct);
        }, cancellationToken);
    }

    /// <summary>The job was given up: the import is marked エラー (nothing of it was applied) and the refusal audited.</summary>
    public async Task GiveUpAsync(long payloadId, CancellationToken cancellationToken)
    {
        var user = await db.MemberImports.AsNoTracking().Where(i => i.Id == payloadId).Select(i => i.OperatorUserId).FirstOrDefaultAsync(cancellationToken);
        if (user is null)
        {
            return;
        }

        audit.Record(new AuditRecord(MemberImportAuditActions.Refuse, AuditOutcomes.Failure)
        {
            Actor = OperatorAudit.Actor(user),
            Target = MemberImportAuditActions.Target(payloadId),
            Detail = MemberImportAuditActions.FailedDetail,
        });
        await audit.CommitAsync(async ct =>
        {
            var now = time.GetUtcNow().UtcDateTime;
            await db.MemberImports.Where(i => i.Id == payloadId).ExecuteUpdateAsync(s => s
                .SetProperty(i => i.Status, MemberImportStatus.Failed)
                .SetProperty(i => i.FinishedAt, now), ct);
            await db.MemberImportFiles.Where(f => f.ImportId == payloadId).ExecuteDeleteAsync(ct);
            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// Inside the open transaction: stages every row, matches each to the existing qualification with its key (one index seek
    /// per row: the lookup index begins with 保険者番号, 番号, 記号), replaces the matched ones and adds the others.
    /// </summary>
    private async Task<(int Inserted, int Updated)> ApplyAsync(byte[] content, MemberImportEncoding encoding, DateOnly today,
        IReadOnlyDictionary<string, string> insurers, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction() ?? throw new InvalidOperationException("No transaction.");
        var postgres = db.Database.IsPostgres();
        var table = Quote(nameof(OnshiDbContext.InsuredQualifications));
        var stage = postgres ? "pg_temp." + Quote(Stage) : "temp." + Quote(Stage);

        async Task<int> Execute(string sql)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandTimeout = ApplyCommandTimeoutSeconds;
            command.CommandText = sql;
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await Execute($"DROP TABLE IF EXISTS {stage}");
        await Execute(postgres
            ? $"CREATE TEMP TABLE {Quote(Stage)} ON COMMIT DROP AS SELECT \"Id\" AS \"ExistingId\", {ColumnList} FROM {table} WITH NO DATA"
            : $"CREATE TEMP TABLE {Quote(Stage)} AS SELECT \"Id\" AS \"ExistingId\", {ColumnList} FROM {table} WHERE 0");

        // The rows again (all valid: the validation just passed over the same bytes), in batches of multi-row INSERTs.
        var batchSize = postgres ? PostgresStageBatch : SqliteStageBatch;
        var batch = new List<InsuredQualification>(batchSize);
        DbCommand? full = null;
        try
        {
            using var reader = MemberFileEncoding.Open(content, encoding);
            var csv = new CsvRecordReader(reader);
            var header = MemberHeader.Parse(csv.Read(), out _)!;
            var check = new MemberFileCheck(header, today, insurers);
            var errors = new List<MemberRowError>();
            while (csv.Read() is { } record)
            {
                if (record.IsBlank)
                {
                    continue;
                }

                batch.Add(check.Check(record, errors) ?? throw new InvalidOperationException("A row validated a moment ago is now wrong."));
                if (batch.Count == batchSize)
                {
                    full ??= StageInsert(connection, transaction, stage, batchSize);
                    await WriteAsync(full, batch, cancellationToken);
                    batch.Clear();
                }
            }

            if (batch.Count > 0)
            {
                await using var rest = StageInsert(connection, transaction, stage, batch.Count);
                await WriteAsync(rest, batch, cancellationToken);
            }
        }
        finally
        {
            if (full is not null)
            {
                await full.DisposeAsync();
            }
        }

        // Match: the first existing qualification with the key (a correlated seek per staged row).
        var key = string.Join(" AND ", KeyColumns.Select(c => $"q.{Quote(c)} = t.{Quote(c)}"));
        // MIN, not ORDER BY "Id" LIMIT 1: that invites a walk of the primary key instead of a seek on the lookup index.
        await Execute($"UPDATE {stage} AS t SET \"ExistingId\" = (SELECT MIN(q.\"Id\") FROM {table} q WHERE {key})");
        var index = Quote(Stage + "_ExistingId");
        await Execute(postgres
            ? $"CREATE INDEX {index} ON {stage} (\"ExistingId\")"
            : $"CREATE INDEX temp.{index} ON {Quote(Stage)} (\"ExistingId\")");
        if (postgres)
        {
            await Execute($"ANALYZE {stage}");
        }

        var updated = await Execute(
            $"UPDATE {table} SET ({ColumnList}) = (SELECT {ColumnList} FROM {stage} s WHERE s.\"ExistingId\" = {table}.\"Id\") " +
            $"WHERE \"Id\" IN (SELECT \"ExistingId\" FROM {stage} WHERE \"ExistingId\" IS NOT NULL)");
        var inserted = await Execute($"INSERT INTO {table} ({ColumnList}) SELECT {ColumnList} FROM {stage} WHERE \"ExistingId\" IS NULL");
        await Execute($"DROP TABLE {stage}");
        return (inserted, updated);
    }

    private static DbCommand StageInsert(DbConnection connection, DbTransaction transaction, string stage, int rows)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandTimeout = ApplyCommandTimeoutSeconds;
        var values = new List<string>(rows);
        for (var r = 0; r < rows; r++)
        {
            var names = new string[Columns.Length];
            for (var c = 0; c < Columns.Length; c++)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = Invariant($"@p{r}_{c}");
                command.Parameters.Add(parameter);
                names[c] = parameter.ParameterName;
            }

            values.Add("(" + string.Join(", ", names) + ")");
        }

        command.CommandText = $"INSERT INTO {stage} ({ColumnList}) VALUES " + string.Join(", ", values);
        return command;
    }

    private static async Task WriteAsync(DbCommand command, List<InsuredQualification> rows, CancellationToken cancellationToken)
    {
        var i = 0;
        foreach (var row in rows)
        {
            foreach (var (_, read) in Columns)
            {
                command.Parameters[i++].Value = read(row) ?? DBNull.Value;
            }
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string Quote(string identifier) => "\"" + identifier + "\"";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
