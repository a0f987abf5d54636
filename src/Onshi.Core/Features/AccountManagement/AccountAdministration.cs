using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Accounts;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Caching;
using Onshi.Core.Features.Credentials;
using Onshi.Core.Features.Passwords;
using Onshi.Core.Features.Sessions;

namespace Onshi.Core.Features.AccountManagement;

/// <summary>The 権限区分 filter of the アカウント管理（更新） search.</summary>
public enum KindFilter
{
    All = 0,
    Master = 1,
    Admin = 3,
    General = 4,
    MasterReset = 2,
    MedicalInfo = 5,
    LinkedApp = 6,
    WebApi = 7,
    FaceAuth = 8,
}

/// <summary>The 状態 filter of the search.</summary>
public enum StatusFilter
{
    All = 0,
    Active = 1,
    Disabled = 2,
    Locked = 3,
}

/// <summary>Search criteria; empty strings mean "any".</summary>
public sealed record AccountSearch(string? UserId, string? DisplayName, KindFilter Kind, StatusFilter Status, int Page, int PageSize = 20);

/// <summary>A row of the result list.</summary>
public sealed record AccountRow(long Id, string UserId, string DisplayName, AccountKind Kind, AccountStatus Status, bool Locked,
    DateTime? LastLoginAt, DateTime? PasswordExpiresAt, bool MustChangePassword);

/// <summary>One page of results: rows, total count, and the 1-based page.</summary>
public sealed record AccountPage(IReadOnlyList<AccountRow> Rows, int Total, int Page, int PageSize)
{
    public int First => Total == 0 ? 0 : ((Page - 1) * PageSize) + 1;

    public int Last => Math.Min(Page * PageSize, Total);

    public int PageCount => Math.Max(1, (Total + PageSize - 1) / PageSize);
}

/// <summary>
/// An account's アカウント情報 with what the actor may do to it. <paramref name="LockedUntil"/> is the end of a current lock (UTC;
/// <see cref="DateTime.MaxValue"/> = until someone unlocks it), null when the account is not locked.
/// </summary>
public sealed record AccountDetail(AccountRow Account, DateTime CreatedAt, string CreatedBy, DateTime UpdatedAt, string UpdatedBy,
    bool CanUpdate, bool CanInitializePassword, bool CanUnlock, IReadOnlyList<AccountKind> KindChoices, bool CanDisable, DateTime? LockedUntil = null)
{
    /// <summary>
    /// True when the account holds no credential of its kind: none at all (its 権限区分 changed into or out of a machine kind), or,
    /// for a 連携アプリ用 / Web API用 account, a temporary or expiring password instead of a secret. パスワード初期化 issues one.
    /// </summary>
    public bool CredentialPending { get; init; }

    /// <summary>While a rotated machine secret is in its grace: until when (UTC) the previous secret still signs in.</summary>
    public DateTime? PreviousSecretValidUntil { get; init; }

    /// <summary>Whether the actor may rotate the account's secret (a machine account holding one; the same right as パスワード初期化).</summary>
    public bool CanRotateSecret { get; init; }

    /// <summary>With <see cref="CanRotateSecret"/>: until when the current secret would still sign in if it were rotated now.</summary>
    public DateTime? RotationKeepsCurrentUntil { get; init; }
}

