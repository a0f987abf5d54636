namespace Onshi.Core.Features.Jobs;

/// <summary>
/// The work of one job kind (scoped; a fresh scope per run). A run may be a re-run of one that died, so a handler starts from
/// the beginning and makes its effect idempotent — typically its last transaction writes the result and calls
/// <see cref="BackgroundJobRun.CompleteAsync"/>, so the effect and the job's end commit together.
/// </summary>
public interface IBackgroundJobHandler
{
    /// <summary>Runs the job; an exception is a failed run (retried, then given up).</summary>
    Task RunAsync(BackgroundJobRun run, CancellationToken cancellationToken);

    /// <summary>The job was given up (<see cref="BackgroundJobOptions.MaxAttempts"/>): mark the payload failed for its users.</summary>
    Task GiveUpAsync(long payloadId, CancellationToken cancellationToken);
}

/// <summary>A job kind a site works on: its name in the table and its handler's type.</summary>
public sealed record BackgroundJobKind(string Kind, Type HandlerType);
