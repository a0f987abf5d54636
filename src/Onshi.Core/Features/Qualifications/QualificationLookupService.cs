using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Accounts;
using Onshi.Core.Features.Audit;

namespace Onshi.Core.Features.Qualifications;

/// <summary>The input of a lookup as typed or sent (SPEC §11.2); empty strings mean "not given".</summary>
public sealed record LookupInput(string? InsurerNumber, string? Symbol, string? Number, string? Branch, string? Birthdate,
    string? ConfirmationDate, bool LimitConsent)
{
    /// <summary>The client's own identifier of the request (<c>ArbitraryIdentifier</c>), echoed in the answer; never looked at.</summary>
    public string? ArbitraryIdentifier { get; init; }

    /// <summary>The wire's <c>LimitApplicationCertificateRelatedConsFlg</c> as sent (the Web API, 一括照会): anything but 0, 1 or empty is refused.</summary>
    public string? WireConsentFlag { get; init; }

    /// <summary>A patient's keys as the wire (§11.3) carries them, with the message's 確認日.</summary>
    public static LookupInput FromWire(QualificationConfirmSearchInfo search, string? confirmationDate)
    {
        ArgumentNullException.ThrowIfNull(search);
        return new(search.InsurerNumber, search.InsuredCardSymbol, search.InsuredIdentificationNumber, search.InsuredBranchNumber, search.Birthdate,
            confirmationDate, search.LimitApplicationCertificateRelatedConsFlg == "1")
        {
            ArbitraryIdentifier = search.ArbitraryIdentifier,
            WireConsentFlag = search.LimitApplicationCertificateRelatedConsFlg,
        };
    }
}

/// <summary>What the insurer's data says for one key (<see cref="QualificationLookupService.EvaluateAsync"/>).</summary>
public sealed record LookupEvaluation(
    QualificationVerdict Verdict,
    InsuredQualification? Qualification,
    string? InsurerName,
    DerivedRatio? Derived,
    IReadOnlyList<LimitCertificate> Limits,
    IReadOnlyList<SpecificDiseaseCertificate> Diseases);

/// <summary>The input after validation: canonical and typed.</summary>
public sealed record LookupKey(string InsurerNumber, string Symbol, string Number, string? Branch, DateOnly Birthdate,
    DateOnly ConfirmationDate, bool LimitConsent);

/// <summary>What a lookup answered, for the screen (words) and the wire (<see cref="Body"/>).</summary>
public sealed record LookupOutcome(
    QualificationResult Result,
    string ReferenceNumber,
    LookupKey Key,
    QualificationVerdict Verdict,
    InsuredQualification? Qualification,
    string? InsurerName,
    DerivedRatio? Derived,
    IReadOnlyList<LimitCertificate> Limits,
    IReadOnlyList<SpecificDiseaseCertificate> Diseases,
    ResultBody Body)
{
    /// <summary>True where the insurer's 一部負担金割合 and the one the age and 高齢受給者証 give disagree.</summary>
    public bool RatioDisagrees => Qualification is not null && Derived is not null && !Derived.Agrees(Qualification.ContributionPercent);

    /// <summary>The 枝番 the lookup found when none was given.</summary>
    public string? FoundBranch => Key.Branch is null ? Qualification?.Branch : null;

    /// <summary>The kept 資格確認結果 as <see cref="QualificationResultQuery.GetAsync"/> shows it, without reading it back.</summary>
    public QualificationResultView View(ActorContext actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        return new(Result, actor.Principal.UserId, actor.Principal.DisplayName, actor.Principal.InstitutionCode, Body);
    }
}

/// <summary>
/// 資格情報照会 (SPEC §11.2): validates the input, answers from the simulated 中間サーバー by one index seek, keeps the answer
/// as a 資格確認結果 of the institution and writes one audit row — all in one commit. The audit row names the actor, the
/// terminal, the 資格有効性 and the result's 照会番号, never the patient's numbers.
/// </summary>
public sealed class QualificationLookupService(OnshiDbContext db, AuditLog audit, TimeProvider time)
{
    /// <summary>More matches than this for one key is not a lookup but a scan; the answer is 複数該当 either way.</summary>
    private const int MaxMatches = 20;

