using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.CallCenter;
using Onshi.Core.Features.Credentials;
using Onshi.Core.Features.Documents;
using Onshi.Core.Features.Operators;
using Onshi.Core.Features.Passwords;
using Onshi.Core.Features.Sessions;

namespace Onshi.Core.Features.CallCenterDesk;

/// <summary>
/// The コールセンター desk (SPEC §7, seed P3 「コールセンターに電話」): find an institution, see its master and reset
/// accounts, record how the caller was verified, re-issue the 秘密の番号 as a notice PDF for the registered address,
/// and unlock the reset account. Every action needs <see cref="OperatorCapability.CallCenterDesk"/>.
/// </summary>
public sealed class CallCenterDeskService(
    OnshiDbContext db,
    OperatorGate gate,
    Argon2idPasswordHasher hasher,
    CredentialService credentials,
    SessionService oqsSessions,
    IPdfRenderer<NoticeDocument> pdf,
    AuditLog audit,
    IDataProtectionProvider dataProtection,
    IOptions<CallCenterDeskOptions> options,
    TimeProvider time)
{
    /// <summary>The purpose of the protector of the kept notice PDFs.</summary>
    public const string NoticePurpose = "Onshi.CallCenterDesk.SecretNotice.v1";

    private readonly IDataProtector noticeProtector = dataProtection.CreateProtector(NoticePurpose);

    /// <summary>Results per page of <see cref="FindInstitutionsAsync"/>.</summary>
    public const int PageSize = 20;

    /// <summary>Maximum length of メモ.</summary>
    public const int NoteMaxLength = 500;

    /// <summary>Maximum length of 発信者名.</summary>
    public const int CallerNameMaxLength = 50;

    /// <summary>Contacts shown on the institution page.</summary>
    public const int RecentContactCount = 20;

    /// <summary>
    /// Institutions by 医療機関等コード (digits: prefix, so the full 10 digits find exactly one) or by name (contains),
    /// ordered by code.
    /// </summary>
    public async Task<OpResult<InstitutionSearchResult>> FindInstitutionsAsync(OperatorActor actor, string? query, int page = 1,
        CancellationToken cancellationToken = default)
    {
        if (await gate.CheckAsync(actor, OperatorCapability.CallCenterDesk, "call-center.search", cancellationToken) is null)
        {
            return OpResult<InstitutionSearchResult>.Fail(OperatorErrors.NotPermitted);
        }

        var q = new string((query ?? "").Where(c => !char.IsControl(c)).ToArray()).Trim();
        if (q.Length is 0 or > 100)
        {
            return OpResult<InstitutionSearchResult>.Fail(DeskErrors.QueryInvalid);
        }

        var institutions = db.Institutions.AsNoTracking();
        // One box for a code or a name: typed full-width, a code is still a code; a name is searched as typed (its 「ー」 is a letter).
        var asCode = TextInput.NormalizeCode(q)!;
        if (asCode.All(char.IsAsciiDigit))
        {
            q = asCode;
            // A range on the unique index of Code (both providers), not LIKE 'q%' (a scan): docs/scaling.md.
            var (from, to) = Onshi.Core.Features.Institutions.InstitutionCode.PrefixRange(q);
#pragma warning disable CA1309 // translated to SQL (Code >= @from AND Code < @to); digits compare alike in every collation
            institutions = to is null
                ? institutions.Where(i => string.Compare(i.Code, from) >= 0)
                : institutions.Where(i => string.Compare(i.Code, from) >= 0 && string.Compare(i.Code, to) < 0);
#pragma warning restore CA1309
        }
        else
        {
            institutions = institutions.Where(i => i.Name.Contains(q));
        }

        var total = await institutions.CountAsync(cancellationToken);
        var pageCount = Math.Max(1, (total + PageSize - 1) / PageSize);
        page = Math.Clamp(page, 1, pageCount);
        var rows = await institutions.OrderBy(i => i.Code).Skip((page - 1) * PageSize).Take(PageSize)
            .Select(i => new InstitutionSummary(i.Id, i.Code, i.Name, i.Address)).ToListAsync(cancellationToken);
        return OpResult<InstitutionSearchResult>.Success(new InstitutionSearchResult(rows, total, page, PageSize));
    }

    /// <summary>The institution with its master and reset accounts per environment (lock state, never a hash) and recent calls.</summary>
    public async Task<OpResult<InstitutionDetail>> GetInstitutionAsync(OperatorActor actor, long institutionId, CancellationToken cancellationToken = default)
    {
        if (await gate.CheckAsync(actor, OperatorCapability.CallCenterDesk, "call-center.view", cancellationToken) is null)
        {
            return OpResult<InstitutionDetail>.Fail(OperatorErrors.NotPermitted);
        }

        var institution = await db.Institutions.AsNoTracking().FirstOrDefaultAsync(i => i.Id == institutionId, cancellationToken);
        if (institution is null)
        {
            return OpResult<InstitutionDetail>.Fail(DeskErrors.InstitutionNotFound);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var accounts = await db.Accounts.AsNoTracking()
            .Where(a => a.InstitutionId == institutionId && (a.Kind == AccountKind.Master || a.Kind == AccountKind.MasterReset))
            .OrderBy(a => a.Environment).ThenBy(a => a.Kind)
            .Select(a => new { a.Id, a.Environment, a.Kind, a.UserId, a.Status, a.LockoutEnd, a.AccessFailedCount, a.LastLoginAt, a.SecurityStamp })
            .ToListAsync(cancellationToken);
        string? contact = null;
        if (institution.ContactPortalUserId is { } contactId)
        {
            contact = await db.PortalUsers.AsNoTracking().Where(u => u.Id == contactId)
                .Select(u => u.DisplayName + "（" + u.Email + "）").FirstOrDefaultAsync(cancellationToken);
        }

        var contacts = await (from c in db.CallCenterContacts.AsNoTracking()
                              join o in db.OperatorAccounts.AsNoTracking() on c.OperatorAccountId equals o.Id
                              where c.InstitutionId == institutionId
                              orderby c.At descending, c.Id descending
                              select new { c.At, o.DisplayName, c.CallerName, c.VerificationMethod, c.Action, c.Note })
            .Take(RecentContactCount).ToListAsync(cancellationToken);
        await SweepNoticesAsync(now, cancellationToken);
        var reissues = await (from r in db.SecretReissues.AsNoTracking()
                              join o in db.OperatorAccounts.AsNoTracking() on r.OperatorAccountId equals o.Id
                              where r.InstitutionId == institutionId && r.ProtectedNotice != null && r.NoticeExpiresAt > now
                              orderby r.At descending, r.Id descending
                              select new SecretReissueView(r.RequestId, r.At, o.DisplayName, r.Environments, r.FileName, true, r.NoticeExpiresAt))
            .ToListAsync(cancellationToken);
        return OpResult<InstitutionDetail>.Success(new InstitutionDetail(institution.Id, institution.Code, institution.Name, institution.Address,
            institution.Phone, contact,
            [.. accounts.Select(a => new DeskAccount(a.Id, a.Environment, a.Kind, a.UserId, a.Status, a.LockoutEnd is { } e && e > now,
                a.LockoutEnd, a.AccessFailedCount, a.LastLoginAt, Version(a.SecurityStamp)))],
            [.. contacts.Select(c => new DeskContact(c.At, c.DisplayName, c.CallerName, VerificationMethods.Label(c.VerificationMethod),
                ContactActions.Label(c.Action), c.Note))],
            [.. reissues.Select(r => r with { Environments = EnvironmentLabels(r.Environments) })]));
    }

    /// <summary>A new request token for a re-issue confirmation screen (32 hex characters, random).</summary>
    public static string NewRequestId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// What a confirmation screen carries of the reset accounts it was shown for: a digest of their security stamps
    /// (not the stamps), which every re-issue and every change of the 秘密の番号 replaces.
    /// </summary>
    public static string Version(string securityStamp) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("onshi-reissue-version|" + securityStamp)))[..16];

    /// <summary>
    /// Re-issues the 秘密の番号 of the reset account of each of <paramref name="environments"/>, exactly once per
    /// confirmation: <paramref name="requestId"/> is the confirmation screen's token and <paramref name="expectedVersion"/>
    /// the <see cref="Version"/> of the reset accounts it showed. A new random 4-digit number (its hash replaces the old
    /// one), the account unlocked with a new security stamp and its OQS sessions ended, a <see cref="CallCenterContact"/>,
    /// <c>secret.reissue</c> audit rows and the <see cref="SecretReissue"/> with the encrypted notice PDF, all in one
    /// commit, conditional on the stamps the screen saw. The same token again (double submit, back and resubmit, a
    /// duplicated tab, a concurrent request) answers with the re-issue it made (<see cref="SecretReissueResult.Replayed"/>);
    /// another confirmation made before the re-issue (a second tab, a second operator) is refused with
    /// <see cref="DeskErrors.AlreadyReissued"/>. The number is never returned, logged or stored in plain.
    /// </summary>
    public async Task<OpResult<SecretReissueResult>> ReissueSecretNumberAsync(OperatorActor actor, long institutionId,
        IReadOnlyCollection<OqsEnvironment> environments, CallerVerification verification, string? requestId, string? expectedVersion,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(environments);
        var op = await gate.CheckAsync(actor, OperatorCapability.CallCenterDesk, "secret.reissue", cancellationToken);
        if (op is null)
        {
            return OpResult<SecretReissueResult>.Fail(OperatorErrors.NotPermitted);
        }

        var errors = Validate(verification);
        var chosen = environments.Distinct().Order().ToList();
        if (chosen.Count == 0 || chosen.Any(e => !Enum.IsDefined(e)))
        {
            errors.Add(DeskErrors.EnvironmentRequired);
        }

        if (errors.Count > 0)
        {
            return OpResult<SecretReissueResult>.Fail(errors);
        }

        if (!IsRequestId(requestId) || string.IsNullOrEmpty(expectedVersion) || expectedVersion.Length > 64)
        {
            return OpResult<SecretReissueResult>.Fail(DeskErrors.RequestInvalid);
        }

        var institution = await db.Institutions.AsNoTracking().FirstOrDefaultAsync(i => i.Id == institutionId, cancellationToken);
        if (institution is null)
        {
            return OpResult<SecretReissueResult>.Fail(DeskErrors.InstitutionNotFound);
        }

        if (await ReplayAsync(institutionId, requestId, cancellationToken) is { } replay)
        {
            return replay;
        }

        var resets = await db.Accounts
            .Where(a => a.InstitutionId == institutionId && a.Kind == AccountKind.MasterReset && chosen.Contains(a.Environment))
            .ToListAsync(cancellationToken);
        if (resets.Count != chosen.Count)
        {
            return OpResult<SecretReissueResult>.Fail(DeskErrors.ResetAccountMissing);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var actorName = OperatorAudit.Actor(op.UserId);
        var seen = string.Join(",", resets.OrderBy(a => a.Environment).Select(a => Version(a.SecurityStamp)));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(seen), Encoding.ASCII.GetBytes(expectedVersion)))
        {
            return await AlreadyReissuedAsync(actor, institution, actorName, resets, cancellationToken);
        }

        var issued = new List<(Account Account, string Secret)>();
        foreach (var reset in resets.OrderBy(a => a.Environment))
        {
            var secret = SecretNumber.GenerateSecretNumber();
            var wasLocked = reset.IsLockedAt(now);
            credentials.Replace(reset, hasher.Hash(secret));
            reset.UpdatedAt = now;
            reset.UpdatedBy = Clip(actorName, 32);
            issued.Add((reset, secret));
            db.CallCenterContacts.Add(NewContact(op.Id, institutionId, verification, ContactActions.SecretReissue(reset.Environment), now));
            var record = new AuditRecord(OperatorAuditActions.SecretReissue, AuditOutcomes.Success)
            {
                Environment = reset.Environment,
                InstitutionId = institution.Id,
                InstitutionCode = institution.Code,
                Actor = actorName,
                Target = reset.UserId,
                Detail = verification.Method!,
                ClientAddress = actor.ClientAddress,
            };
            audit.Record(record);
            if (wasLocked)
            {
                audit.Record(record with { Action = AuditActions.Unlock, Detail = "secret-reissue" });
            }
        }

        // Rendered before the commit: if the notice cannot be produced, nothing changes and the old number stays valid.
        var document = pdf.Render(Notice(institution, issued, now));
        var fileName = string.Create(CultureInfo.InvariantCulture, $"秘密の番号再発行のお知らせ_{institution.Code}_{Documents.JapanTime.ToJst(now):yyyyMMddHHmm}.pdf");
        db.SecretReissues.Add(new SecretReissue
        {
            RequestId = requestId,
            InstitutionId = institutionId,
            OperatorAccountId = op.Id,
            Environments = string.Join(",", issued.Select(i => EnvironmentCode(i.Account.Environment))),
            At = now,
            FileName = fileName,
            ProtectedNotice = noticeProtector.Protect(document),
            NoticeExpiresAt = now + options.Value.NoticeRetention,
        });
        try
        {
            // The new stamps already refuse the reset accounts' sessions; ending them in the same commit gives each its
            // audited end, and a process killed at any moment leaves all of it or none of it. The UPDATE of each reset
            // account is conditional on the stamp read above (its concurrency token), and the request token is unique:
            // of two requests racing on either, one commits and the other changes nothing.
            await audit.CommitAsync(async ct =>
            {
                foreach (var (account, _) in issued)
                {
                    await oqsSessions.EndAllWithinCommitAsync(account.Id, OperatorSessionEndReasons.SecretReissued, ct);
                }

                return true;
            }, cancellationToken);
        }
        catch (DbUpdateException)
        {
            // DbUpdateConcurrencyException (a stamp changed) or a unique violation of the request token: the other request won.
            db.ChangeTracker.Clear();
            if (await ReplayAsync(institutionId, requestId, cancellationToken) is { } replayed)
            {
                return replayed;
            }

            var current = await db.Accounts.AsNoTracking()
                .Where(a => a.InstitutionId == institutionId && a.Kind == AccountKind.MasterReset && chosen.Contains(a.Environment))
                .ToListAsync(cancellationToken);
            return await AlreadyReissuedAsync(actor, institution, actorName, current, cancellationToken);
        }

        return OpResult<SecretReissueResult>.Success(new SecretReissueResult(requestId, Replayed: false));
    }

    /// <summary>One re-issue of the institution by its request token, for the result screen (never the number).</summary>
    public async Task<OpResult<SecretReissueView>> GetReissueAsync(OperatorActor actor, long institutionId, string? requestId,
        CancellationToken cancellationToken = default)
    {
        if (await gate.CheckAsync(actor, OperatorCapability.CallCenterDesk, "secret.reissue.view", cancellationToken) is null)
        {
            return OpResult<SecretReissueView>.Fail(OperatorErrors.NotPermitted);
        }

        if (!IsRequestId(requestId))
        {
            return OpResult<SecretReissueView>.Fail(DeskErrors.ReissueNotFound);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var found = await (from r in db.SecretReissues.AsNoTracking()
                           join o in db.OperatorAccounts.AsNoTracking() on r.OperatorAccountId equals o.Id
                           where r.RequestId == requestId && r.InstitutionId == institutionId
                           select new SecretReissueView(r.RequestId, r.At, o.DisplayName, r.Environments, r.FileName,
                               r.ProtectedNotice != null && r.NoticeExpiresAt > now, r.NoticeExpiresAt))
            .FirstOrDefaultAsync(cancellationToken);
        return found is null
            ? OpResult<SecretReissueView>.Fail(DeskErrors.ReissueNotFound)
            : OpResult<SecretReissueView>.Success(found with { Environments = EnvironmentLabels(found.Environments) });
    }

    /// <summary>
    /// 「通知書を再ダウンロード」: the very notice PDF that re-issue produced (the same number), while it is kept
    /// (<see cref="CallCenterDeskOptions.NoticeRetention"/>); audited.
    /// </summary>
    public async Task<OpResult<SecretReissueNotice>> DownloadNoticeAsync(OperatorActor actor, long institutionId, string? requestId,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var op = await gate.CheckAsync(actor, OperatorCapability.CallCenterDesk, OperatorAuditActions.SecretNoticeDownload, cancellationToken);
        if (op is null)
        {
            return OpResult<SecretReissueNotice>.Fail(OperatorErrors.NotPermitted);
        }

        var institution = await db.Institutions.AsNoTracking().FirstOrDefaultAsync(i => i.Id == institutionId, cancellationToken);
        var row = institution is null || !IsRequestId(requestId)
            ? null
            : await db.SecretReissues.AsNoTracking().FirstOrDefaultAsync(r => r.RequestId == requestId && r.InstitutionId == institutionId, cancellationToken);
        if (row is null)
        {
            return OpResult<SecretReissueNotice>.Fail(DeskErrors.ReissueNotFound);
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (row.ProtectedNotice is null || row.NoticeExpiresAt <= now)
        {
            return OpResult<SecretReissueNotice>.Fail(DeskErrors.NoticeExpired);
        }

        var document = noticeProtector.Unprotect(row.ProtectedNotice);
        audit.Record(new AuditRecord(OperatorAuditActions.SecretNoticeDownload, AuditOutcomes.Success)
        {
            InstitutionId = institution!.Id,
            InstitutionCode = institution.Code,
            Actor = OperatorAudit.Actor(op.UserId),
            Target = "secret-reissue#" + row.Id,
            ClientAddress = actor.ClientAddress,
        });
        await audit.CommitAsync(cancellationToken);
        return OpResult<SecretReissueNotice>.Success(new SecretReissueNotice(document, row.FileName));
    }

    private async Task<OpResult<SecretReissueResult>?> ReplayAsync(long institutionId, string requestId, CancellationToken cancellationToken)
    {
        var existing = await db.SecretReissues.AsNoTracking().Where(r => r.RequestId == requestId)
            .Select(r => new { r.InstitutionId }).FirstOrDefaultAsync(cancellationToken);
        if (existing is null)
        {
            return null;
        }

        // A token belongs to the institution it was shown for; another institution's token is no replay of anything here.
        return existing.InstitutionId == institutionId
            ? OpResult<SecretReissueResult>.Success(new SecretReissueResult(requestId, Replayed: true))
            : OpResult<SecretReissueResult>.Fail(DeskErrors.RequestInvalid);
    }

    /// <summary>A confirmation older than the current 秘密の番号: refused (audited), nothing changes.</summary>
    private async Task<OpResult<SecretReissueResult>> AlreadyReissuedAsync(OperatorActor actor, Institution institution, string actorName,
        IEnumerable<Account> resets, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        foreach (var reset in resets)
        {
            audit.Record(new AuditRecord(OperatorAuditActions.SecretReissue, AuditOutcomes.Failure)
            {
                Environment = reset.Environment,
                InstitutionId = institution.Id,
                InstitutionCode = institution.Code,
                Actor = actorName,
                Target = reset.UserId,
                Detail = "stale-confirmation",
                ClientAddress = actor.ClientAddress,
            });
        }

        await audit.CommitAsync(cancellationToken);
        return OpResult<SecretReissueResult>.Fail(DeskErrors.AlreadyReissued);
    }

    /// <summary>Erases the kept notices whose retention has passed (all institutions; a few rows a day).</summary>
    private Task<int> SweepNoticesAsync(DateTime now, CancellationToken cancellationToken) =>
        db.SecretReissues.Where(r => r.ProtectedNotice != null && r.NoticeExpiresAt <= now)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.ProtectedNotice, (byte[]?)null), cancellationToken);

    private static bool IsRequestId([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? value) =>
        value is { Length: 32 } && value.All(char.IsAsciiHexDigitLower);

    private static string EnvironmentCode(OqsEnvironment environment) => environment == OqsEnvironment.Production ? "production" : "verification";

    private static string EnvironmentLabels(string codes) => string.Join("・", codes.Split(',').Select(c => c switch
    {
        "production" => "本番環境",
        "verification" => "接続確認環境",
        _ => c,
    }));

    /// <summary>Unlocks the reset account of <paramref name="environment"/> (lock reset to none), with a contact and an audit row.</summary>
    public async Task<OpResult> UnlockResetAccountAsync(OperatorActor actor, long institutionId, OqsEnvironment environment,
        CallerVerification verification, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var op = await gate.CheckAsync(actor, OperatorCapability.CallCenterDesk, "reset.unlock", cancellationToken);
        if (op is null)
        {
            return OpResult.Fail(OperatorErrors.NotPermitted);
        }

        var errors = Validate(verification);
        if (!Enum.IsDefined(environment))
        {
            errors.Add(DeskErrors.EnvironmentRequired);
        }

        if (errors.Count > 0)
        {
            return OpResult.Fail(errors);
        }

        var institution = await db.Institutions.AsNoTracking().FirstOrDefaultAsync(i => i.Id == institutionId, cancellationToken);
        if (institution is null)
        {
            return OpResult.Fail(DeskErrors.InstitutionNotFound);
        }

        var reset = await db.Accounts.FirstOrDefaultAsync(a => a.InstitutionId == institutionId && a.Kind == AccountKind.MasterReset
            && a.Environment == environment, cancellationToken);
        if (reset is null)
        {
            return OpResult.Fail(DeskErrors.ResetAccountMissing);
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (!reset.IsLockedAt(now))
        {
            return OpResult.Fail(DeskErrors.NotLocked);
        }

        var actorName = OperatorAudit.Actor(op.UserId);
        CredentialService.ClearLock(reset);
        reset.UpdatedAt = now;
        reset.UpdatedBy = Clip(actorName, 32);
        db.CallCenterContacts.Add(NewContact(op.Id, institutionId, verification, ContactActions.ResetUnlock(environment), now));
        audit.Record(new AuditRecord(AuditActions.Unlock, AuditOutcomes.Success)
        {
            Environment = environment,
            InstitutionId = institution.Id,
            InstitutionCode = institution.Code,
            Actor = actorName,
            Target = reset.UserId,
            Detail = verification.Method!,
            ClientAddress = actor.ClientAddress,
        });
        try
        {
            await audit.CommitAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return OpResult.Fail(OperatorErrors.Conflict);
        }

        return OpResult.Ok;
    }

    /// <summary>Checks 本人確認: a known method, a caller name, a note within its length (required for その他).</summary>
    public static List<OnshiError> Validate(CallerVerification? verification)
    {
        var errors = new List<OnshiError>();
        var name = (verification?.CallerName ?? "").Trim();
        var note = (verification?.Note ?? "").Trim();
        if (name.Length == 0)
        {
            errors.Add(DeskErrors.CallerNameRequired);
        }
        else if (name.Length > CallerNameMaxLength)
        {
            errors.Add(DeskErrors.CallerNameTooLong);
        }

        if (!VerificationMethods.IsKnown(verification?.Method))
        {
            errors.Add(DeskErrors.MethodInvalid);
        }

        if (note.Length > NoteMaxLength)
        {
            errors.Add(DeskErrors.NoteTooLong);
        }
        else if (verification?.Method == VerificationMethods.Other && note.Length == 0)
        {
            errors.Add(DeskErrors.NoteRequiredForOther);
        }

        if (name.Any(TextInput.IsForbidden) || note.Any(TextInput.IsForbiddenMultiline))
        {
            errors.Add(DeskErrors.InvalidCharacters);
        }

        return errors;
    }

    private static CallCenterContact NewContact(long operatorId, long institutionId, CallerVerification verification, string action, DateTime now) => new()
    {
        InstitutionId = institutionId,
        OperatorAccountId = operatorId,
        CallerName = verification.CallerName!.Trim(),
        VerificationMethod = verification.Method!,
        Action = action,
        Note = (verification.Note ?? "").Trim(),
        At = now,
    };

    private static NoticeDocument Notice(Institution institution, List<(Account Account, string Secret)> issued, DateTime now)
    {
        var fields = new List<DocumentField>
        {
            new("医療機関等コード", institution.Code),
            new("医療機関等名", institution.Name),
        };
        foreach (var (account, secret) in issued)
        {
            var env = Documents.JapanTime.EnvironmentLabel(account.Environment);
            fields.Add(new DocumentField("利用環境", env));
            fields.Add(new DocumentField("マスタアカウントリセット用アカウント ユーザID", account.UserId));
            fields.Add(new DocumentField("新しい秘密の番号（数字4桁）", secret));
        }

        fields.Add(new DocumentField("再発行日", Documents.JapanTime.DateText(now)));
        return new NoticeDocument(
            "秘密の番号再発行のお知らせ",
            [$"{institution.Name} 御中", institution.Address, $"医療機関等コード：{institution.Code}"],
            ["オンライン資格確認等システム 運用者", CallCenterInfo.Name, $"電話番号：{CallCenterInfo.PhoneNumber}"],
            [
                "平素より、オンライン資格確認等システムをご利用いただきありがとうございます。",
                "コールセンターへのお問い合わせにより、マスタアカウントリセット用アカウントのパスワード（秘密の番号）を再発行しましたので、下記のとおりお知らせします。これまでの秘密の番号は使用できません。また、マスタアカウントリセット用アカウントのロックは解除されています。",
            ],
            fields,
            [
                "【マスタアカウントのパスワード初期化の手順】",
                "1. 資格確認端末でオンライン資格確認等システムを開き、「システムの利用を始める」から、上記のマスタアカウントリセット用アカウントのユーザIDと新しい秘密の番号でログインしてください。",
                "2. 「メニュー」の《アカウント情報管理》から《アカウント管理（更新）》を選択し、権限区分「全て」で検索してください。",
                "3. マスタアカウントの「アカウント情報」をクリックし、「パスワード初期化」をクリックして「OK」を選択してください。",
                "4. 表示された初期化後のパスワードを控える（「ダウンロード」でアカウント設定情報を保存する）か確認してください。",
                "5. マスタアカウントリセット用アカウントからログアウトし、マスタアカウントと初期化後のパスワードでログインして、新しいパスワードを設定してください。",
                "※ 秘密の番号は第三者に知られないよう厳重に管理し、本通知書は確認後、適切に保管または廃棄してください。",
                "※ 秘密の番号を5回続けて誤るとマスタアカウントリセット用アカウントはロックされ、コールセンターでの解除が必要になります。",
                "※ コールセンターから電話や電子メールで秘密の番号をお伝えすることはありません。本通知書は登録されている所在地宛てに郵送しています。",
                "※ 秘密の番号は、医療機関等向け総合ポータルサイトの利用開始・変更申請（変更）で変更することもできます。",
                "※ お心当たりのない場合は、" + CallCenterInfo.Name + "（電話番号：" + CallCenterInfo.PhoneNumber + "）までご連絡ください。",
            ],
            now);
    }

    private static string Clip(string s, int max) => s.Length <= max ? s : s[..max];
}

/// <summary>The <see cref="CallCenterContact.Action"/> codes of the desk, and their labels.</summary>
public static class ContactActions
{
    public static string SecretReissue(OqsEnvironment environment) => "secret-reissue-" + Code(environment);

    public static string ResetUnlock(OqsEnvironment environment) => "reset-unlock-" + Code(environment);

    public static string Label(string action) => action switch
    {
        "secret-reissue-production" => "秘密の番号再発行（本番環境）",
        "secret-reissue-verification" => "秘密の番号再発行（接続確認環境）",
        "reset-unlock-production" => "リセット用アカウントのロック解除（本番環境）",
        "reset-unlock-verification" => "リセット用アカウントのロック解除（接続確認環境）",
        "inquiry" => "問い合わせ",
        _ => action,
    };

    private static string Code(OqsEnvironment environment) => environment == OqsEnvironment.Production ? "production" : "verification";
}
