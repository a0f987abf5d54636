using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Caching;
using Onshi.Core.Features.Credentials;

namespace Onshi.Core.Features.Sessions;

/// <summary>Why a session ended; stored and audited as the code.</summary>
public static class SessionEndReasons
{
    public const string Logout = "logout";
    public const string Idle = "idle";
    public const string Absolute = "absolute";
    public const string PasswordInitialized = "password-initialized";
    public const string PasswordChanged = "password-changed";
    public const string Disabled = "disabled";
    public const string StampChanged = "stamp-changed";
    public const string CertificateChanged = "certificate-changed";
    public const string OtherEnvironment = "other-environment";

    /// <summary>The same account logged in elsewhere and chose 強制ログイン (SPEC §4.8).</summary>
    public const string ForcedLogin = "forced-login";
}

/// <summary>The signed-in account as every page sees it, read in one query per request.</summary>
public sealed record SessionPrincipal(
    long SessionId,
    string SessionKey,
    long AccountId,
    string UserId,
    string DisplayName,
    AccountKind Kind,
    long InstitutionId,
    string InstitutionCode,
    string InstitutionName,
    OqsEnvironment Environment,
    bool MustChangePassword,
    bool PasswordExpired,
    DateTime CreatedAt) : ISessionPrincipal;

/// <summary>A previous successful login: when (UTC), from which terminal (its name, if still known) and address.</summary>
public sealed record PreviousLogin(DateTime At, string? TerminalName, string ClientAddress);

