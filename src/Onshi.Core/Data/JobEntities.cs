using Onshi.Core.Features.Jobs;

namespace Onshi.Core.Data;

/// <summary>
/// One unit of background work in the shared job table (<see cref="BackgroundJobStore"/>, docs/architecture.md "Background
/// jobs"): what kind it is, which row of the kind's own table it works on, and who holds it until when. Any instance of a
/// site that runs the kind's worker may claim it; a claim is a lease that its holder renews while it works, so the job of an
/// instance that died is claimed again once the lease has run out.
/// </summary>
public sealed class BackgroundJob
{
    public long Id { get; set; }

    /// <summary>The kind (<see cref="BackgroundJobKind.Kind"/>), e.g. <c>member-import</c>.</summary>
    public required string Kind { get; set; }

    /// <summary>The id of the kind's own row (the payload lives there, e.g. a <see cref="MemberImport"/>).</summary>
    public long PayloadId { get; set; }

    public BackgroundJobStatus Status { get; set; } = BackgroundJobStatus.Pending;

    /// <summary>How many times the job was claimed (a run that died counts).</summary>
    public int Attempts { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>Not claimed before this instant (a retry after a failure waits).</summary>
    public DateTime AvailableAt { get; set; }

    /// <summary>The instance holding the job (<see cref="BackgroundJobStore.InstanceId"/>) while it runs.</summary>
    public string? LeaseOwner { get; set; }

    /// <summary>The lease runs out here unless its holder renews it; then any instance may claim the job again.</summary>
    public DateTime? LeaseUntil { get; set; }

    /// <summary>When the holder last renewed the lease.</summary>
    public DateTime? HeartbeatAt { get; set; }

    public DateTime? StartedAt { get; set; }

    public DateTime? FinishedAt { get; set; }

    /// <summary>Why the last run failed: an exception type, never a message (it could quote data).</summary>
    public string? LastError { get; set; }
}
