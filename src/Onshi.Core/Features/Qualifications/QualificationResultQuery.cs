using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Accounts;
using Onshi.Core.Features.Audit;

namespace Onshi.Core.Features.Qualifications;

/// <summary>The 資格確認結果一覧 filter as typed (query string); empty means any.</summary>
public sealed record ResultFilterInput(string? From, string? To, string? Account, string? Terminal, string? Validity);

/// <summary>The filter after validation: JST days, the account's user ID, a terminal serial, a 資格有効性.</summary>
public sealed record ResultFilter(DateOnly? From, DateOnly? To, string Account, string Terminal, QualificationValidity? Validity);

/// <summary>One kept lookup with the answer as it was given.</summary>
public sealed record QualificationResultView(QualificationResult Row, string AccountUserId, string AccountName, string InstitutionCode,
    ResultBody Body)
{
    public ResultOfQualificationConfirmation? Result => Body.ResultList?.FirstOrDefault()?.ResultOfQualificationConfirmation;

    /// <summary>The whole message as the terminal's file exchange carries it (<c>OQSsiquc01res</c>).</summary>
    public QualificationResultMessage Message() => new()
    {
        MessageHeader = new ResultHeader
        {
            ProcessExecutionTime = QualificationLookupService.WireTime(Row.ExecutedAt),
            QualificationConfirmationDate = QualificationAnswer.Wire(Row.ConfirmationDate),
            MedicalInstitutionCode = InstitutionCode,
            ReferenceClassification = "2",
            SegmentOfResult = "1",
            CharacterCodeIdentifier = "0",
        },
        MessageBody = Body,
    };
}

/// <summary>
/// The kept 資格確認結果 of one institution (SPEC §11.2): one result by its 照会番号 (for whoever may look up or list), the
/// 資格確認結果一覧 with its filters (マスタ and 管理者: <see cref="OqsCapability.QualificationResults"/>), and its exports —
/// <c>OQSsiquc01res</c> XML (one file per result, zipped) and a CSV for Excel — audited. Never another institution's, nor
/// another environment's.
/// </summary>
public sealed class QualificationResultQuery(OnshiDbContext db, AuditLog audit, TimeProvider time)
{
    public const int PageSize = 50;

    /// <summary>At most this many results are exported at once; the screen says so.</summary>
    public const int MaxExport = 10_000;

    public static readonly OnshiError NotFound = new("qualification.result_not_found", "指定の資格確認結果は見つかりません。");

    public static IReadOnlyList<string> CsvHeaders { get; } =
    [
        "照会日時（JST）", "照会番号", "確認日", "操作者", "端末証明書", "資格有効性", "保険者番号", "記号", "番号", "枝番", "生年月日", "氏名", "カナ氏名",
        "本人・家族", "保険者名", "資格取得年月日", "資格喪失年月日", "喪失事由", "一部負担金割合", "高齢受給者証負担割合",
    ];

    public static OpResult<ResultFilter> Parse(ResultFilterInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = new List<OnshiError>();
        DateOnly? Day(string? text, string field)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                return null;
            }

            if (DateInput.TryParse(text.Normalize(NormalizationForm.FormKC), out var d) && d.Year is >= 2000 and <= 2099)
            {
                return d;
            }

