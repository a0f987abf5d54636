namespace Onshi.Core.Features.Sessions;

/// <summary>Session limits (SPEC §4.8). Bound from <c>Onshi:Sessions</c>.</summary>
public sealed class SessionOptions
{
    /// <summary>A session unused this long ends. Defaults to 15 minutes (the guideline forbids unattended sessions).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>A session ends this long after login whatever happens. Defaults to 12 hours.</summary>
    public TimeSpan AbsoluteTimeout { get; set; } = TimeSpan.FromHours(12);

    /// <summary>How stale the stored last-seen time may get before a request writes it. Defaults to 30 seconds.</summary>
    public TimeSpan TouchInterval { get; set; } = TimeSpan.FromSeconds(30);
}
