namespace Onshi.Web.Operations;

/// <summary>Where a process is in its life, for <c>/health/ready</c> and the sites' readiness gate.</summary>
public enum ReadinessPhase
{
    /// <summary>Starting: migrating the database, creating the key ring, starting the sites. Not ready.</summary>
    Starting = 0,

    /// <summary>Every site of the process started: ready when the database and the key ring answer too.</summary>
    Started = 1,

    /// <summary>Stopping (a SIGTERM or Ctrl+C came): not ready; new requests get 503 until the sites stop.</summary>
    Draining = 2,
}

/// <summary>
/// The readiness of one process, shared by its sites (each a web application of its own) and its operations endpoint:
/// the phase, which sites it runs, and the services the readiness checks use (the first site's). Thread-safe.
/// </summary>
public sealed class OnshiReadiness
{
    private int phase;

    /// <summary>The current phase.</summary>
    public ReadinessPhase Phase => (ReadinessPhase)Volatile.Read(ref phase);

    /// <summary>True from the first stop signal on.</summary>
    public bool IsDraining => Phase == ReadinessPhase.Draining;

    /// <summary>The sites this process serves (<c>oqs</c>, <c>portal</c>, <c>operator</c>), in start order.</summary>
    public IReadOnlyList<string> Sites => [.. sites];

    /// <summary>The services the checks use (the database, the key ring): the first started site's. Null before.</summary>
    public IServiceProvider? Services { get; private set; }

    private readonly List<string> sites = [];

    /// <summary>A site of this process has started; the first one's services serve the checks.</summary>
    public void SiteStarted(string site, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(services);
        lock (sites)
        {
            sites.Add(site);
            Services ??= services;
        }
    }

    /// <summary>Every site started: ready (unless already draining).</summary>
    public void MarkStarted() => Interlocked.CompareExchange(ref phase, (int)ReadinessPhase.Started, (int)ReadinessPhase.Starting);

    /// <summary>Begins draining; true for the first call only.</summary>
    public bool BeginDrain() => Interlocked.Exchange(ref phase, (int)ReadinessPhase.Draining) != (int)ReadinessPhase.Draining;
}
