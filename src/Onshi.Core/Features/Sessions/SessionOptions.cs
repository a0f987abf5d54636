namespace Onshi.Core.Features.Sessions;

/// <summary>Session limits (SPEC §4.8). Bound from <c>Onshi:Sessions</c>.</summary>
public sealed class SessionOptions
{
    /// <summary>A session unused this long ends. Defaults to 15 minutes (the guideline forbids unattended sessions).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>A session ends this long after login whatever happens. Defaults to 12 hours.</summary>
    public TimeSpan AbsoluteTimeout { get; set; } = TimeSpan.FromHours(12);

    /// <summary>
    /// The life of a Web API token (SPEC §12: short-lived): a 連携アプリ用 or Web API用 account's session ends this long after
    /// its <c>auth</c> whatever happens (and after <see cref="IdleTimeout"/> unused, like every session); the client then
    /// authenticates again. Defaults to 1 hour.
    /// </summary>
    public TimeSpan MachineTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How stale the stored last-seen time may get before a request writes it. Defaults to 30 seconds.</summary>
    public TimeSpan TouchInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long before the idle timeout the signed-in pages of every site warn that the session is about to end, with a button
    /// that extends it (<c>/Session/Extend</c>). Defaults to 2 minutes; zero turns the warning off.
    /// </summary>
    public TimeSpan IdleWarningLead { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// One live OQS session per account (SPEC §4.8, as the real system): a login of an account with a live session
    /// elsewhere asks 「該当のユーザは既に使用されています。強制的にログインしますか？」 before it ends that session (強制ログイン).
    /// Defaults to true. False lets an account hold several sessions at once (the portal and the console always do); the
    /// load benchmark and the tests of concurrent-session mechanics use it.
    /// </summary>
    public bool OneLiveSessionPerAccount { get; set; } = true;

    /// <summary>How often the background sweeper ends expired sessions (<see cref="SessionSweeper"/>). Defaults to 1 minute.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Whether a session created at <paramref name="createdAt"/> and last seen at <paramref name="lastSeenAt"/> has
    /// expired by <paramref name="now"/>: the reason (<c>idle</c> or <c>absolute</c>) and the moment it really ended
    /// (whichever limit came first), or null while it is within both limits.
    /// </summary>
    public (string Reason, DateTime EndedAt)? Expiry(DateTime createdAt, DateTime lastSeenAt, DateTime now) =>
        Expiry(createdAt, lastSeenAt, now, AbsoluteTimeout);

    /// <summary><see cref="Expiry(DateTime, DateTime, DateTime)"/> for a session of a machine account (<see cref="MachineTokenLifetime"/>) or a person.</summary>
    public (string Reason, DateTime EndedAt)? Expiry(DateTime createdAt, DateTime lastSeenAt, DateTime now, bool machine) =>
        Expiry(createdAt, lastSeenAt, now, machine ? TimeSpan.FromTicks(Math.Min(MachineTokenLifetime.Ticks, AbsoluteTimeout.Ticks)) : AbsoluteTimeout);

    private (string Reason, DateTime EndedAt)? Expiry(DateTime createdAt, DateTime lastSeenAt, DateTime now, TimeSpan absoluteTimeout)
    {
        var idle = now - lastSeenAt > IdleTimeout;
        var absolute = now - createdAt > absoluteTimeout;
        if (!idle && !absolute)
        {
            return null;
        }

        var idleEnd = lastSeenAt + IdleTimeout;
        var absoluteEnd = createdAt + absoluteTimeout;
        if (idle && absolute)
        {
            return idleEnd <= absoluteEnd ? (SessionEndReasons.Idle, idleEnd) : (SessionEndReasons.Absolute, absoluteEnd);
        }

        return idle ? (SessionEndReasons.Idle, idleEnd) : (SessionEndReasons.Absolute, absoluteEnd);
    }
}
