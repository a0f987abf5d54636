using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Caching;
using Onshi.Core.Features.Credentials;

namespace Onshi.Core.Features.Sessions;

/// <summary>The sites that use <see cref="SiteSession"/>.</summary>
public static class Sites
{
    public const string Portal = "portal";
    public const string Operator = "operator";
}

/// <summary>A valid session of the portal or the operator console.</summary>
public sealed record SiteSessionInfo(long SessionId, string Key, string Site, long SubjectId, string SecurityStamp, DateTime CreatedAt);

/// <summary>
/// Server-side sessions of the portal and the operator console, with the same limits as the OQS
/// (<see cref="SessionOptions"/>): idle, absolute, and the subject's security stamp. The caller supplies the subject's
/// current stamp, so this service knows nothing of portal users or operators.
/// </summary>
public sealed class SiteSessionService(OnshiDbContext db, AuditLog audit, TimeProvider time, IOptions<SessionOptions> options, AuthenticationCache cache)
{
    private readonly OnshiDbContext db = db;
    private readonly SessionOptions opts = options.Value;

    /// <summary>The open session by key hash and site: read on every portal and console page, so compiled once per model.</summary>
    private static readonly CompiledQuery<Func<OnshiDbContext, string, string, CancellationToken, Task<SiteSession?>>> OpenSession = new(() =>
        EF.CompileAsyncQuery((OnshiDbContext db, string hash, string site, CancellationToken ct) =>
            db.SiteSessions.AsNoTracking().FirstOrDefault(x => x.KeyHash == hash && x.Site == site && x.EndedAt == null)));

