namespace Onshi.Web.Operations;

/// <summary>How a process answers its operators' tools (<c>Onshi:Operations</c>; docs/operations.md).</summary>
public sealed class OperationsOptions
{
    public const string SectionName = "Onshi:Operations";

    /// <summary>
    /// After a stop signal (SIGTERM, Ctrl+C), how long the process stays up answering <c>/health/ready</c> with 503 and new
    /// requests with 503 (so that a load balancer or nginx sends them elsewhere) before it stops accepting connections and
    /// finishes the requests in flight. A second signal stops at once. Defaults to zero (the demo stops at once); behind a
    /// load balancer, at least its check interval.
    /// </summary>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// How long one answer of the database and key ring checks is reused, so that many checkers (or a scraper in a loop)
    /// cost the database one query per interval. Defaults to 1 second.
    /// </summary>
    public TimeSpan CheckCacheFor { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest a readiness check waits for the database before it says not ready. Defaults to 2 seconds.</summary>
    public TimeSpan CheckTimeout { get; set; } = TimeSpan.FromSeconds(2);
}
