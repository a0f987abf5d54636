namespace Onshi.Core.Features.Jobs;

/// <summary>
/// Wakes this process's idle worker at once when a job was enqueued here (other instances find it on their next poll). Only
/// a hint: the table is the queue.
/// </summary>
public sealed class BackgroundJobSignal : IDisposable
{
    private readonly SemaphoreSlim signal = new(0, 1);

    /// <summary>Wakes the worker (once, however often it is called before the worker looks).</summary>
    public void Notify()
    {
        try
        {
            if (signal.CurrentCount == 0)
            {
                signal.Release();
            }
        }
        catch (SemaphoreFullException)
        {
        }
    }

    /// <summary>Waits for a notification or <paramref name="timeout"/>.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => signal.WaitAsync(timeout, cancellationToken);

    public void Dispose() => signal.Dispose();
}
