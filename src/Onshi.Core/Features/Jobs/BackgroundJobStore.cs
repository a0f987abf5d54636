using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Onshi.Core.Data;

namespace Onshi.Core.Features.Jobs;

/// <summary>Where a <see cref="BackgroundJob"/> stands.</summary>
public enum BackgroundJobStatus
{
    /// <summary>Waiting to be claimed (from <see cref="BackgroundJob.AvailableAt"/>).</summary>
    Pending = 1,

    /// <summary>Claimed; its lease owner works on it (or died, and the lease will run out).</summary>
    Running = 2,

    /// <summary>Done: the handler finished (whatever its own outcome, e.g. a refused file).</summary>
    Succeeded = 3,

    /// <summary>Given up after <see cref="BackgroundJobOptions.MaxAttempts"/> failed runs.</summary>
    Failed = 4,
}

/// <summary>One claimed run of a job, handed to its <see cref="IBackgroundJobHandler"/>.</summary>
public sealed class BackgroundJobRun(long jobId, string kind, long payloadId, int attempt, string owner)
{
    public long JobId { get; } = jobId;

    public string Kind { get; } = kind;

    public long PayloadId { get; } = payloadId;

    /// <summary>1 on the first run; more when an earlier run died or failed (a handler re-runs from the start).</summary>
    public int Attempt { get; } = attempt;

    /// <summary>The instance holding the lease.</summary>
    public string Owner { get; } = owner;

    /// <summary>Set once the handler has completed the job inside its own transaction.</summary>
    public bool Completed { get; private set; }

    /// <summary>
    /// Marks the job succeeded <b>inside the caller's open transaction</b> (so the handler's last write and the job's end
    /// commit together), provided this run still holds the lease. False means another instance took the job over (this
    /// run's lease ran out): the caller must roll back.
    /// </summary>
    public async Task<bool> CompleteAsync(OnshiDbContext db, DateTime now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var owner = Owner;
        var changed = await db.BackgroundJobs
            .Where(j => j.Id == JobId && j.Status == BackgroundJobStatus.Running && j.LeaseOwner == owner)
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, BackgroundJobStatus.Succeeded)
                .SetProperty(j => j.FinishedAt, now)
                .SetProperty(j => j.LeaseUntil, (DateTime?)null), cancellationToken);
        Completed = changed == 1;
        return Completed;
    }
}

/// <summary>Lease checks a handler makes inside its own transactions.</summary>
public static class BackgroundJobRunExtensions
{
    /// <summary>
    /// Whether <paramref name="run"/> still holds its job, asked <b>inside the caller's open transaction</b> by an UPDATE of the
    /// job's heartbeat (so the row stays locked by this transaction on PostgreSQL until it commits): a handler that commits its
    /// work in several transactions asks before each commit and rolls back on false (another instance took the job over).
    /// </summary>
    public static async Task<bool> HoldsLeaseAsync(this BackgroundJobRun run, OnshiDbContext db, DateTime now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(db);
        var id = run.JobId;
        var owner = run.Owner;
        return await db.BackgroundJobs
            .Where(j => j.Id == id && j.Status == BackgroundJobStatus.Running && j.LeaseOwner == owner)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.HeartbeatAt, now), cancellationToken) == 1;
    }
}

/// <summary>The columns a claim returns.</summary>
internal sealed class ClaimedJob
{
    public long Id { get; set; }

    public long PayloadId { get; set; }

    public int Attempts { get; set; }
}

