using Microsoft.EntityFrameworkCore;

using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Institutions;
using Onshi.Core.Features.Passwords;

namespace Onshi.Core.Features.Applications;

/// <summary>The 新規 form of 利用開始・変更申請. The 秘密の番号 is hashed at once and never stored in plain.</summary>
public sealed record NewApplicationInput
{
    public string? InstitutionCode { get; init; }

    public string? InstitutionName { get; init; }

    public string? Address { get; init; }

    public string? Phone { get; init; }

    /// <summary>本番環境 and/or 接続確認環境; at least one.</summary>
    public EnvironmentSet Environments { get; init; }

    public string? ContactName { get; init; }

    public string? ContactPhone { get; init; }

    public string? SecretNumber { get; init; }

    public string? SecretNumberConfirm { get; init; }

    /// <summary>Redacts the secret number.</summary>
    public override string ToString() => $"{nameof(NewApplicationInput)} {{ InstitutionCode = {InstitutionCode} }}";
}

/// <summary>The 変更 form: a new 医療機関等名 and/or a new 秘密の番号 (at least one).</summary>
public sealed record ChangeApplicationInput
{
    public string? NewInstitutionName { get; init; }

    public string? NewSecretNumber { get; init; }

    public string? NewSecretNumberConfirm { get; init; }

    /// <summary>Redacts the secret number.</summary>
    public override string ToString() => $"{nameof(ChangeApplicationInput)} {{ NewInstitutionName = {NewInstitutionName} }}";
}

/// <summary>A row of the portal user's own 利用開始・変更申請 (status 申請中 / 承認 / 差戻し with the reason).</summary>
public sealed record UsageApplicationRow(
    long Id,
    ApplicationKind Kind,
    string KindLabel,
    ReviewStatus Status,
    string StatusLabel,
    string InstitutionCode,
    string InstitutionName,
    string? NewInstitutionName,
    bool ChangesSecretNumber,
    EnvironmentSet Environments,
    string EnvironmentsLabel,
    long? InstitutionId,
    DateTime SubmittedAt,
    DateTime? DecidedAt,
    string? SendBackReason)
{
    /// <summary>The 受付番号 shown on 完了, in the lists and on the console.</summary>
    public string ReceiptNumber => ReceiptNumbers.Usage(Id, SubmittedAt);
}

/// <summary>An institution the portal user is the registered contact of, with the environments it has accounts in.</summary>
public sealed record PortalInstitution(long Id, string Code, string Name, string Address, string Phone, EnvironmentSet Environments);