            errors.Add(new OnshiError("qualification.filter_date", "日付は「2026-12-06」の形で、2000年から2099年の範囲で入力してください。", field));
            return null;
        }

        var from = Day(input.From, "From");
        var to = Day(input.To, "To");
        if (from > to)
        {
            errors.Add(new OnshiError("qualification.filter_range", "期間の開始日は終了日以前の日付にしてください。", "From"));
        }

        var account = (input.Account ?? "").Normalize(NormalizationForm.FormKC).Trim();
        var terminal = (input.Terminal ?? "").Normalize(NormalizationForm.FormKC).Trim();
        if (account.Any(TextInput.IsForbidden) || account.Length > 16)
        {
            errors.Add(new OnshiError("qualification.filter_account", "アカウントはユーザID（16文字以内）で入力してください。", "Account"));
        }

        if (terminal.Any(TextInput.IsForbidden) || terminal.Length > 64)
        {
            errors.Add(new OnshiError("qualification.filter_terminal", "端末は一覧から選択してください。", "Terminal"));
        }

        QualificationValidity? validity = null;
        if (!string.IsNullOrEmpty(input.Validity))
        {
            if (int.TryParse(input.Validity, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && Enum.IsDefined((QualificationValidity)v))
            {
                validity = (QualificationValidity)v;
            }
            else
            {
                errors.Add(new OnshiError("qualification.filter_validity", "資格有効性は一覧から選択してください。", "Validity"));
            }
        }

        return errors.Count > 0 ? OpResult<ResultFilter>.Fail(errors) : OpResult<ResultFilter>.Success(new ResultFilter(from, to, account, terminal, validity));
    }

    /// <summary>
    /// One result by its 照会番号: for an account that may look up (its own answer) or list results, of its institution and
    /// environment only; anything else is "not found" (and audited as a denial when it exists elsewhere or the kind may not).
    /// </summary>
    public async Task<OpResult<QualificationResultView>> GetAsync(ActorContext actor, string? reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var p = actor.Principal;
        var kind = p.Kind;
        var mayList = PermissionMatrix.Allows(kind, OqsCapability.QualificationResults);
        if (!mayList && !PermissionMatrix.Allows(kind, OqsCapability.QualificationLookup))
        {
            return await DenyAsync(actor, AuditDetails.NotPermitted, cancellationToken);
        }

        var r = (reference ?? "").Trim();
        if (r.Length != 16 || !r.All(char.IsAsciiDigit))
        {
            return OpResult<QualificationResultView>.Fail(NotFound);
        }

        var row = await db.QualificationResults.AsNoTracking().SingleOrDefaultAsync(x => x.ReferenceNumber == r, cancellationToken);
        if (row is null)
        {
            return OpResult<QualificationResultView>.Fail(NotFound);
        }

        if (row.InstitutionId != p.InstitutionId || row.Environment != p.Environment || (!mayList && row.AccountId != p.AccountId))
        {
            return await DenyAsync(actor, AuditDetails.OtherResult, cancellationToken);
        }

        return OpResult<QualificationResultView>.Success(await ViewAsync(row, cancellationToken));
    }

    public async Task<OpResult<Paged<QualificationResultRow>>> SearchAsync(ActorContext actor, ResultFilter filter, int page,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(filter);
        if (!PermissionMatrix.Allows(actor.Principal.Kind, OqsCapability.QualificationResults))
        {
            var denied = await DenyAsync(actor, AuditDetails.NotPermitted, cancellationToken);
            return OpResult<Paged<QualificationResultRow>>.Fail(denied.Errors);
        }

        var query = await FilteredAsync(actor, filter, cancellationToken);
        var paged = await query.OrderByDescending(x => x.ExecutedAt).ThenByDescending(x => x.Id)
            .Select(x => new QualificationResultRow(x.ReferenceNumber, x.ExecutedAt, x.ConfirmationDate, x.Validity, x.InsurerNumber, x.Number,
                x.AccountId, x.TerminalSerial, x.Channel))
            .ToPageAsync(page, PageSize, cancellationToken);
        return OpResult<Paged<QualificationResultRow>>.Success(paged);
    }

    /// <summary>The export of the filter (newest first, at most <see cref="MaxExport"/>), audited before it is read.</summary>
    public async Task<OpResult<ResultExport>> ExportAsync(ActorContext actor, ResultFilter filter, string format, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(filter);
        if (!PermissionMatrix.Allows(actor.Principal.Kind, OqsCapability.QualificationResults))
        {
            var denied = await DenyAsync(actor, AuditDetails.NotPermitted, cancellationToken);
            return OpResult<ResultExport>.Fail(denied.Errors);
        }

        var query = await FilteredAsync(actor, filter, cancellationToken);
        var rows = await query.OrderByDescending(x => x.ExecutedAt).ThenByDescending(x => x.Id).Take(MaxExport).ToListAsync(cancellationToken);
        audit.Record(actor.Audit(AuditActions.QualificationExport, AuditOutcomes.Success, format == "xml" ? AuditDetails.XmlTarget : AuditDetails.CsvTarget,
            "rows=" + rows.Count.ToString(CultureInfo.InvariantCulture)));
        await audit.CommitAsync(cancellationToken);
        var views = new List<QualificationResultView>(rows.Count);
        var names = await AccountNamesAsync(rows.Select(x => x.AccountId), cancellationToken);
        foreach (var row in rows)
        {
            views.Add(View(row, names, actor.Principal.InstitutionCode));
        }

        var stamp = Jst.Today(time).ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var code = actor.Principal.InstitutionCode;
        return format == "xml"
            ? OpResult<ResultExport>.Success(new ResultExport($"資格確認結果_{code}_{stamp}.zip", $"qualification_{code}_{stamp}.zip", "application/zip", Zip(views)))
            : OpResult<ResultExport>.Success(new ResultExport($"資格確認結果_{code}_{stamp}.csv", $"qualification_{code}_{stamp}.csv", "text/csv; charset=utf-8", Csv(views)));
    }

    /// <summary>The accounts and terminals of the institution that have results, for the filter's lists.</summary>
    public async Task<(IReadOnlyList<(long Id, string UserId)> Accounts, IReadOnlyList<(string Serial, string Name)> Terminals)> ChoicesAsync(ActorContext actor,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var p = actor.Principal;
        var accounts = await db.Accounts.AsNoTracking().Where(a => a.InstitutionId == p.InstitutionId && a.Environment == p.Environment)
            .OrderBy(a => a.NormalizedUserId).Select(a => new { a.Id, a.UserId }).ToListAsync(cancellationToken);
        var terminals = await db.TerminalCertificates.AsNoTracking().Where(t => t.InstitutionId == p.InstitutionId)
            .OrderBy(t => t.TerminalName).Select(t => new { t.SerialNumber, t.TerminalName }).ToListAsync(cancellationToken);
        return ([.. accounts.Select(a => (a.Id, a.UserId))], [.. terminals.Select(t => (t.SerialNumber, t.TerminalName))]);
    }

    public static byte[] Zip(IReadOnlyList<QualificationResultView> views)
    {
        ArgumentNullException.ThrowIfNull(views);
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var v in views)
            {
                var entry = zip.CreateEntry($"OQSsiquc01res_{v.Row.Id.ToString("D12", CultureInfo.InvariantCulture)}.xml", CompressionLevel.Optimal);
                entry.LastWriteTime = new DateTimeOffset(Jst.FromUtc(v.Row.ExecutedAt), Jst.Offset);
                using var stream = entry.Open();
                using var writer = new StreamWriter(stream, new UTF8Encoding(false));
                WireXml.Serialize(v.Message()).Save(writer);
            }
        }

        return buffer.ToArray();
    }

    public static byte[] Csv(IReadOnlyList<QualificationResultView> views)
    {
        ArgumentNullException.ThrowIfNull(views);
        return CsvDocument(CsvHeaders, views.Select(v =>
        {
            var r = v.Result;
            return (IReadOnlyList<string>)
            [
                Jst.Seconds(v.Row.ExecutedAt), v.Row.ReferenceNumber, Jst.Date(v.Row.ConfirmationDate), v.AccountUserId, v.Row.TerminalSerial ?? "",
                QualificationCodes.Label(v.Row.Validity), v.Row.InsurerNumber, v.Row.Symbol, v.Row.Number, r?.InsuredBranchNumber ?? v.Row.Branch ?? "",
                Jst.Date(v.Row.Birthdate), r?.Name ?? "", r?.NameKana ?? "", r?.PersonalFamilyClassification switch { "1" => "本人", "2" => "家族", _ => "" },
                r?.InsurerName ?? "", WireSlash(r?.QualificationDate), WireSlash(r?.DisqualificationDate),
                r?.ReasonOfLoss is { } reason ? QualificationCodes.Label((ReasonOfLoss)int.Parse(reason, CultureInfo.InvariantCulture)) : "",
                RatioWords(r?.InsuredPartialContributionRatio), RatioWords(r?.ElderlyRecipientCertificateInfo?.ElderlyRecipientContributionRatio),
            ];
        }));
    }

    /// <summary>
    /// A CSV for people (the 資格確認結果 export, the 一括照会 result): UTF-8 with a BOM so that Excel opens it as UTF-8, CRLF, each
    /// cell formula-neutralized and quoted as needed (<see cref="AuditCsv.Line"/>).
    /// </summary>
    public static byte[] CsvDocument(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        var text = new StringBuilder();
        text.Append(AuditCsv.Line(headers));
        foreach (var row in rows)
        {
            text.Append(AuditCsv.Line(row));
        }

        return [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(text.ToString())];
    }

    /// <summary><c>030</c> → 「3割」.</summary>
    public static string RatioWords(string? wire) =>
        int.TryParse(wire, NumberStyles.None, CultureInfo.InvariantCulture, out var percent) ? QualificationCodes.RatioLabel(percent) : "";

    /// <summary><c>20261206</c> → <c>2026/12/06</c>.</summary>
    public static string WireSlash(string? wire) =>
        wire is { Length: 8 } && DateOnly.TryParseExact(wire, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? Jst.Date(d) : "";

    private async Task<IQueryable<QualificationResult>> FilteredAsync(ActorContext actor, ResultFilter filter, CancellationToken cancellationToken)
    {
        var p = actor.Principal;
        var query = db.QualificationResults.AsNoTracking().Where(x => x.InstitutionId == p.InstitutionId && x.Environment == p.Environment);
        if (filter.From is { } from)
        {
            var start = Jst.StartOfDayUtc(from);
            query = query.Where(x => x.ExecutedAt >= start);
        }

        if (filter.To is { } to)
        {
            var end = Jst.StartOfDayUtc(to.AddDays(1));
            query = query.Where(x => x.ExecutedAt < end);
        }

        if (filter.Account.Length > 0)
        {
            var normalized = filter.Account.ToUpperInvariant();
            var id = await db.Accounts.Where(a => a.InstitutionId == p.InstitutionId && a.Environment == p.Environment && a.NormalizedUserId == normalized)
                .Select(a => (long?)a.Id).FirstOrDefaultAsync(cancellationToken) ?? -1;
            query = query.Where(x => x.AccountId == id);
        }

        if (filter.Terminal.Length > 0)
        {
            query = query.Where(x => x.TerminalSerial == filter.Terminal);
        }

        if (filter.Validity is { } v)
        {
            query = query.Where(x => x.Validity == v);
        }

        return query;
    }

    private async Task<QualificationResultView> ViewAsync(QualificationResult row, CancellationToken cancellationToken)
    {
        var names = await AccountNamesAsync([row.AccountId], cancellationToken);
        var code = await db.Institutions.Where(i => i.Id == row.InstitutionId).Select(i => i.Code).SingleAsync(cancellationToken);
        return View(row, names, code);
    }

    private static QualificationResultView View(QualificationResult row, Dictionary<long, (string UserId, string Name)> names, string institutionCode)
    {
        var (userId, name) = names.GetValueOrDefault(row.AccountId, ("", ""));
        var body = JsonSerializer.Deserialize<ResultBody>(row.AnswerJson, WireJson.Options) ?? new ResultBody();
        return new QualificationResultView(row, userId, name, institutionCode, body);
    }

    private async Task<Dictionary<long, (string UserId, string Name)>> AccountNamesAsync(IEnumerable<long> ids, CancellationToken cancellationToken)
    {
        var distinct = ids.Distinct().ToList();
        var accounts = await db.Accounts.AsNoTracking().Where(a => distinct.Contains(a.Id)).Select(a => new { a.Id, a.UserId, a.DisplayName })
            .ToListAsync(cancellationToken);
        return accounts.ToDictionary(a => a.Id, a => (a.UserId, a.DisplayName));
    }

    private async Task<OpResult<QualificationResultView>> DenyAsync(ActorContext actor, string detail, CancellationToken cancellationToken)
    {
        audit.Record(actor.Audit(AuditActions.AccessDenied, AuditOutcomes.Denied, AuditDetails.QualificationTarget, detail));
        await audit.CommitAsync(cancellationToken);
        return OpResult<QualificationResultView>.Fail(detail == AuditDetails.NotPermitted ? AccountErrors.NotPermitted : NotFound);
    }
}

/// <summary>A line of the 資格確認結果一覧 (the patient's name is on the detail, not in the list).</summary>
public sealed record QualificationResultRow(string ReferenceNumber, DateTime ExecutedAt, DateOnly ConfirmationDate, QualificationValidity Validity,
    string InsurerNumber, string Number, long AccountId, string? TerminalSerial, LookupChannel Channel);

/// <summary>An export ready to send.</summary>
public sealed record ResultExport(string FileName, string AsciiFileName, string ContentType, byte[] Content);