/// <summary>Server-side login sessions: created at login, checked on every request, ended by logout or by the system.</summary>
public sealed class SessionService(OnshiDbContext db, AuditLog audit, TimeProvider time, IOptions<SessionOptions> options, AuthenticationCache cache)
    : IHolderSessions
{
    private readonly SessionOptions opts = options.Value;

    /// <summary>
    /// The open session behind a key hash with its account and institution: the query every OQS page runs, compiled once
    /// per model (<see cref="CompiledQuery{TQuery}"/>; EF Core then skips translating the expression and looking it up in its query cache on every request).
    /// </summary>
    private static readonly CompiledQuery<Func<OnshiDbContext, string, CancellationToken, Task<SessionRow?>>> OpenSessionByKeyHash = new(() =>
        EF.CompileAsyncQuery((OnshiDbContext db, string hash, CancellationToken ct) => db.LoginSessions.AsNoTracking()
            .Where(s => s.KeyHash == hash && s.EndedAt == null)
            .Select(s => new SessionRow
            {
                SessionId = s.Id,
                CreatedAt = s.CreatedAt,
                LastSeenAt = s.LastSeenAt,
                SecurityStamp = s.SecurityStamp,
                CertificateThumbprint = s.CertificateThumbprint,
                ClientAddress = s.ClientAddress,
                AccountStamp = s.Account!.SecurityStamp,
                Status = s.Account.Status,
                AccountId = s.Account.Id,
                UserId = s.Account.UserId,
                DisplayName = s.Account.DisplayName,
                Kind = s.Account.Kind,
                InstitutionId = s.Account.InstitutionId,
                Code = s.Account.Institution!.Code,
                InstitutionName = s.Account.Institution.Name,
                Environment = s.Account.Environment,
                MustChangePassword = s.Account.MustChangePassword,
                PasswordExpiresAt = s.Account.PasswordExpiresAt,
            })
            .FirstOrDefault()));

    /// <summary>
    /// Starts a session for <paramref name="account"/> (tracked; saved by the caller's commit) and returns its key, for
    /// the cookie only: the row holds the key's hash (<see cref="SessionKeys"/>).
    /// </summary>
    public string Start(Account account, string certificateThumbprint, string clientAddress)
    {
        ArgumentNullException.ThrowIfNull(account);
        var now = time.GetUtcNow().UtcDateTime;
        var key = SessionKeys.NewKey();
        var session = new LoginSession
        {
            KeyHash = SessionKeys.Hash(key),
            AccountId = account.Id,
            InstitutionId = account.InstitutionId,
            SecurityStamp = account.SecurityStamp,
            CertificateThumbprint = certificateThumbprint,
            ClientAddress = clientAddress,
            CreatedAt = now,
            LastSeenAt = now,
        };
        db.LoginSessions.Add(session);
        return key;
    }

    /// <summary>
    /// Validates the session behind a cookie: not ended, not idle, within the absolute limit, the account still active
    /// with the same security stamp, and presented from the same terminal certificate. Ends it (audited) otherwise.
    /// The session, account and institution columns come from the <see cref="AuthenticationCache"/> while it serves (dropped by
    /// any change to the three rows); the limits are checked against the clock on every request, and a session the cached
    /// columns would refuse is decided again from the database.
    /// </summary>
    public async Task<SessionPrincipal?> ValidateAsync(string key, string certificateThumbprint, OqsEnvironment environment,
        CancellationToken cancellationToken = default)
    {
        if (!SessionKeys.IsPlausible(key))
        {
            return null;
        }

        var now = time.GetUtcNow().UtcDateTime;
        var hash = SessionKeys.Hash(key);
        var cacheKey = "oqs-session|" + hash;
        if (cache.TryGet<CachedSession>(cacheKey, out var cached))
        {
            if (EndReason(cached!.Row, cached.LastSeenAt, certificateThumbprint, environment, now) is null)
            {
                if (now - cached.LastSeenAt > opts.TouchInterval)
                {
                    await TouchAsync(cached.Row.SessionId, now, cancellationToken);
                    cached.LastSeenAt = now;
                }

                return Principal(cached.Row, key, now);
            }

            // Refused by what this instance holds: decided from the database (another instance may have touched it since).
            cache.Remove(cacheKey);
        }

        var generation = cache.Generation;
        var row = await OpenSessionByKeyHash.For(db)(db, hash, cancellationToken);
        if (row is null)
        {
            return null;
        }

        var expiry = opts.Expiry(row.CreatedAt, row.LastSeenAt, now, Accounts.AccountKinds.IsMachine(row.Kind));
        if (EndReason(row, row.LastSeenAt, certificateThumbprint, environment, now) is { } endReason)
        {
            await EndAsync(row.SessionId, endReason, row.UserId, row.Kind, row.InstitutionId, row.Code, row.Environment, row.ClientAddress, cancellationToken,
                expiry?.EndedAt);
            return null;
        }

        var lastSeen = row.LastSeenAt;
        if (now - lastSeen > opts.TouchInterval)
        {
            await TouchAsync(row.SessionId, now, cancellationToken);
            lastSeen = now;
        }

        cache.Set(cacheKey, new CachedSession(row, lastSeen),
            [CacheKeys.OqsSession(row.SessionId), CacheKeys.Account(row.AccountId), CacheKeys.Institution(row.InstitutionId)], generation);
        return Principal(row, key, now);
    }

    /// <summary>Why the session must end now, or null: the limits against the clock, then the account, the stamp, the certificate and the environment.</summary>
    private string? EndReason(SessionRow row, DateTime lastSeenAt, string certificateThumbprint, OqsEnvironment environment, DateTime now) =>
        opts.Expiry(row.CreatedAt, lastSeenAt, now, Accounts.AccountKinds.IsMachine(row.Kind)) is { } expired ? expired.Reason
        : row.Status != AccountStatus.Active ? SessionEndReasons.Disabled
        : row.AccountStamp != row.SecurityStamp ? SessionEndReasons.StampChanged
        : !string.Equals(row.CertificateThumbprint, certificateThumbprint, StringComparison.Ordinal) ? SessionEndReasons.CertificateChanged
        : row.Environment != environment ? SessionEndReasons.OtherEnvironment
        : null;

    private static SessionPrincipal Principal(SessionRow row, string key, DateTime now) =>
        new(row.SessionId, key, row.AccountId, row.UserId, row.DisplayName, row.Kind, row.InstitutionId, row.Code,
            row.InstitutionName, row.Environment, row.MustChangePassword, row.PasswordExpiresAt is { } exp && exp <= now, row.CreatedAt);

    /// <summary>Writes <c>LastSeenAt</c> (at most once per <see cref="SessionOptions.TouchInterval"/>); cached entries keep their own, so it invalidates nothing.</summary>
    private Task<int> TouchAsync(long sessionId, DateTime now, CancellationToken cancellationToken)
    {
        db.DeclareNeutralWrite(typeof(LoginSession));
        return db.LoginSessions.Where(s => s.Id == sessionId).ExecuteUpdateAsync(u => u.SetProperty(s => s.LastSeenAt, now), cancellationToken);
    }

    /// <summary>
    /// 前回ログイン: the account's successful login before the session <paramref name="currentSessionId"/> (every successful login
    /// starts a session, and ended sessions are kept), with the name of the terminal it came from (null when its certificate is
    /// no longer known). Null at the account's first login.
    /// </summary>
    public async Task<PreviousLogin?> PreviousLoginAsync(long accountId, long currentSessionId, CancellationToken cancellationToken = default)
    {
        var previous = await db.LoginSessions.AsNoTracking()
            .Where(s => s.AccountId == accountId && s.Id < currentSessionId)
            .OrderByDescending(s => s.Id)
            .Select(s => new { s.CreatedAt, s.CertificateThumbprint, s.ClientAddress })
            .FirstOrDefaultAsync(cancellationToken);
        if (previous is null)
        {
            return null;
        }

        var terminal = await db.TerminalCertificates.AsNoTracking()
            .Where(c => c.Thumbprint == previous.CertificateThumbprint)
            .Select(c => c.TerminalName)
            .FirstOrDefaultAsync(cancellationToken);
        return new PreviousLogin(previous.CreatedAt, terminal, previous.ClientAddress);
    }

    /// <summary>
    /// Whether the account has a live session (open, within the idle and absolute limits) other than the one behind
    /// <paramref name="exceptKey"/> (the browser that logs in again): the one live session per account of SPEC §4.8.
    /// </summary>
    public async Task<bool> HasOtherLiveSessionAsync(long accountId, string? exceptKey, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var idleSince = now - opts.IdleTimeout;
        var createdSince = now - opts.AbsoluteTimeout;
        var except = exceptKey is not null && SessionKeys.IsPlausible(exceptKey) ? SessionKeys.Hash(exceptKey) : "";
        return await db.LoginSessions.AsNoTracking().AnyAsync(s => s.AccountId == accountId && s.EndedAt == null
            && s.LastSeenAt >= idleSince && s.CreatedAt >= createdSince && s.KeyHash != except, cancellationToken);
    }

    /// <summary>
    /// Why the session behind <paramref name="key"/> ended (<see cref="SessionEndReasons"/>), or null when there is no
    /// ended session with that key: read only for a cookie that was just refused, so that the login page can say why.
    /// </summary>
    public async Task<string?> EndReasonAsync(string key, CancellationToken cancellationToken = default)
    {
        if (!SessionKeys.IsPlausible(key))
        {
            return null;
        }

        var hash = SessionKeys.Hash(key);
        return await db.LoginSessions.AsNoTracking().Where(s => s.KeyHash == hash && s.EndedAt != null).Select(s => s.EndReason)
            .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>Ends the session with <paramref name="key"/> (logout). Returns false when there was none.</summary>
    public async Task<bool> LogoutAsync(string key, CancellationToken cancellationToken = default)
    {
        if (!SessionKeys.IsPlausible(key))
        {
            return false;
        }

        var hash = SessionKeys.Hash(key);
        var row = await db.LoginSessions.AsNoTracking().Where(s => s.KeyHash == hash && s.EndedAt == null)
            .Select(s => new { s.Id, s.Account!.UserId, s.Account.Kind, s.Account.InstitutionId, s.Account.Institution!.Code, s.Account.Environment, s.ClientAddress })
            .FirstOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            return false;
        }

        await EndAsync(row.Id, SessionEndReasons.Logout, row.UserId, row.Kind, row.InstitutionId, row.Code, row.Environment, row.ClientAddress, cancellationToken);
        return true;
    }

    /// <summary>
    /// Ends every open session of an account except <paramref name="sessionId"/> (the one that asked: its own password
    /// changed) and queues one audit row per session it ended, inside the work of the caller's
    /// <see cref="AuditLog.CommitAsync(Func{CancellationToken, Task{bool}}?, CancellationToken)"/>, so the password change
    /// and the ends are one commit. Returns how many ended.
    /// </summary>
    Task<int> IHolderSessions.EndOthersWithinCommitAsync(long holderId, long sessionId, string reason, CancellationToken cancellationToken) =>
        EndOpenWithinCommitAsync(holderId, sessionId, reason, cancellationToken);

    /// <summary>The session that changed its account's password moves to the new stamp (tracked; saved by the caller's commit).</summary>
    async Task IHolderSessions.CarryOverAsync(long holderId, long sessionId, string newStamp, CancellationToken cancellationToken)
    {
        var current = await db.LoginSessions.FirstOrDefaultAsync(s => s.Id == sessionId && s.AccountId == holderId && s.EndedAt == null, cancellationToken);
        if (current is not null)
        {
            current.SecurityStamp = newStamp;
        }
    }

    /// <summary>
    /// Ends every open session of an account and queues one audit row per session it ended, to be called inside the
    /// work of the caller's <see cref="AuditLog.CommitAsync(Func{CancellationToken, Task{bool}}?, CancellationToken)"/>: the
    /// change that ends them (パスワード初期化, 無効化, 秘密の番号再発行) and the ends are then one transaction, and a process
    /// killed in between leaves neither. Each end is a conditional update, so a session ended meanwhile gets no second row.
    /// </summary>
    internal Task<int> EndAllWithinCommitAsync(long accountId, string reason, CancellationToken cancellationToken) =>
        EndOpenWithinCommitAsync(accountId, null, reason, cancellationToken);

    private async Task<int> EndOpenWithinCommitAsync(long accountId, long? exceptSessionId, string reason, CancellationToken cancellationToken)
    {
        var at = time.GetUtcNow().UtcDateTime;
        var query = db.LoginSessions.AsNoTracking().Where(s => s.AccountId == accountId && s.EndedAt == null);
        if (exceptSessionId is { } except)
        {
            query = query.Where(s => s.Id != except);
        }

        var open = await query
            .Select(s => new { s.Id, s.Account!.UserId, s.Account.Kind, s.Account.InstitutionId, s.Account.Institution!.Code, s.Account.Environment, s.ClientAddress })
            .ToListAsync(cancellationToken);
        var ended = 0;
        foreach (var s in open)
        {
            db.InvalidateOnCommit(CacheKeys.OqsSession(s.Id));
            if (await db.LoginSessions.Where(x => x.Id == s.Id && x.EndedAt == null)
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.EndedAt, at).SetProperty(x => x.EndReason, reason), cancellationToken) == 1)
            {
                audit.Record(EndRecord(reason, s.UserId, s.Kind, s.InstitutionId, s.Code, s.Environment, s.ClientAddress, at));
                ended++;
            }
        }

        return ended;
    }

    /// <summary>
    /// Ends one session and writes its audit row in the same transaction, only if it was still open (a conditional
    /// update): when several requests or instances (or the sweeper) end it at once, exactly one row is written.
    /// <paramref name="endedAt"/> is the real end of an idle or absolute expiry; otherwise now.
    /// </summary>
    internal async Task<bool> EndAsync(long sessionId, string reason, string userId, AccountKind kind, long institutionId, string institutionCode,
        OqsEnvironment environment, string clientAddress, CancellationToken cancellationToken, DateTime? endedAt = null)
    {
        var at = endedAt ?? time.GetUtcNow().UtcDateTime;
        audit.Record(EndRecord(reason, userId, kind, institutionId, institutionCode, environment, clientAddress, at));
        return await audit.CommitAsync(async ct =>
        {
            db.InvalidateOnCommit(CacheKeys.OqsSession(sessionId));
            return await db.LoginSessions.Where(s => s.Id == sessionId && s.EndedAt == null)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.EndedAt, at).SetProperty(s => s.EndReason, reason), ct) == 1;
        }, cancellationToken);
    }

    private static AuditRecord EndRecord(string reason, string userId, AccountKind kind, long institutionId, string institutionCode,
        OqsEnvironment environment, string clientAddress, DateTime at) =>
        new(reason == SessionEndReasons.Logout ? AuditActions.Logout : AuditActions.SessionEnd, AuditOutcomes.Success)
        {
            Environment = environment,
            InstitutionId = institutionId,
            InstitutionCode = institutionCode,
            Actor = userId,
            ActorKind = kind,
            Target = userId,
            Detail = reason,
            ClientAddress = clientAddress,
            OccurredAt = new DateTimeOffset(at, TimeSpan.Zero),
        };
}