/// <summary>The アカウント管理 use cases (SPEC §5), each asking <see cref="PermissionMatrix"/> and auditing every denial.</summary>
public sealed partial class AccountAdministration(
    OnshiDbContext db,
    CredentialService credentials,
    SessionService sessions,
    AuditLog audit,
    TimeProvider time,
    PasswordPolicy passwordPolicy)
{
    public async Task<AccountPage> SearchAsync(ActorContext actor, AccountSearch search, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(search);
        var p = actor.Principal;
        var visible = AccountKinds.All
            .Where(k => PermissionMatrix.Decide(actor.Ref, new AccountRef(-1, p.InstitutionId, p.Environment, k), AccountAction.View) == PermissionDecision.Allowed
                || (k == p.Kind && PermissionMatrix.Decide(actor.Ref, actor.Ref, AccountAction.View) == PermissionDecision.Allowed))
            .ToList();
        // The visible kinds as constants (IN (…) in the SQL): a handful of sets, one per actor kind, each a cached query; as a
        // parameter list the SQL was rebuilt for every execution.
        var query = db.Accounts.AsNoTracking()
            .Where(a => a.InstitutionId == p.InstitutionId && a.Environment == p.Environment && EF.Constant(visible).Contains(a.Kind));

        if (search.Kind != KindFilter.All)
        {
            var kind = (AccountKind)(int)search.Kind;
            query = query.Where(a => a.Kind == kind);
        }

        var userId = search.UserId?.Trim();
        if (!string.IsNullOrEmpty(userId))
        {
            var normalized = userId.ToUpperInvariant();
            query = query.Where(a => a.NormalizedUserId.StartsWith(normalized));
        }

        var name = search.DisplayName?.Trim();
        if (!string.IsNullOrEmpty(name))
        {
            query = query.Where(a => a.DisplayName.Contains(name));
        }

        var now = time.GetUtcNow().UtcDateTime;
        query = search.Status switch
        {
            StatusFilter.Active => query.Where(a => a.Status == AccountStatus.Active),
            StatusFilter.Disabled => query.Where(a => a.Status == AccountStatus.Disabled),
            StatusFilter.Locked => query.Where(a => a.LockoutEnd != null && a.LockoutEnd > now),
            _ => query,
        };

        var pageSize = Math.Clamp(search.PageSize, 1, 100);
        var total = await query.CountAsync(cancellationToken);
        var pageCount = Math.Max(1, (total + pageSize - 1) / pageSize);
        var page = Math.Clamp(search.Page, 1, pageCount);
        var rows = await query
            .OrderBy(a => a.Kind).ThenBy(a => a.NormalizedUserId)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .Select(a => new AccountRow(a.Id, a.UserId, a.DisplayName, a.Kind, a.Status, a.LockoutEnd != null && a.LockoutEnd > now,
                a.LastLoginAt, a.PasswordExpiresAt, a.MustChangePassword))
            .ToListAsync(cancellationToken);
        return new AccountPage(rows, total, page, pageSize);
    }

    /// <summary>The signed-in account's own row (one's own パスワード有効期限 and state): no permission is needed to read oneself.</summary>
    public async Task<AccountRow> OwnAccountAsync(ActorContext actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var id = actor.Principal.AccountId;
        var account = await db.Accounts.AsNoTracking().FirstAsync(a => a.Id == id, cancellationToken);
        return ToRow(account, time.GetUtcNow().UtcDateTime);
    }

    /// <summary>
    /// The master account of the actor's institution and environment, when the actor may initialize its password (the reset
    /// account's one job, seed P9): its menu leads straight there. Null for every other actor.
    /// </summary>
    public async Task<long?> MasterToInitializeAsync(ActorContext actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var p = actor.Principal;
        if (PermissionMatrix.Decide(actor.Ref, new AccountRef(-1, p.InstitutionId, p.Environment, AccountKind.Master), AccountAction.InitializePassword)
            != PermissionDecision.Allowed)
        {
            return null;
        }

        return await db.Accounts.AsNoTracking()
            .Where(a => a.InstitutionId == p.InstitutionId && a.Environment == p.Environment && a.Kind == AccountKind.Master)
            .Select(a => (long?)a.Id).FirstOrDefaultAsync(cancellationToken);
    }

    public async Task<OpResult<AccountDetail>> GetAsync(ActorContext actor, long accountId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var (account, error) = await LoadAuthorizedAsync(actor, accountId, AccountAction.View, AuditActions.AccountView, tracked: false, cancellationToken);
        if (account is null)
        {
            return OpResult<AccountDetail>.Fail(error!);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var target = AccountRef.Of(account);
        bool May(AccountAction a) => PermissionMatrix.Decide(actor.Ref, target, a) == PermissionDecision.Allowed;
        var canUpdate = May(AccountAction.Update);
        var kindChoices = canUpdate
            ? AccountKinds.All.Where(k => PermissionMatrix.CanChangeKind(actor.Principal.Kind, account.Kind, k)).ToList()
            : [account.Kind];
        var pending = CredentialPending(account);
        var canRotate = AccountKinds.IsMachine(account.Kind) && !pending && May(AccountAction.InitializePassword);
        return OpResult<AccountDetail>.Success(new AccountDetail(
            ToRow(account, now), account.CreatedAt, account.CreatedBy, account.UpdatedAt, account.UpdatedBy,
            canUpdate, May(AccountAction.InitializePassword), May(AccountAction.Unlock) && account.IsLockedAt(now),
            kindChoices, canUpdate && PermissionMatrix.CanBeDisabled(account.Kind), account.IsLockedAt(now) ? account.LockoutEnd : null)
        {
            CredentialPending = pending,
            PreviousSecretValidUntil = account.PreviousPasswordHash is not null && account.PreviousPasswordValidUntil is { } until && until > now ? until : null,
            CanRotateSecret = canRotate,
            RotationKeepsCurrentUntil = canRotate ? now + passwordPolicy.MachineSecretRotationGrace : null,
        });
    }

    public async Task<OpResult<IssuedPassword>> CreateAsync(ActorContext actor, AccountKind? chosenKind, string? userId, string? displayName,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (chosenKind is not { } kind)
        {
            // The form's 「選択してください」 left as it is: a missing choice, not a denial.
            return OpResult<IssuedPassword>.Fail(AccountErrors.KindRequired);
        }

        var p = actor.Principal;
        userId = (userId ?? "").Trim();
        displayName = (displayName ?? "").Trim();
        var target = new AccountRef(0, p.InstitutionId, p.Environment, kind);
        if (!Enum.IsDefined(kind) || PermissionMatrix.Decide(actor.Ref, target, AccountAction.Create) != PermissionDecision.Allowed)
        {
            return OpResult<IssuedPassword>.Fail(await DenyAsync(actor, AuditActions.AccountCreate, userId, "kind-not-permitted", AccountErrors.KindInvalid, cancellationToken));
        }

        var errors = new List<OnshiError>();
        errors.AddRange(ValidateUserId(userId));
        errors.AddRange(ValidateDisplayName(displayName));
        var normalized = userId.ToUpperInvariant();
        if (errors.Count == 0 && await db.Accounts.AnyAsync(a => a.Environment == p.Environment && a.NormalizedUserId == normalized, cancellationToken))
        {
            errors.Add(AccountErrors.UserIdTaken);
        }

        if (errors.Count > 0)
        {
            return OpResult<IssuedPassword>.Fail(errors);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var account = new Account
        {
            InstitutionId = p.InstitutionId,
            Environment = p.Environment,
            UserId = userId,
            NormalizedUserId = normalized,
            DisplayName = displayName,
            Kind = kind,
            Status = AccountStatus.Active,
            CreatedAt = now,
            CreatedBy = p.UserId,
            UpdatedAt = now,
            UpdatedBy = p.UserId,
        };
        // A machine's account gets a secret set into the client as issued (SPEC §12); a person's, a temporary password.
        var password = AccountKinds.IsMachine(kind)
            ? credentials.IssueMachineSecret(account, userId)
            : await credentials.IssueTemporaryAsync(AccountCredentials.Instance, account, userId, cancellationToken);
        db.Accounts.Add(account);
        audit.Record(actor.Audit(AuditActions.AccountCreate, AuditOutcomes.Success, userId, AccountKinds.Code(kind)));
        try
        {
            await audit.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Lost a race for the same user ID.
            db.ChangeTracker.Clear();
            return OpResult<IssuedPassword>.Fail(AccountErrors.UserIdTaken);
        }

        return OpResult<IssuedPassword>.Success(new IssuedPassword(account.Id, account.UserId, account.DisplayName, kind, password, account.PasswordExpiresAt));
    }

    public async Task<OpResult> UpdateAsync(ActorContext actor, long accountId, string? displayName, AccountKind kind, AccountStatus status,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var (account, error) = await LoadAuthorizedAsync(actor, accountId, AccountAction.Update, AuditActions.AccountUpdate, tracked: true, cancellationToken);
        if (account is null)
        {
            return OpResult.Fail(error!);
        }

        displayName = (displayName ?? "").Trim();
        var errors = ValidateDisplayName(displayName).ToList();
        if (!Enum.IsDefined(kind) || !PermissionMatrix.CanChangeKind(actor.Principal.Kind, account.Kind, kind))
        {
            return OpResult.Fail(await DenyAsync(actor, AuditActions.AccountUpdate, account.UserId, "kind-not-permitted", AccountErrors.KindInvalid, cancellationToken));
        }

        if (!Enum.IsDefined(status) || (status != account.Status && !PermissionMatrix.CanBeDisabled(account.Kind)))
        {
            return OpResult.Fail(await DenyAsync(actor, AuditActions.AccountUpdate, account.UserId, "cannot-disable", AccountErrors.CannotDisable, cancellationToken));
        }

        if (errors.Count > 0)
        {
            return OpResult.Fail(errors);
        }

        var changes = new List<string>();
        if (account.DisplayName != displayName)
        {
            changes.Add("name");
        }

        if (account.Kind != kind)
        {
            changes.Add($"kind:{AccountKinds.Code(account.Kind)}>{AccountKinds.Code(kind)}");
        }

        // Into or out of a machine kind, the credential no longer fits the account: a person's temporary or expiring password
        // would let a machine lapse, a machine's secret (known to whoever set up the client) would become a person's. It ends
        // here; パスワード初期化 issues the one of the new kind (docs/decisions.md, "Issue 16 — machine-account secrets").
        var credentialEnds = account.Kind != kind && AccountKinds.IsMachine(account.Kind) != AccountKinds.IsMachine(kind);
        if (credentialEnds)
        {
            changes.Add(AuditDetails.CredentialEnded);
        }

        var disabling = account.Status == AccountStatus.Active && status == AccountStatus.Disabled;
        if (account.Status != status)
        {
            changes.Add(status == AccountStatus.Disabled ? "disabled" : "enabled");
        }

        if (changes.Count == 0)
        {
            return OpResult.Ok;
        }

        var now = time.GetUtcNow().UtcDateTime;
        account.DisplayName = displayName;
        account.Kind = kind;
        account.Status = status;
        account.UpdatedAt = now;
        account.UpdatedBy = actor.Principal.UserId;
        if (credentialEnds)
        {
            account.PasswordHash = "";
            account.MustChangePassword = false;
            account.PasswordExpiresAt = null;
            CredentialService.ClearPrevious(account);
        }

        if (disabling || changes.Any(c => c.StartsWith("kind:", StringComparison.Ordinal)))
        {
            // A disabled account, or one whose rights changed, must sign in again.
            account.SecurityStamp = Guid.NewGuid().ToString("N");
        }

        audit.Record(actor.Audit(AuditActions.AccountUpdate, AuditOutcomes.Success, account.UserId, string.Join(',', changes)));

        // Disabling ends the account's sessions in the same commit as the change.
        return await TryCommitAsync(disabling ? (account.Id, SessionEndReasons.Disabled) : null, cancellationToken)
            ? OpResult.Ok
            : OpResult.Fail(AccountErrors.Conflict);
    }

    /// <summary>
    /// パスワード初期化: a new temporary password, must-change, unlocked, and every session of the account ended. For a 連携アプリ用 /
    /// Web API用 account, a new secret instead (SPEC §12): the old one, and any previous one still in its grace, end at once,
    /// and so does every session and token (the answer to a leaked secret).
    /// </summary>
    public async Task<OpResult<IssuedPassword>> InitializePasswordAsync(ActorContext actor, long accountId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var (account, error) = await LoadAuthorizedAsync(actor, accountId, AccountAction.InitializePassword, AuditActions.PasswordInitialize, tracked: true, cancellationToken);
        if (account is null)
        {
            return OpResult<IssuedPassword>.Fail(error!);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var password = AccountKinds.IsMachine(account.Kind)
            ? credentials.IssueMachineSecret(account, account.UserId)
            : await credentials.IssueTemporaryAsync(AccountCredentials.Instance, account, account.UserId, cancellationToken);
        account.UpdatedAt = now;
        account.UpdatedBy = actor.Principal.UserId;
        audit.Record(actor.Audit(AuditActions.PasswordInitialize, AuditOutcomes.Success, account.UserId, AccountKinds.Code(account.Kind)));

        // The new hash, the stamp, the audit row and the end of every session of the account: one commit (a process
        // killed at any moment leaves all of it or none of it).
        if (!await TryCommitAsync((account.Id, SessionEndReasons.PasswordInitialized), cancellationToken))
        {
            return OpResult<IssuedPassword>.Fail(AccountErrors.Conflict);
        }

        return OpResult<IssuedPassword>.Success(new IssuedPassword(account.Id, account.UserId, account.DisplayName, account.Kind, password, account.PasswordExpiresAt));
    }

    /// <summary>
    /// シークレットの更新（ローテーション）of a 連携アプリ用 / Web API用 account (SPEC §12), with the right of パスワード初期化: a new
    /// secret, while the current one still signs in for <see cref="Passwords.PasswordOptions.MachineSecretRotationGrace"/> so the client
    /// is not stopped before the new one is set into it. Sessions, tokens and the lock are left as they are.
    /// </summary>
    public async Task<OpResult<IssuedPassword>> RotateSecretAsync(ActorContext actor, long accountId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var (account, error) = await LoadAuthorizedAsync(actor, accountId, AccountAction.InitializePassword, AuditActions.SecretRotate, tracked: false, cancellationToken);
        if (account is null)
        {
            return OpResult<IssuedPassword>.Fail(error!);
        }

        if (!AccountKinds.IsMachine(account.Kind))
        {
            return OpResult<IssuedPassword>.Fail(await DenyAsync(actor, AuditActions.SecretRotate, account.UserId, AuditDetails.NotMachineAccount,
                AccountErrors.NotMachineAccount, cancellationToken));
        }

        if (CredentialPending(account))
        {
            audit.Record(actor.Audit(AuditActions.SecretRotate, AuditOutcomes.Failure, account.UserId, AuditDetails.SecretNotIssued));
            await audit.CommitAsync(cancellationToken);
            return OpResult<IssuedPassword>.Fail(AccountErrors.SecretNotIssued);
        }

        var (id, hash, stamp) = (account.Id, account.PasswordHash, account.SecurityStamp);
        var secret = credentials.RotateMachineSecret(account, account.UserId);
        var now = time.GetUtcNow().UtcDateTime;
        var by = actor.Principal.UserId;
        audit.Record(actor.Audit(AuditActions.SecretRotate, AuditOutcomes.Success, account.UserId, AccountKinds.Code(account.Kind)));

        // One conditional UPDATE: a rotation, initialization or change that got there first wins, and this one writes nothing
        // (otherwise one of two secrets shown at the same moment would be dead on arrival).
        var rotated = await audit.CommitAsync(async ct =>
        {
            db.InvalidateOnCommit(CacheKeys.Account(id));
            return await db.Accounts
            .Where(a => a.Id == id && a.PasswordHash == hash && a.SecurityStamp == stamp)
            .ExecuteUpdateAsync(s => s
                .SetProperty(a => a.PasswordHash, account.PasswordHash)
                .SetProperty(a => a.PreviousPasswordHash, account.PreviousPasswordHash)
                .SetProperty(a => a.PreviousPasswordValidUntil, account.PreviousPasswordValidUntil)
                .SetProperty(a => a.PasswordChangedAt, account.PasswordChangedAt)
                .SetProperty(a => a.MustChangePassword, false)
                .SetProperty(a => a.PasswordExpiresAt, (DateTime?)null)
                .SetProperty(a => a.UpdatedAt, now)
                .SetProperty(a => a.UpdatedBy, by), ct) == 1;
        }, cancellationToken);
        if (!rotated)
        {
            db.ChangeTracker.Clear();
            return OpResult<IssuedPassword>.Fail(AccountErrors.Conflict);
        }

        return OpResult<IssuedPassword>.Success(new IssuedPassword(account.Id, account.UserId, account.DisplayName, account.Kind, secret, null)
        {
            PreviousValidUntil = account.PreviousPasswordValidUntil,
        });
    }

    public async Task<OpResult> UnlockAsync(ActorContext actor, long accountId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var (account, error) = await LoadAuthorizedAsync(actor, accountId, AccountAction.Unlock, AuditActions.Unlock, tracked: true, cancellationToken);
        if (account is null)
        {
            return OpResult.Fail(error!);
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (!account.IsLockedAt(now))
        {
            return OpResult.Fail(AccountErrors.NotLocked);
        }

        CredentialService.ClearLock(account);
        account.UpdatedAt = now;
        account.UpdatedBy = actor.Principal.UserId;
        audit.Record(actor.Audit(AuditActions.Unlock, AuditOutcomes.Success, account.UserId));
        return await TryCommitAsync(null, cancellationToken) ? OpResult.Ok : OpResult.Fail(AccountErrors.Conflict);
    }

    internal static IEnumerable<OnshiError> ValidateUserId(string userId)
    {
        if (userId.Length == 0)
        {
            yield return AccountErrors.UserIdRequired;
        }
        else if (!UserIdPattern().IsMatch(userId))
        {
            yield return AccountErrors.UserIdFormat;
        }
        else if (ReservedUserIdPattern().IsMatch(userId))
        {
            yield return AccountErrors.UserIdReserved;
        }
    }

    internal static IEnumerable<OnshiError> ValidateDisplayName(string displayName)
    {
        if (displayName.Length == 0)
        {
            yield return AccountErrors.DisplayNameRequired;
        }
        else if (displayName.Length > 50 || displayName.Any(TextInput.IsForbidden))
        {
            yield return AccountErrors.DisplayNameFormat;
        }
    }

    private async Task<(Account? Account, OnshiError? Error)> LoadAuthorizedAsync(ActorContext actor, long accountId, AccountAction action,
        string auditAction, bool tracked, CancellationToken cancellationToken)
    {
        var query = tracked ? db.Accounts : db.Accounts.AsNoTracking();
        var account = await query.FirstOrDefaultAsync(a => a.Id == accountId, cancellationToken);
        var decision = account is null
            ? PermissionDecision.OtherInstitution
            : PermissionMatrix.Decide(actor.Ref, AccountRef.Of(account), action);
        if (decision == PermissionDecision.Allowed)
        {
            return (account, null);
        }

        // Another institution's account is reported exactly like a missing one, and its user ID is not audited
        // under this institution.
        var (detail, error) = decision switch
        {
            PermissionDecision.OtherInstitution => (account is null ? "not-found" : "other-institution", AccountErrors.NotFound),
            PermissionDecision.Self => ("self", AccountErrors.Self),
            _ => ("not-permitted", AccountErrors.NotPermitted),
        };
        var target = decision == PermissionDecision.OtherInstitution ? $"#{accountId}" : account!.UserId;
        db.ChangeTracker.Clear();
        return (null, await DenyAsync(actor, auditAction, target, detail, error, cancellationToken));
    }

    private async Task<OnshiError> DenyAsync(ActorContext actor, string action, string target, string detail, OnshiError error, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        audit.Record(actor.Audit(action, AuditOutcomes.Denied, target, detail));
        await audit.CommitAsync(cancellationToken);
        return error;
    }

    /// <summary>
    /// Commits the tracked change and the queued audit rows; with <paramref name="endSessions"/>, also ends every open
    /// session of that account (with their audit rows) in the same transaction. False on a concurrent change.
    /// </summary>
    private async Task<bool> TryCommitAsync((long AccountId, string Reason)? endSessions, CancellationToken cancellationToken)
    {
        try
        {
            if (endSessions is { } end)
            {
                await audit.CommitAsync(async ct =>
                {
                    await sessions.EndAllWithinCommitAsync(end.AccountId, end.Reason, ct);
                    return true;
                }, cancellationToken);
            }
            else
            {
                await audit.CommitAsync(cancellationToken);
            }

            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return false;
        }
    }

    /// <summary>
    /// Whether <paramref name="a"/> holds no credential of its kind: none at all, or a machine account holding a person's
    /// (temporary or expiring) password — from before issue 16, its secret is issued by パスワード初期化.
    /// </summary>
    private static bool CredentialPending(Account a) =>
        a.PasswordHash.Length == 0 || (AccountKinds.IsMachine(a.Kind) && (a.MustChangePassword || a.PasswordExpiresAt is not null));

    private static AccountRow ToRow(Account a, DateTime now) => new(a.Id, a.UserId, a.DisplayName, a.Kind, a.Status, a.IsLockedAt(now),
        a.LastLoginAt, a.PasswordExpiresAt, a.MustChangePassword);

    [GeneratedRegex("^[A-Za-z0-9_-]{4,16}$", RegexOptions.CultureInvariant)]
    private static partial Regex UserIdPattern();

    [GeneratedRegex("^([0-9]{7}|[Rr][0-9]{7})$", RegexOptions.CultureInvariant)]
    private static partial Regex ReservedUserIdPattern();
}