    // The lookup's reads run for every patient of every institution: compiled once per model (CompiledQuery) rather than
    // translated and looked up in EF Core's query cache each time (the expression's funcletizing alone was ~6 % of a lookup's CPU).
    private static readonly CompiledQuery<Func<OnshiDbContext, string, string, string, DateOnly, IAsyncEnumerable<InsuredQualification>>> ByKey = new(() =>
        EF.CompileAsyncQuery((OnshiDbContext db, string insurer, string number, string symbol, DateOnly birth) => db.InsuredQualifications.AsNoTracking()
            .Where(q => q.InsurerNumber == insurer && q.Number == number && q.Symbol == symbol && q.Birthdate == birth)
            .OrderBy(q => q.Id).Take(MaxMatches)));

    private static readonly CompiledQuery<Func<OnshiDbContext, string, string, string, DateOnly, string, IAsyncEnumerable<InsuredQualification>>> ByKeyAndBranch = new(() =>
        EF.CompileAsyncQuery((OnshiDbContext db, string insurer, string number, string symbol, DateOnly birth, string branch) => db.InsuredQualifications.AsNoTracking()
            .Where(q => q.InsurerNumber == insurer && q.Number == number && q.Symbol == symbol && q.Birthdate == birth && q.Branch == branch)
            .OrderBy(q => q.Id).Take(MaxMatches)));

    private static readonly CompiledQuery<Func<OnshiDbContext, string, CancellationToken, Task<string?>>> InsurerName = new(() =>
        EF.CompileAsyncQuery((OnshiDbContext db, string number, CancellationToken ct) =>
            db.Insurers.Where(i => i.Number == number).Select(i => i.Name).FirstOrDefault()));

    public static OpResult<LookupKey> Validate(LookupInput input, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = new List<OnshiError>();
        if (!InsurerNumber.TryParse(Normalize(input.InsurerNumber), out var insurer, out _, out var insurerError))
        {
            errors.Add(insurerError!);
        }

        var symbol = Normalize(input.Symbol);
        if (symbol.Any(TextInput.IsForbidden))
        {
            errors.Add(QualificationErrors.SymbolForbidden);
        }
        else if (symbol.Length > QualificationErrors.MaxSymbolLength)
        {
            errors.Add(QualificationErrors.SymbolTooLong);
        }

        var number = Normalize(input.Number);
        if (number.Length == 0)
        {
            errors.Add(QualificationErrors.NumberRequired);
        }
        else if (number.Length > QualificationErrors.MaxNumberLength || !number.All(char.IsAsciiLetterOrDigit))
        {
            errors.Add(QualificationErrors.NumberFormat);
        }

        var branchText = Normalize(input.Branch);
        string? branch = null;
        if (branchText.Length > 0)
        {
            if (branchText.Length > 2 || !branchText.All(char.IsAsciiDigit))
            {
                errors.Add(QualificationErrors.BranchFormat);
            }
            else
            {
                branch = branchText.PadLeft(2, '0');
            }
        }

        if (ValidateConfirmationDate(input.ConfirmationDate, today, out var date) is { } dateError)
        {
            errors.Add(dateError);
        }

        DateOnly birth = default;
        if (string.IsNullOrWhiteSpace(input.Birthdate))
        {
            errors.Add(QualificationErrors.BirthdateRequired);
        }
        else if (!DateInput.TryParse(Normalize(input.Birthdate), out birth))
        {
            errors.Add(QualificationErrors.BirthdateFormat);
        }
        else if (birth.Year < 1900 || birth > date)
        {
            errors.Add(QualificationErrors.BirthdateRange);
        }

        if (input.WireConsentFlag is not (null or "" or "0" or "1"))
        {
            errors.Add(QualificationErrors.ConsentFlag);
        }

        if (!QualificationErrors.IsAcceptableIdentifier(input.ArbitraryIdentifier))
        {
            errors.Add(QualificationErrors.ArbitraryIdentifier);
        }

        return errors.Count > 0
            ? OpResult<LookupKey>.Fail(errors)
            : OpResult<LookupKey>.Success(new LookupKey(insurer!, symbol, number, branch, birth, date, input.LimitConsent));
    }

    /// <summary>
    /// 確認日 as typed or sent (empty: <paramref name="today"/>, JST): its error, or null with the date. One rule for a lookup and
    /// a 一括照会's header.
    /// </summary>
    public static OnshiError? ValidateConfirmationDate(string? text, DateOnly today, out DateOnly date)
    {
        date = today;
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (!DateInput.TryParse(Normalize(text), out date))
        {
            date = today;
            return QualificationErrors.DateFormat;
        }

        return date > today ? QualificationErrors.DateFuture : date.Year < 2000 ? QualificationErrors.DateTooOld : null;
    }