/// <summary>A session's columns held by the <see cref="AuthenticationCache"/>, with the last touch this instance knows of.</summary>
internal sealed class CachedSession(SessionRow row, DateTime lastSeenAt)
{
    private long lastSeenTicks = lastSeenAt.Ticks;

    public SessionRow Row { get; } = row;

    /// <summary>When <c>LastSeenAt</c> was last written (by this instance; another's touch is read when this one would refuse).</summary>
    public DateTime LastSeenAt
    {
        get => new(Interlocked.Read(ref lastSeenTicks), DateTimeKind.Utc);
        set => Interlocked.Exchange(ref lastSeenTicks, value.Ticks);
    }
}

/// <summary>The columns <see cref="SessionService.ValidateAsync"/> reads: the session, its account and institution.</summary>
internal sealed class SessionRow
{
    public long SessionId { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime LastSeenAt { get; init; }
    public required string SecurityStamp { get; init; }
    public required string CertificateThumbprint { get; init; }
    public required string ClientAddress { get; init; }
    public required string AccountStamp { get; init; }
    public AccountStatus Status { get; init; }
    public long AccountId { get; init; }
    public required string UserId { get; init; }
    public required string DisplayName { get; init; }
    public AccountKind Kind { get; init; }
    public long InstitutionId { get; init; }
    public required string Code { get; init; }
    public required string InstitutionName { get; init; }
    public OqsEnvironment Environment { get; init; }
    public bool MustChangePassword { get; init; }
    public DateTime? PasswordExpiresAt { get; init; }
}
