using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Operators;
using Onshi.Core.Features.PortalAccounts;

namespace Onshi.Core.Features.Sessions;

/// <summary>
/// Ends the sessions that expired (idle or absolute limit) without their cookie ever coming back, and writes their
/// <c>session.end</c> audit rows with the moment each really ended, so the login time and duration per account read
/// from the 操作ログ stay right. Each session is ended by a conditional update in the same transaction as its audit row,
/// so several instances (or a request validating the same cookie) never write two rows for one session.
/// </summary>
public sealed class SessionSweep(OnshiDbContext db, SessionService oqsSessions, SiteSessionService siteSessions, AuditLog audit,
    RefusalAuditGate refusals, TimeProvider time,
    IOptions<SessionOptions> options, IOptions<Login.LoginOptions> login, IOptions<PortalAccountOptions> portal, IOptions<Caching.AuthenticationCacheOptions> cache)
{
    /// <summary>Sessions handled per kind and sweep; the next sweep takes the rest.</summary>
    public const int BatchSize = 500;

    private readonly SessionOptions opts = options.Value;

    /// <summary>Ends every expired open session (up to <see cref="BatchSize"/> of each kind); returns how many this call ended.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().UtcDateTime;

        // The shared login throttle's attempts past its window count no more (Login.DbLoginThrottle).
        await Login.DbLoginThrottle.SweepAsync(db, now, login.Value.ThrottleWindow, cancellationToken);

        // The SQLite cache signals every process has long read (Caching.CacheInvalidationInterceptor); PostgreSQL writes none.
        if (!db.Database.IsPostgres())
        {
            var signalsBefore = now - cache.Value.SignalRetention;
            await db.CacheSignals.Where(s => s.At < signalsBefore).ExecuteDeleteAsync(cancellationToken);
        }

        // 新規登録 never verified, once their link has expired (issue 14, 15).
        await PortalRegistrationService.PurgeUnverifiedAsync(db, audit, now, portal.Value.VerificationLinkLifetime, BatchSize, cancellationToken);

        // The refusals this site counted but did not write yet, one summary row per key (Audit.RefusalAuditGate).
        if (refusals.TakeDue() is { Count: > 0 } due)
        {
            foreach (var record in due)
            {
                audit.Record(record);
            }

            await audit.CommitAsync(cancellationToken);
        }

        var idleCutoff = now - opts.IdleTimeout;
        var absoluteCutoff = now - opts.AbsoluteTimeout;
        var ended = 0;

        var oqs = await db.LoginSessions.AsNoTracking()
            .Where(s => s.EndedAt == null && (s.LastSeenAt < idleCutoff || s.CreatedAt < absoluteCutoff))
            .OrderBy(s => s.Id).Take(BatchSize)
            .Select(s => new
            {
                s.Id,
                s.CreatedAt,
                s.LastSeenAt,
                s.ClientAddress,
                s.Account!.UserId,
                s.Account.Kind,
                s.Account.InstitutionId,
                s.Account.Institution!.Code,
                s.Account.Environment,
            })
            .ToListAsync(cancellationToken);
        foreach (var s in oqs)
        {
            if (opts.Expiry(s.CreatedAt, s.LastSeenAt, now) is { } expiry
                && await oqsSessions.EndAsync(s.Id, expiry.Reason, s.UserId, s.Kind, s.InstitutionId, s.Code, s.Environment, s.ClientAddress,
                    cancellationToken, expiry.EndedAt))
            {
                ended++;
            }
        }

        var sites = await db.SiteSessions.AsNoTracking()
            .Where(s => s.EndedAt == null && (s.LastSeenAt < idleCutoff || s.CreatedAt < absoluteCutoff))
            .OrderBy(s => s.Id).Take(BatchSize)
            .ToListAsync(cancellationToken);
        foreach (var s in sites)
        {
            if (opts.Expiry(s.CreatedAt, s.LastSeenAt, now) is not { } expiry)
            {
                continue;
            }

            AuditRecord? record = s.Site switch
            {
                Sites.Portal => PortalLoginService.SessionEndRecord(s.SubjectId, expiry.Reason),
                Sites.Operator => OperatorLoginService.SessionEndRecord(
                    await db.OperatorAccounts.Where(o => o.Id == s.SubjectId).Select(o => o.UserId).FirstOrDefaultAsync(cancellationToken) ?? "",
                    expiry.Reason, s.ClientAddress),
                _ => null,
            };
            if (await siteSessions.EndAsync(s.Id, expiry.Reason, expiry.EndedAt,
                record is null ? null : record with { OccurredAt = new DateTimeOffset(expiry.EndedAt, TimeSpan.Zero) }, cancellationToken))
            {
                ended++;
            }
        }

        return ended;
    }
}

/// <summary>Runs <see cref="SessionSweep"/> every <see cref="SessionOptions.SweepInterval"/> (on the injected clock).</summary>
public sealed partial class SessionSweeper(IServiceScopeFactory scopes, TimeProvider time, IOptions<SessionOptions> options, ILogger<SessionSweeper> logger)
    : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var ended = await scope.ServiceProvider.GetRequiredService<SessionSweep>().SweepAsync(stoppingToken);
                    if (ended > 0)
                    {
                        Swept(logger, ended);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The type only: a database message could quote values. The next tick tries again.
                    SweepFailed(logger, ex.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 7101, Level = LogLevel.Information, Message = "Session sweeper ended {Count} expired sessions")]
    private static partial void Swept(ILogger logger, int count);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Warning, Message = "Session sweep failed ({ExceptionType}); retrying on the next tick")]
    private static partial void SweepFailed(ILogger logger, string exceptionType);
}