/// <summary>
/// The shared job table (docs/architecture.md "Background jobs"): enqueue a job in the same commit as its payload, and — for
/// the workers — claim, renew, finish or give up. A claim is one statement that is safe with any number of instances:
/// <c>FOR UPDATE SKIP LOCKED</c> on PostgreSQL (concurrent claimers skip each other's rows instead of waiting), a conditional
/// <c>UPDATE … RETURNING</c> on SQLite (one writer at a time, the condition re-checked by the update itself). A job whose
/// holder died is claimable again once its lease has run out, and runs again from the start.
/// </summary>
public sealed class BackgroundJobStore(OnshiDbContext db, TimeProvider time, IOptions<BackgroundJobOptions> options)
{
    /// <summary>This process's identity as a lease owner: host name, process id and a random part.</summary>
    public static string InstanceId { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Adds a pending job to the context (saved with the caller's next commit, together with its payload).</summary>
    public BackgroundJob Enqueue(string kind, long payloadId) => Enqueue(kind, payloadId, null);

    /// <summary>Adds a pending job that no worker claims before <paramref name="availableAt"/> (UTC; null: at once), e.g. a purge.</summary>
    public BackgroundJob Enqueue(string kind, long payloadId, DateTime? availableAt)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var job = new BackgroundJob { Kind = kind, PayloadId = payloadId, CreatedAt = now, AvailableAt = availableAt ?? now };
        db.BackgroundJobs.Add(job);
        return job;
    }

    /// <summary>Claims the oldest claimable job of <paramref name="kind"/> for <paramref name="owner"/>, or null.</summary>
    public async Task<BackgroundJobRun?> ClaimAsync(string kind, string owner, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var until = now + options.Value.LeaseDuration;
        const int pending = (int)BackgroundJobStatus.Pending;
        const int running = (int)BackgroundJobStatus.Running;
        FormattableString sql;
        if (db.Database.IsPostgres())
        {
            sql = $"""
              UPDATE "BackgroundJobs" SET "Status" = {running}, "LeaseOwner" = {owner}, "LeaseUntil" = {until}, "HeartbeatAt" = {now},
                  "StartedAt" = {now}, "Attempts" = "Attempts" + 1
              WHERE "Id" = (SELECT "Id" FROM "BackgroundJobs"
                  WHERE "Kind" = {kind} AND (("Status" = {pending} AND "AvailableAt" <= {now}) OR ("Status" = {running} AND "LeaseUntil" < {now}))
                  ORDER BY "Id" LIMIT 1 FOR UPDATE SKIP LOCKED)
              RETURNING "Id", "PayloadId", "Attempts"
              """;
        }
        else
        {
            sql = $"""
              UPDATE "BackgroundJobs" SET "Status" = {running}, "LeaseOwner" = {owner}, "LeaseUntil" = {until}, "HeartbeatAt" = {now},
                  "StartedAt" = {now}, "Attempts" = "Attempts" + 1
              WHERE "Id" = (SELECT "Id" FROM "BackgroundJobs"
                  WHERE "Kind" = {kind} AND (("Status" = {pending} AND "AvailableAt" <= {now}) OR ("Status" = {running} AND "LeaseUntil" < {now}))
                  ORDER BY "Id" LIMIT 1)
                AND (("Status" = {pending} AND "AvailableAt" <= {now}) OR ("Status" = {running} AND "LeaseUntil" < {now}))
              RETURNING "Id", "PayloadId", "Attempts"
              """;
        }

        var claimed = (await db.Database.SqlQuery<ClaimedJob>(sql).ToListAsync(cancellationToken)).FirstOrDefault();
        return claimed is null ? null : new BackgroundJobRun(claimed.Id, kind, claimed.PayloadId, claimed.Attempts, owner);
    }

    /// <summary>Extends the lease of a run that is still working; false when the run no longer holds the job.</summary>
    public async Task<bool> RenewAsync(BackgroundJobRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var now = time.GetUtcNow().UtcDateTime;
        var until = now + options.Value.LeaseDuration;
        var owner = run.Owner;
        return await db.BackgroundJobs
            .Where(j => j.Id == run.JobId && j.Status == BackgroundJobStatus.Running && j.LeaseOwner == owner)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseUntil, until).SetProperty(j => j.HeartbeatAt, now), cancellationToken) == 1;
    }

    /// <summary>Marks a run's job succeeded in a transaction of its own (a handler that needed no atomic end).</summary>
    public async Task<bool> CompleteAsync(BackgroundJobRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        return await run.CompleteAsync(db, time.GetUtcNow().UtcDateTime, cancellationToken);
    }

    /// <summary>
    /// A run that failed (an exception): the job waits and runs again, or — at <see cref="BackgroundJobOptions.MaxAttempts"/>,
    /// or when <paramref name="giveUp"/> — is given up (returns true then). <paramref name="error"/> is a code or an exception
    /// type, never a message.
    /// </summary>
    public async Task<bool> FailAsync(BackgroundJobRun run, string error, bool giveUp, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(error);
        var now = time.GetUtcNow().UtcDateTime;
        var owner = run.Owner;
        giveUp |= run.Attempt >= options.Value.MaxAttempts;
        var retryAt = now + options.Value.RetryDelay * Math.Min(run.Attempt, options.Value.MaxAttempts);
        var reason = error.Length > 200 ? error[..200] : error;
        var changed = await db.BackgroundJobs
            .Where(j => j.Id == run.JobId && j.Status == BackgroundJobStatus.Running && j.LeaseOwner == owner)
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, giveUp ? BackgroundJobStatus.Failed : BackgroundJobStatus.Pending)
                .SetProperty(j => j.AvailableAt, retryAt)
                .SetProperty(j => j.FinishedAt, giveUp ? now : null)
                .SetProperty(j => j.LeaseOwner, (string?)null)
                .SetProperty(j => j.LeaseUntil, (DateTime?)null)
                .SetProperty(j => j.LastError, reason), cancellationToken);
        return giveUp && changed == 1;
    }

    /// <summary>Hands a run's job back at once (a graceful stop): another instance, or this one after its restart, runs it.</summary>
    public async Task ReleaseAsync(BackgroundJobRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var now = time.GetUtcNow().UtcDateTime;
        var owner = run.Owner;
        await db.BackgroundJobs
            .Where(j => j.Id == run.JobId && j.Status == BackgroundJobStatus.Running && j.LeaseOwner == owner)
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, BackgroundJobStatus.Pending)
                .SetProperty(j => j.AvailableAt, now)
                .SetProperty(j => j.LeaseOwner, (string?)null)
                .SetProperty(j => j.LeaseUntil, (DateTime?)null), cancellationToken);
    }
}