/// <summary>利用開始・変更申請 on the portal (SPEC §6): submit 新規 or 変更, list one's own.</summary>
/// <remarks>
/// <see cref="UsageApplication.SecretNumberHash"/> holds the chosen 秘密の番号's hash only while the application waits;
/// the decision moves it to the reset accounts (承認) or drops it (差戻し) and leaves an empty string, which still says
/// that a 秘密の番号 was part of the application. A hash of a 4-digit number is cheap to reverse offline, so it is kept
/// in as few places as possible.
/// </remarks>
public sealed class UsageApplicationService(
    OnshiDbContext db,
    Argon2idPasswordHasher hasher,
    PortalScope scope,
    PortalSubmissions submissions,
    AuditLog audit,
    TimeProvider time)
{
    public const int NameMaxLength = 100;
    public const int AddressMaxLength = 200;
    public const int ContactNameMaxLength = 50;

    /// <summary>Submits a 新規 申請. On success the value is the new application's id.</summary>
    public Task<OpResult<long>> SubmitNewAsync(long portalUserId, NewApplicationInput input, CancellationToken cancellationToken = default) =>
        NewAsync(portalUserId, input, store: true, null, cancellationToken);

    /// <summary>
    /// <see cref="SubmitNewAsync(long, NewApplicationInput, CancellationToken)"/> of a portal 確認 draft: the draft's nonce is
    /// recorded in the same commit (<see cref="PortalSubmissions"/>), so the draft cannot be stored twice.
    /// </summary>
    public Task<OpResult<long>> SubmitNewAsync(long portalUserId, NewApplicationInput input, string submissionNonce, CancellationToken cancellationToken = default) =>
        NewAsync(portalUserId, input, store: true, submissionNonce, cancellationToken);

    /// <summary>Every check of <see cref="SubmitNewAsync(long, NewApplicationInput, CancellationToken)"/> and nothing stored (the portal's 入力 → 確認 step).</summary>
    public Task<OpResult<long>> CheckNewAsync(long portalUserId, NewApplicationInput input, CancellationToken cancellationToken = default) =>
        NewAsync(portalUserId, input, store: false, null, cancellationToken);

    /// <summary>Submits a 変更 申請 for an institution whose contact is <paramref name="portalUserId"/>. The value is the application's id.</summary>
    public Task<OpResult<long>> SubmitChangeAsync(long portalUserId, long institutionId, ChangeApplicationInput input, CancellationToken cancellationToken = default) =>
        ChangeAsync(portalUserId, institutionId, input, store: true, null, cancellationToken);

    /// <summary>
    /// <see cref="SubmitChangeAsync(long, long, ChangeApplicationInput, CancellationToken)"/> of a portal 確認 draft, recording
    /// its nonce in the same commit (<see cref="PortalSubmissions"/>).
    /// </summary>
    public Task<OpResult<long>> SubmitChangeAsync(long portalUserId, long institutionId, ChangeApplicationInput input, string submissionNonce,
        CancellationToken cancellationToken = default) =>
        ChangeAsync(portalUserId, institutionId, input, store: true, submissionNonce, cancellationToken);

    /// <summary>Every check of <see cref="SubmitChangeAsync(long, long, ChangeApplicationInput, CancellationToken)"/> and nothing stored (the portal's 入力 → 確認 step).</summary>
    public Task<OpResult<long>> CheckChangeAsync(long portalUserId, long institutionId, ChangeApplicationInput input, CancellationToken cancellationToken = default) =>
        ChangeAsync(portalUserId, institutionId, input, store: false, null, cancellationToken);

    private async Task<OpResult<long>> NewAsync(long portalUserId, NewApplicationInput input, bool store, string? submissionNonce, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!await scope.PortalUserExistsAsync(portalUserId, cancellationToken))
        {
            return OpResult<long>.Fail(ApplicationErrors.PortalUserNotFound);
        }

        var errors = new List<OnshiError>();
        string? code = null;
        if (!Institutions.InstitutionCode.TryParse(input.InstitutionCode, out code, out _, out var codeError))
        {
            errors.Add(codeError!);
        }

        var name = InputRules.Text(errors, input.InstitutionName, "InstitutionName", "医療機関等名", NameMaxLength);
        var address = InputRules.Text(errors, input.Address, "Address", "所在地", AddressMaxLength);
        var phone = InputRules.Phone(errors, input.Phone, "Phone", "電話番号");
        var environments = input.Environments & (EnvironmentSet.Production | EnvironmentSet.Verification);
        if (environments == EnvironmentSet.None || environments != input.Environments)
        {
            errors.Add(ApplicationErrors.EnvironmentsRequired);
        }

        var contactName = InputRules.Text(errors, input.ContactName, "ContactName", "担当者名", ContactNameMaxLength);
        var contactPhone = InputRules.Phone(errors, input.ContactPhone, "ContactPhone", "担当者電話番号");
        ValidateSecret(errors, input.SecretNumber, input.SecretNumberConfirm, "SecretNumber", "SecretNumberConfirm");
        if (errors.Count > 0)
        {
            return OpResult<long>.Fail(errors);
        }

        if (await db.Institutions.AnyAsync(i => i.Code == code && i.ContactPortalUserId != null, cancellationToken))
        {
            return OpResult<long>.Fail(ApplicationErrors.CodeAlreadyRegistered);
        }

        if (await db.UsageApplications.AnyAsync(a => a.InstitutionCode == code && a.Kind == ApplicationKind.New && a.Status == ReviewStatus.Pending, cancellationToken))
        {
            return OpResult<long>.Fail(ApplicationErrors.NewApplicationPending);
        }

        if (!store)
        {
            return OpResult<long>.Success(0);
        }

        var application = new UsageApplication
        {
            PortalUserId = portalUserId,
            Kind = ApplicationKind.New,
            InstitutionCode = code!,
            InstitutionName = name,
            Address = address,
            Phone = phone,
            Environments = environments,
            ContactName = contactName,
            ContactPhone = contactPhone,
            SecretNumberHash = hasher.Hash(input.SecretNumber!),
            SubmittedAt = time.GetUtcNow().UtcDateTime,
        };
        db.UsageApplications.Add(application);
        audit.Record(new AuditRecord(ApplicationAuditActions.UsageSubmit, AuditOutcomes.Success)
        {
            InstitutionCode = code!,
            Actor = ApplicationAuditActions.PortalActor(portalUserId),
            Target = code!,
            Detail = "new",
        });
        await audit.CommitAsync(submissions.Recording(submissionNonce, PortalSubmissionKind.Usage, () => application.Id), cancellationToken);
        return OpResult<long>.Success(application.Id);
    }

    private async Task<OpResult<long>> ChangeAsync(long portalUserId, long institutionId, ChangeApplicationInput input, bool store, string? submissionNonce, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var institution = await scope.OwnInstitutionAsync(portalUserId, institutionId, "usage.change", cancellationToken);
        if (institution is null)
        {
            return OpResult<long>.Fail(ApplicationErrors.NotFound);
        }

        var errors = new List<OnshiError>();
        var newName = InputRules.Text(errors, input.NewInstitutionName, "NewInstitutionName", "新しい医療機関等名", NameMaxLength, required: false);
        var wantsSecret = !string.IsNullOrEmpty(input.NewSecretNumber) || !string.IsNullOrEmpty(input.NewSecretNumberConfirm);
        if (newName.Length == 0 && !wantsSecret)
        {
            return OpResult<long>.Fail(ApplicationErrors.NothingToChange);
        }

        if (newName.Length > 0 && newName == institution.Name)
        {
            errors.Add(ApplicationErrors.SameName);
        }

        if (wantsSecret)
        {
            ValidateSecret(errors, input.NewSecretNumber, input.NewSecretNumberConfirm, "NewSecretNumber", "NewSecretNumberConfirm");
        }

        if (errors.Count > 0)
        {
            return OpResult<long>.Fail(errors);
        }

        if (await db.UsageApplications.AnyAsync(a => a.InstitutionId == institution.Id && a.Kind == ApplicationKind.Change && a.Status == ReviewStatus.Pending, cancellationToken))
        {
            return OpResult<long>.Fail(ApplicationErrors.ChangeApplicationPending);
        }

        if (!store)
        {
            return OpResult<long>.Success(0);
        }

        var environments = await EnvironmentsOfAsync(institution.Id, cancellationToken);
        var contact = await db.PortalUsers.AsNoTracking().FirstAsync(u => u.Id == portalUserId, cancellationToken);
        var application = new UsageApplication
        {
            PortalUserId = portalUserId,
            Kind = ApplicationKind.Change,
            InstitutionId = institution.Id,
            InstitutionCode = institution.Code,
            InstitutionName = institution.Name,
            Address = institution.Address,
            Phone = institution.Phone,
            Environments = environments,
            ContactName = contact.DisplayName,
            NewInstitutionName = newName.Length > 0 ? newName : null,
            SecretNumberHash = wantsSecret ? hasher.Hash(input.NewSecretNumber!) : null,
            SubmittedAt = time.GetUtcNow().UtcDateTime,
        };
        db.UsageApplications.Add(application);
        audit.Record(new AuditRecord(ApplicationAuditActions.UsageSubmit, AuditOutcomes.Success)
        {
            InstitutionId = institution.Id,
            InstitutionCode = institution.Code,
            Actor = ApplicationAuditActions.PortalActor(portalUserId),
            Target = institution.Code,
            Detail = "change" + (newName.Length > 0 ? "+name" : "") + (wantsSecret ? "+secret" : ""),
        });
        await audit.CommitAsync(submissions.Recording(submissionNonce, PortalSubmissionKind.Usage, () => application.Id), cancellationToken);
        return OpResult<long>.Success(application.Id);
    }

    /// <summary>The portal user's own applications, newest first.</summary>
    public async Task<IReadOnlyList<UsageApplicationRow>> ListMineAsync(long portalUserId, CancellationToken cancellationToken = default)
    {
        var rows = await db.UsageApplications.AsNoTracking()
            .Where(a => a.PortalUserId == portalUserId)
            .OrderByDescending(a => a.SubmittedAt).ThenByDescending(a => a.Id)
            .ToListAsync(cancellationToken);
        return [.. rows.Select(ToRow)];
    }

    /// <summary>One of the portal user's own applications; someone else's is answered like a missing one (and audited).</summary>
    public async Task<OpResult<UsageApplicationRow>> GetMineAsync(long portalUserId, long applicationId, CancellationToken cancellationToken = default)
    {
        var application = await db.UsageApplications.AsNoTracking().FirstOrDefaultAsync(a => a.Id == applicationId, cancellationToken);
        if (application is null)
        {
            return OpResult<UsageApplicationRow>.Fail(ApplicationErrors.NotFound);
        }

        if (application.PortalUserId != portalUserId)
        {
            return await scope.DeniedAsync<UsageApplicationRow>(portalUserId, application.InstitutionId, "usage-application#" + application.Id, "usage.view", cancellationToken);
        }

        return OpResult<UsageApplicationRow>.Success(ToRow(application));
    }

    /// <summary>The institutions the portal user is the contact of (the choices of every institution-scoped page).</summary>
    public async Task<IReadOnlyList<PortalInstitution>> ListMyInstitutionsAsync(long portalUserId, CancellationToken cancellationToken = default)
    {
        var institutions = await db.Institutions.AsNoTracking()
            .Where(i => i.ContactPortalUserId == portalUserId)
            .OrderBy(i => i.Code)
            .ToListAsync(cancellationToken);
        var result = new List<PortalInstitution>(institutions.Count);
        foreach (var i in institutions)
        {
            result.Add(new PortalInstitution(i.Id, i.Code, i.Name, i.Address, i.Phone, await EnvironmentsOfAsync(i.Id, cancellationToken)));
        }

        return result;
    }

    internal async Task<EnvironmentSet> EnvironmentsOfAsync(long institutionId, CancellationToken cancellationToken)
    {
        var environments = await db.Accounts.AsNoTracking()
            .Where(a => a.InstitutionId == institutionId && a.Kind == AccountKind.Master)
            .Select(a => a.Environment)
            .Distinct()
            .ToListAsync(cancellationToken);
        return environments.Aggregate(EnvironmentSet.None, (set, e) => set | ApplicationLabels.ToSet(e));
    }

    private static void ValidateSecret(List<OnshiError> errors, string? secret, string? confirm, string field, string confirmField)
    {
        var secretErrors = SecretNumber.ValidateSecretNumber(secret);
        errors.AddRange(secretErrors.Select(e => e with { Field = field }));
        if (secretErrors.Count == 0 && !string.Equals(secret, confirm, StringComparison.Ordinal))
        {
            errors.Add(ApplicationErrors.SecretConfirmMismatch(confirmField));
        }
    }

    private static UsageApplicationRow ToRow(UsageApplication a) => new(
        a.Id,
        a.Kind,
        ApplicationLabels.Kind(a.Kind),
        a.Status,
        ApplicationLabels.Status(a.Status),
        a.InstitutionCode,
        a.InstitutionName,
        a.NewInstitutionName,
        a.Kind == ApplicationKind.Change && a.SecretNumberHash is not null,
        a.Environments,
        ApplicationLabels.Environments(a.Environments),
        a.InstitutionId,
        a.SubmittedAt,
        a.DecidedAt,
        a.SendBackReason);
}