    /// <summary>
    /// Starts a session (tracked; saved by the caller's commit) and returns its key, for the cookie only: the row holds
    /// the key's hash (<see cref="SessionKeys"/>).
    /// </summary>
    public string Start(string site, long subjectId, string securityStamp, string clientAddress)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var key = SessionKeys.NewKey();
        var session = new SiteSession
        {
            Site = site,
            KeyHash = SessionKeys.Hash(key),
            SubjectId = subjectId,
            SecurityStamp = securityStamp,
            ClientAddress = clientAddress,
            CreatedAt = now,
            LastSeenAt = now,
        };
        db.SiteSessions.Add(session);
        return key;
    }

    /// <summary>
    /// The open session with <paramref name="key"/> of <paramref name="site"/> and its subject (loaded by
    /// <paramref name="loadSubject"/>: a small immutable snapshot, e.g. a record), if within the idle and absolute limits and the
    /// subject's current stamp (<paramref name="stampOf"/>; null = may not be signed in) still matches; ends it otherwise. Also
    /// returns the end reason when it ended now. <paramref name="endRecord"/> makes the audit row of a session ended now (given
    /// the subject, if found, and the reason), written in the same transaction as the end and only by the request that ended it.
    /// The session and the subject come from the <see cref="AuthenticationCache"/> while it serves, dropped by any change to the
    /// session's row or the subject's (<paramref name="subjectKey"/>, a <see cref="CacheKeys"/> key); the limits are checked
    /// against the clock on every request, and a session the cached columns would refuse is decided again from the database.
    /// </summary>
    public async Task<(SiteSessionInfo? Session, TSubject? Subject, string? EndReason)> ValidateAsync<TSubject>(string site, string key,
        Func<long, CancellationToken, Task<TSubject?>> loadSubject, Func<TSubject, string?> stampOf, Func<long, string> subjectKey,
        Func<TSubject?, string, AuditRecord?>? endRecord = null, CancellationToken cancellationToken = default)
        where TSubject : class
    {
        ArgumentNullException.ThrowIfNull(loadSubject);
        ArgumentNullException.ThrowIfNull(stampOf);
        ArgumentNullException.ThrowIfNull(subjectKey);
        if (!SessionKeys.IsPlausible(key))
        {
            return (null, null, null);
        }

        var hash = SessionKeys.Hash(key);
        var now = time.GetUtcNow().UtcDateTime;
        var cacheKey = "site-session|" + site + "|" + hash;
        if (cache.TryGet<CachedSiteSession<TSubject>>(cacheKey, out var cached))
        {
            var lastSeen = cached!.LastSeenAt;
            if (EndReason(cached.Session.CreatedAt, lastSeen, now, stampOf(cached.Subject), cached.Session.SecurityStamp) is null)
            {
                if (now - lastSeen > opts.TouchInterval)
                {
                    await TouchAsync(cached.Session.Id, now, cancellationToken);
                    cached.LastSeenAt = now;
                }

                return (Info(cached.Session, key), cached.Subject, null);
            }

            // Refused by what this instance holds: decided from the database (another instance may have touched it since).
            cache.Remove(cacheKey);
        }

        var generation = cache.Generation;
        var s = await OpenSession.For(db)(db, hash, site, cancellationToken);
        if (s is null)
        {
            return (null, null, null);
        }

        var subject = await loadSubject(s.SubjectId, cancellationToken);
        var expiry = opts.Expiry(s.CreatedAt, s.LastSeenAt, now);
        if (EndReason(s.CreatedAt, s.LastSeenAt, now, subject is null ? null : stampOf(subject), s.SecurityStamp) is { } reason)
        {
            var at = expiry?.EndedAt ?? now;
            var record = endRecord?.Invoke(subject, reason);
            return (null, subject, await EndAsync(s.Id, reason, at, record is null ? null : record with { OccurredAt = new DateTimeOffset(at, TimeSpan.Zero) }, cancellationToken)
                ? reason : null);
        }

        var seen = s.LastSeenAt;
        if (now - seen > opts.TouchInterval)
        {
            await TouchAsync(s.Id, now, cancellationToken);
            seen = now;
        }

        cache.Set(cacheKey, new CachedSiteSession<TSubject>(s, subject!, seen), [CacheKeys.SiteSession(s.Id), subjectKey(s.SubjectId)], generation);
        return (Info(s, key), subject, null);
    }

    /// <summary>Why the session must end now, or null: the limits against the clock, then the subject's stamp (null: may not sign in).</summary>
    private string? EndReason(DateTime createdAt, DateTime lastSeenAt, DateTime now, string? currentStamp, string sessionStamp) =>
        opts.Expiry(createdAt, lastSeenAt, now) is { } expired ? expired.Reason
        : currentStamp is null ? SessionEndReasons.Disabled
        : !string.Equals(currentStamp, sessionStamp, StringComparison.Ordinal) ? SessionEndReasons.StampChanged
        : null;

    private static SiteSessionInfo Info(SiteSession s, string key) => new(s.Id, key, s.Site, s.SubjectId, s.SecurityStamp, s.CreatedAt);

    /// <summary>Writes <c>LastSeenAt</c> (at most once per <see cref="SessionOptions.TouchInterval"/>); cached entries keep their own, so it invalidates nothing.</summary>
    private Task<int> TouchAsync(long id, DateTime now, CancellationToken cancellationToken)
    {
        db.DeclareNeutralWrite(typeof(SiteSession));
        return db.SiteSessions.Where(x => x.Id == id).ExecuteUpdateAsync(u => u.SetProperty(x => x.LastSeenAt, now), cancellationToken);
    }

    /// <summary>
    /// Ends the session with <paramref name="key"/>; returns its subject, or null when there was none.
    /// <paramref name="endRecord"/> makes its audit row (from the subject), written in the same transaction.
    /// </summary>
    public async Task<long?> EndAsync(string site, string key, string reason,
        Func<long, CancellationToken, Task<AuditRecord?>>? endRecord = null, CancellationToken cancellationToken = default)
    {
        if (!SessionKeys.IsPlausible(key))
        {
            return null;
        }

        var hash = SessionKeys.Hash(key);
        var s = await OpenSession.For(db)(db, hash, site, cancellationToken);
        if (s is null)
        {
            return null;
        }

        var record = endRecord is null ? null : await endRecord(s.SubjectId, cancellationToken);
        return await EndAsync(s.Id, reason, time.GetUtcNow().UtcDateTime, record, cancellationToken) ? s.SubjectId : null;
    }

    /// <summary>
    /// The sessions of <paramref name="site"/> as a change of the subject's own password ends them
    /// (<see cref="CredentialService.ChangeOwnAsync{T}"/>): each other session ends with the audit row
    /// <paramref name="endRecord"/> makes from the session's client address (if any).
    /// </summary>
    public IHolderSessions For(string site, Func<string, AuditRecord?> endRecord) => new HolderSessions(this, site, endRecord);

    private sealed class HolderSessions(SiteSessionService owner, string site, Func<string, AuditRecord?> endRecord) : IHolderSessions
    {
        public async Task CarryOverAsync(long holderId, long sessionId, string newStamp, CancellationToken cancellationToken)
        {
            var current = await owner.db.SiteSessions.FirstOrDefaultAsync(
                x => x.Id == sessionId && x.Site == site && x.SubjectId == holderId && x.EndedAt == null, cancellationToken);
            if (current is not null)
            {
                current.SecurityStamp = newStamp;
            }
        }

        public Task<int> EndOthersWithinCommitAsync(long holderId, long sessionId, string reason, CancellationToken cancellationToken) =>
            owner.EndOpenWithinCommitAsync(site, holderId, sessionId, reason, endRecord, cancellationToken);
    }

    /// <summary>
    /// Ends every open session of a subject of <paramref name="site"/>, to be called inside the work of the caller's
    /// <see cref="AuditLog.CommitAsync(Func{CancellationToken, Task{bool}}?, CancellationToken)"/>: the change that ends the
    /// sessions (a password reset) and the ends with their audit rows are one transaction. Returns how many ended.
    /// </summary>
    internal Task<int> EndAllWithinCommitAsync(string site, long subjectId, string reason, Func<string, AuditRecord?>? endRecord,
        CancellationToken cancellationToken) =>
        EndOpenWithinCommitAsync(site, subjectId, null, reason, endRecord, cancellationToken);

    private async Task<int> EndOpenWithinCommitAsync(string site, long subjectId, long? exceptSessionId, string reason,
        Func<string, AuditRecord?>? endRecord, CancellationToken cancellationToken)
    {
        var query = db.SiteSessions.AsNoTracking().Where(x => x.Site == site && x.SubjectId == subjectId && x.EndedAt == null);
        if (exceptSessionId is { } except)
        {
            query = query.Where(x => x.Id != except);
        }

        var open = await query.Select(x => new { x.Id, x.ClientAddress }).ToListAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        var ended = 0;
        foreach (var s in open)
        {
            db.InvalidateOnCommit(CacheKeys.SiteSession(s.Id));
            if (await db.SiteSessions.Where(x => x.Id == s.Id && x.EndedAt == null)
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.EndedAt, now).SetProperty(x => x.EndReason, reason), cancellationToken) == 1)
            {
                if (endRecord?.Invoke(s.ClientAddress) is { } record)
                {
                    audit.Record(record);
                }

                ended++;
            }
        }

        return ended;
    }

    /// <summary>
    /// Ends one session at <paramref name="endedAt"/> with its audit row (if any) in the same transaction, only if it was
    /// still open: when several requests, instances or the sweeper end it at once, exactly one of them writes the row.
    /// </summary>
    internal async Task<bool> EndAsync(long id, string reason, DateTime endedAt, AuditRecord? record, CancellationToken cancellationToken)
    {
        if (record is not null)
        {
            audit.Record(record);
        }

        return await audit.CommitAsync(async ct =>
        {
            db.InvalidateOnCommit(CacheKeys.SiteSession(id));
            return await db.SiteSessions.Where(x => x.Id == id && x.EndedAt == null)
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.EndedAt, endedAt).SetProperty(x => x.EndReason, reason), ct) == 1;
        }, cancellationToken);
    }
}

/// <summary>A site session and its subject held by the <see cref="AuthenticationCache"/>, with the last touch this instance knows of.</summary>
internal sealed class CachedSiteSession<TSubject>(SiteSession session, TSubject subject, DateTime lastSeenAt)
{
    private long lastSeenTicks = lastSeenAt.Ticks;

    /// <summary>The row as read (never changed: the entry is dropped when the row changes).</summary>
    public SiteSession Session { get; } = session;

    public TSubject Subject { get; } = subject;

    /// <summary>When <c>LastSeenAt</c> was last written (by this instance; another's touch is read when this one would refuse).</summary>
    public DateTime LastSeenAt
    {
        get => new(Interlocked.Read(ref lastSeenTicks), DateTimeKind.Utc);
        set => Interlocked.Exchange(ref lastSeenTicks, value.Ticks);
    }
}