    public async Task<OpResult<LookupOutcome>> LookupAsync(ActorContext actor, LookupInput input, LookupChannel channel,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(input);
        if (!PermissionMatrix.MayLookUp(actor.Principal.Kind, channel))
        {
            audit.Record(actor.Audit(AuditActions.AccessDenied, AuditOutcomes.Denied, AuditDetails.QualificationTarget, AuditDetails.NotPermitted));
            await audit.CommitAsync(cancellationToken);
            return OpResult<LookupOutcome>.Fail(QualificationErrors.NotPermitted);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var validated = Validate(input, Jst.Today(time));
        if (!validated.Succeeded)
        {
            return OpResult<LookupOutcome>.Fail(validated.Errors);
        }

        var key = validated.Value!;
        var evaluation = await EvaluateAsync(key, null, cancellationToken);
        var executedAt = AuditLog.StoredTime(now);
        for (var attempt = 0; ; attempt++)
        {
            var (result, body) = NewResult(actor, key, evaluation, channel, executedAt, input.ArbitraryIdentifier);
            var reference = result.ReferenceNumber;
            var verdict = evaluation.Verdict;
            db.QualificationResults.Add(result);
            audit.Record(actor.Audit(AuditActions.QualificationLookup, AuditOutcomes.Success, reference,
                AuditDetails.ValidityPrefix + ((int)verdict.Validity).ToString(CultureInfo.InvariantCulture)));
            try
            {
                await audit.CommitAsync(cancellationToken);
            }
            catch (DbUpdateException) when (attempt < 2)
            {
                // A 照会番号 drawn twice (one in 10^16): draw again.
                db.ChangeTracker.Clear();
                continue;
            }

            return OpResult<LookupOutcome>.Success(new LookupOutcome(result, reference, key, verdict, evaluation.Qualification,
                evaluation.InsurerName, evaluation.Derived, evaluation.Limits, evaluation.Diseases, body));
        }
    }

    /// <summary>
    /// What the insurer's data says for <paramref name="key"/>: the reads of a lookup (one index seek; the person's history only
    /// to tell 無効 from 無効（新しい資格あり）; 保険者名; the certificates with consent), nothing written.
    /// <paramref name="insurerNames"/>, when given, keeps the names read (a 一括照会 asks for few insurers many times).
    /// </summary>
    public async Task<LookupEvaluation> EvaluateAsync(LookupKey key, Dictionary<string, string?>? insurerNames, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var matches = new List<InsuredQualification>();
        var rows = key.Branch is { } branch
            ? ByKeyAndBranch.For(db)(db, key.InsurerNumber, key.Number, key.Symbol, key.Birthdate, branch)
            : ByKey.For(db)(db, key.InsurerNumber, key.Number, key.Symbol, key.Birthdate);
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            matches.Add(row);
        }

        var persons = matches.Select(m => m.PersonId).Distinct().ToList();
        List<QualificationSpan> spans = [.. matches.Select(m => m.Span)];
        var verdict = QualificationRules.Evaluate(spans, [], key.ConfirmationDate);
        if (verdict.Validity == QualificationValidity.Invalid && persons.Count == 1)
        {
            // The person's other qualifications only matter to tell 無効 from 無効（新しい資格あり）: a second seek, only then.
            var history = await db.InsuredQualifications.AsNoTracking().Where(q => q.PersonId == persons[0])
                .Select(q => new QualificationSpan(q.Id, q.PersonId, q.QualificationDate, q.DisqualificationDate, q.ReasonOfLoss))
                .ToListAsync(cancellationToken);
            verdict = QualificationRules.Evaluate(spans, history, key.ConfirmationDate);
        }

        var chosen = verdict.Chosen is { } c ? matches.First(m => m.Id == c.Id) : null;
        if (chosen is null)
        {
            return new LookupEvaluation(verdict, null, null, null, [], []);
        }

        string? insurerName;
        if (insurerNames is null || !insurerNames.TryGetValue(chosen.InsurerNumber, out insurerName))
        {
            insurerName = await InsurerName.For(db)(db, chosen.InsurerNumber, cancellationToken);
            insurerNames?.Add(chosen.InsurerNumber, insurerName);
        }

        var d = key.ConfirmationDate;
        var elderly = chosen.ElderlyContributionPercent is { } percent && chosen.ElderlyValidStartDate <= d
            && (chosen.ElderlyValidEndDate is null || d <= chosen.ElderlyValidEndDate) ? percent : (int?)null;
        var derived = ContributionRatioRules.Derive(chosen.Birthdate, d, elderly);
        List<LimitCertificate> limits = [];
        List<SpecificDiseaseCertificate> diseases = [];
        if (key.LimitConsent)
        {
            limits = await db.LimitCertificates.AsNoTracking()
                .Where(l => l.QualificationId == chosen.Id && l.ValidStartDate <= d && (l.ValidEndDate == null || l.ValidEndDate >= d))
                .OrderByDescending(l => l.ValidStartDate).Take(1).ToListAsync(cancellationToken);
            diseases = await db.SpecificDiseaseCertificates.AsNoTracking()
                .Where(s => s.QualificationId == chosen.Id && s.ValidStartDate <= d && (s.ValidEndDate == null || s.ValidEndDate >= d))
                .OrderBy(s => s.Category).ToListAsync(cancellationToken);
        }

        return new LookupEvaluation(verdict, chosen, insurerName, derived, limits, diseases);
    }

