namespace Onshi.Core.Features.Caching;

/// <summary>
/// The in-memory cache of the per-request certificate and session reads (<see cref="AuthenticationCache"/>). Bound from
/// <c>Onshi:Cache</c>; docs/security.md ("The authentication cache") says what it holds and how it is invalidated.
/// </summary>
public sealed class AuthenticationCacheOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Onshi:Cache";

    /// <summary>
    /// Whether the certificate and session reads are served from memory. Defaults to true; false reads the database on every
    /// request (as before the cache), with nothing else changed.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The entries held at most per site (certificates and sessions together). Past it the older half is dropped. Defaults to
    /// 20,000 (an entry is a few hundred bytes).
    /// </summary>
    public int MaxEntries { get; set; } = 20_000;

    /// <summary>
    /// The backstop: an entry is read again from the database after this long whatever happened. Invalidation is by
    /// notification; this only bounds the life of an entry a notification might have missed. Defaults to 60 seconds.
    /// </summary>
    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How often the channel is proved alive: on PostgreSQL the listening connection, idle this long, runs a round trip; on
    /// SQLite the signal table is polled this often (changes from other processes, e.g. <c>onshi cert revoke</c>). The
    /// cache serves only while the last proof is younger than <see cref="LivenessTimeout"/>. Defaults to 250 ms.
    /// </summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The cache is bypassed (and cleared) when the channel has not been proved alive for this long: a connection that hangs
    /// without failing cannot keep stale entries in use for longer. Defaults to 2 seconds.
    /// </summary>
    public TimeSpan LivenessTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Whether this site hears of this process's own commits at once (<see cref="InvalidationBus"/>). Defaults to true; false
    /// leaves it only the channel, as if it ran in a process of its own — the tests measure the channel with two instances in
    /// one process this way. Never set it false in a deployment: a change would then reach the site that made it only through
    /// the channel, within a second instead of at once.
    /// </summary>
    public bool InProcessInvalidation { get; set; } = true;

    /// <summary>The first wait before reconnecting a lost channel; doubled after each failure up to <see cref="MaxReconnectDelay"/>. Defaults to 200 ms.</summary>
    public TimeSpan MinReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest wait between reconnection attempts. Defaults to 5 seconds.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a SQLite signal row is kept for other processes to read. Defaults to 10 minutes.</summary>
    public TimeSpan SignalRetention { get; set; } = TimeSpan.FromMinutes(10);
}
