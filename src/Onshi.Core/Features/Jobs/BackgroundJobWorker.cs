using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Onshi.Core.Features.Jobs;

/// <summary>
/// A site's worker for the job kinds it registered (<see cref="JobsServiceCollectionExtensions.AddBackgroundJob{THandler}"/>):
/// claims one job at a time from the shared table, runs its handler while renewing the lease, and polls again — at once after
/// a job, else after a wait that doubles from <see cref="BackgroundJobOptions.MinPollInterval"/> to
/// <see cref="BackgroundJobOptions.MaxPollInterval"/> (or when this process enqueued a job). The waits are wall-clock on
/// purpose: the injected clock stamps the leases, but a test's fake clock must not stall the worker.
/// </summary>
public sealed partial class BackgroundJobWorker(IServiceScopeFactory scopes, IEnumerable<BackgroundJobKind> kinds, BackgroundJobSignal signal,
    IOptions<BackgroundJobOptions> options, ILogger<BackgroundJobWorker> logger) : BackgroundService
{
    private readonly BackgroundJobKind[] kinds = [.. kinds.DistinctBy(k => k.Kind)];

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var opts = options.Value;
        var wait = opts.MinPollInterval;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var worked = false;
                foreach (var kind in kinds)
                {
                    try
                    {
                        worked |= await RunNextAsync(kind, stoppingToken);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // The database is unreachable or the like: the type only (a message could quote values); poll again later.
                        PollFailed(logger, kind.Kind, ex.GetType().Name);
                    }
                }

                if (worked)
                {
                    wait = opts.MinPollInterval;
                    continue;
                }

                await signal.WaitAsync(wait, stoppingToken);
                wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, opts.MaxPollInterval.Ticks));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Claims and runs one job of <paramref name="kind"/>; false when there was none.</summary>
    public async Task<bool> RunNextAsync(BackgroundJobKind kind, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(kind);
        BackgroundJobRun? run;
        await using (var claimScope = scopes.CreateAsyncScope())
        {
            run = await claimScope.ServiceProvider.GetRequiredService<BackgroundJobStore>().ClaimAsync(kind.Kind, BackgroundJobStore.InstanceId, stoppingToken);
        }

        if (run is null)
        {
            return false;
        }

        Claimed(logger, run.Kind, run.JobId, run.Attempt);
        using var lease = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var heartbeat = HeartbeatAsync(run, lease);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var handler = (IBackgroundJobHandler)scope.ServiceProvider.GetRequiredService(kind.HandlerType);
            if (run.Attempt > options.Value.MaxAttempts)
            {
                // Every earlier run died with its process: give it up rather than crash instances forever.
                await GiveUpIfLastAsync(scope.ServiceProvider.GetRequiredService<BackgroundJobStore>(), handler, run, "too-many-attempts", giveUp: true);
                return true;
            }

            await handler.RunAsync(run, lease.Token);
            if (!run.Completed)
            {
                await scope.ServiceProvider.GetRequiredService<BackgroundJobStore>().CompleteAsync(run, CancellationToken.None);
            }

            Finished(logger, run.Kind, run.JobId);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // A graceful stop: hand the job back at once (its writes were rolled back with their transaction).
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<BackgroundJobStore>().ReleaseAsync(run, CancellationToken.None);
            throw;
        }
        catch (OperationCanceledException)
        {
            // The lease was lost (another instance holds the job now): nothing of this run committed its end.
            LeaseLost(logger, run.Kind, run.JobId);
        }
        catch (Exception ex)
        {
            RunFailed(logger, run.Kind, run.JobId, ex.GetType().Name);
            await using var scope = scopes.CreateAsyncScope();
            var handler = (IBackgroundJobHandler)scope.ServiceProvider.GetRequiredService(kind.HandlerType);
            await GiveUpIfLastAsync(scope.ServiceProvider.GetRequiredService<BackgroundJobStore>(), handler, run, ex.GetType().Name);
        }
        finally
        {
            await lease.CancelAsync();
            await heartbeat;
        }

        return true;
    }

    private async Task GiveUpIfLastAsync(BackgroundJobStore queue, IBackgroundJobHandler handler, BackgroundJobRun run, string reason, bool giveUp = false)
    {
        if (await queue.FailAsync(run, reason, giveUp, CancellationToken.None))
        {
            GaveUp(logger, run.Kind, run.JobId);
            await handler.GiveUpAsync(run.PayloadId, CancellationToken.None);
        }
    }

    /// <summary>Renews the lease every third of its duration until the run ends; cancels the run when the lease is lost.</summary>
    private async Task HeartbeatAsync(BackgroundJobRun run, CancellationTokenSource lease)
    {
        var every = options.Value.LeaseDuration / 3;
        try
        {
            while (true)
            {
                await Task.Delay(every, lease.Token);
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    if (!await scope.ServiceProvider.GetRequiredService<BackgroundJobStore>().RenewAsync(run, lease.Token))
                    {
                        await lease.CancelAsync();
                        return;
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Busy (SQLite's one writer is this very run's long transaction) or unreachable: try on the next beat; the
                    // run's own end checks that it still holds the lease.
                    HeartbeatFailed(logger, run.Kind, run.JobId, ex.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(EventId = 7201, Level = LogLevel.Information, Message = "Job {Kind} {JobId} claimed (attempt {Attempt})")]
    private static partial void Claimed(ILogger logger, string kind, long jobId, int attempt);

    [LoggerMessage(EventId = 7202, Level = LogLevel.Information, Message = "Job {Kind} {JobId} finished")]
    private static partial void Finished(ILogger logger, string kind, long jobId);

    [LoggerMessage(EventId = 7203, Level = LogLevel.Warning, Message = "Job {Kind} {JobId} failed ({ExceptionType})")]
    private static partial void RunFailed(ILogger logger, string kind, long jobId, string exceptionType);

    [LoggerMessage(EventId = 7204, Level = LogLevel.Warning, Message = "Job {Kind} {JobId} given up")]
    private static partial void GaveUp(ILogger logger, string kind, long jobId);

    [LoggerMessage(EventId = 7205, Level = LogLevel.Warning, Message = "Job {Kind} {JobId}: lease lost to another instance; this run stopped")]
    private static partial void LeaseLost(ILogger logger, string kind, long jobId);

    [LoggerMessage(EventId = 7206, Level = LogLevel.Warning, Message = "Job {Kind} {JobId}: lease renewal failed ({ExceptionType})")]
    private static partial void HeartbeatFailed(ILogger logger, string kind, long jobId, string exceptionType);

    [LoggerMessage(EventId = 7207, Level = LogLevel.Warning, Message = "Job worker for {Kind} could not poll ({ExceptionType})")]
    private static partial void PollFailed(ILogger logger, string kind, string exceptionType);
}