    /// <summary>
    /// The 資格確認結果 row of an evaluated lookup (not added to the context) with its answer: a fresh 照会番号, the input echoed
    /// (with the client's <paramref name="arbitraryIdentifier"/>), the answer kept as the wire's JSON.
    /// </summary>
    public static (QualificationResult Row, ResultBody Body) NewResult(ActorContext actor, LookupKey key, LookupEvaluation evaluation,
        LookupChannel channel, DateTime executedAt, string? arbitraryIdentifier)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(evaluation);
        var search = new QualificationConfirmSearchInfo
        {
            InsurerNumber = key.InsurerNumber,
            InsuredCardSymbol = key.Symbol.Length > 0 ? key.Symbol : null,
            InsuredIdentificationNumber = key.Number,
            InsuredBranchNumber = key.Branch,
            Birthdate = QualificationAnswer.Wire(key.Birthdate),
            LimitApplicationCertificateRelatedConsFlg = key.LimitConsent ? "1" : "0",
            ArbitraryIdentifier = string.IsNullOrEmpty(arbitraryIdentifier) ? null : arbitraryIdentifier,
        };
        var consentAt = key.LimitConsent ? WireTime(executedAt) : null;
        var reference = NewReferenceNumber();
        var verdict = evaluation.Verdict;
        var chosen = evaluation.Qualification;
        var body = QualificationAnswer.Body(search, verdict, chosen, evaluation.InsurerName, key.ConfirmationDate, evaluation.Limits,
            evaluation.Diseases, consentAt, reference);
        var result = new QualificationResult
        {
            InstitutionId = actor.Principal.InstitutionId,
            Environment = actor.Principal.Environment,
            AccountId = actor.Principal.AccountId,
            TerminalSerial = actor.CertificateSerial.Length > 0 ? actor.CertificateSerial : null,
            Channel = channel,
            ExecutedAt = executedAt,
            ConfirmationDate = key.ConfirmationDate,
            InsurerNumber = key.InsurerNumber,
            Symbol = key.Symbol,
            Number = key.Number,
            Branch = key.Branch,
            Birthdate = key.Birthdate,
            LimitConsent = key.LimitConsent,
            Validity = verdict.Validity,
            QualificationId = chosen?.Id,
            ReferenceNumber = reference,
            Explanation = verdict.Explanation,
            AnswerJson = JsonSerializer.Serialize(body, WireJson.Options),
        };
        return (result, body);
    }

    /// <summary><c>yyyyMMddHHmmss</c> in JST, the wire's time format.</summary>
    public static string WireTime(DateTime utc) => Jst.FromUtc(utc).ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);

    /// <summary>A 照会番号: 16 random digits.</summary>
    public static string NewReferenceNumber()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        var value = BitConverter.ToUInt64(bytes) % 10_000_000_000_000_000UL;
        return value.ToString("D16", CultureInfo.InvariantCulture);
    }

    /// <summary>What an IME types into a code or number field, as the cards carry it (<see cref="TextInput.NormalizeCode"/>), trimmed.</summary>
    private static string Normalize(string? s) => (TextInput.NormalizeCode(s) ?? "").Trim();
}
