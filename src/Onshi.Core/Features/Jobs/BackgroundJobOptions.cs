namespace Onshi.Core.Features.Jobs;

/// <summary>How the job workers poll and lease (<c>Onshi:Jobs</c>).</summary>
public sealed class BackgroundJobOptions
{
    public const string SectionName = "Onshi:Jobs";

    /// <summary>
    /// How long a claim holds a job without being renewed; the holder renews it every third of this. A job whose instance
    /// died is claimed again after at most this long. Defaults to 2 minutes.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The first wait of an idle worker before it looks again. Defaults to 500 ms.</summary>
    public TimeSpan MinPollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest wait of an idle worker (each empty look doubles the wait up to this). Defaults to 5 seconds.</summary>
    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Runs of one job (a run that died or threw counts) before it is given up. Defaults to 5.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The wait before a failed run is tried again, times the attempt. Defaults to 10 seconds.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(10);
}
