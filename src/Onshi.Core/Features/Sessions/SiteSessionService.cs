using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
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
public sealed class SiteSessionService(OnshiDbContext db, AuditLog audit, TimeProvider time, IOptions<SessionOptions> options)
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
    /// The open session with <paramref name="key"/> of <paramref name="site"/>, if within the idle and absolute limits and
    /// <paramref name="currentStamp"/> (read by the caller for the session's subject) still matches; ends it otherwise.
    /// Also returns the end reason when it ended now. <paramref name="endRecord"/> makes the audit row of a session ended
    /// now (given the reason), written in the same transaction as the end and only by the request that ended it.
    /// </summary>
    public async Task<(SiteSessionInfo? Session, string? EndReason)> ValidateAsync(string site, string key,
        Func<long, CancellationToken, Task<string?>> currentStamp, Func<string, AuditRecord?>? endRecord = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(currentStamp);
        if (!SessionKeys.IsPlausible(key))
        {
            return (null, null);
        }

        var hash = SessionKeys.Hash(key);
        var s = await OpenSession.For(db)(db, hash, site, cancellationToken);
        if (s is null)
        {
            return (null, null);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var stamp = await currentStamp(s.SubjectId, cancellationToken);
        var expiry = opts.Expiry(s.CreatedAt, s.LastSeenAt, now);
        var reason =
            expiry is { } expired ? expired.Reason
            : stamp is null ? SessionEndReasons.Disabled
            : !string.Equals(stamp, s.SecurityStamp, StringComparison.Ordinal) ? SessionEndReasons.StampChanged
            : null;
        if (reason is not null)
        {
            var at = expiry?.EndedAt ?? now;
            var record = endRecord?.Invoke(reason);
            return (null, await EndAsync(s.Id, reason, at, record is null ? null : record with { OccurredAt = new DateTimeOffset(at, TimeSpan.Zero) }, cancellationToken)
                ? reason : null);
        }

        if (now - s.LastSeenAt > opts.TouchInterval)
        {
            await db.SiteSessions.Where(x => x.Id == s.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.LastSeenAt, now), cancellationToken);
        }

        return (new SiteSessionInfo(s.Id, key, s.Site, s.SubjectId, s.SecurityStamp, s.CreatedAt), null);
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

        return await audit.CommitAsync(async ct => await db.SiteSessions.Where(x => x.Id == id && x.EndedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.EndedAt, endedAt).SetProperty(x => x.EndReason, reason), ct) == 1, cancellationToken);
    }
}
