namespace Onshi.Core.Features.Login;

/// <summary>Lockout and throttling (SPEC §4.6). Bound from <c>Onshi:Login</c>.</summary>
public sealed class LoginOptions
{
    /// <summary>Consecutive failures that lock an account. Defaults to 5.</summary>
    public int MaxFailedAccessAttempts { get; set; } = 5;

    /// <summary>How long a lock lasts. Defaults to 30 minutes. The reset account stays locked until unlocked.</summary>
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Failures from one terminal certificate, across all user IDs, before it is throttled. Defaults to 20.</summary>
    public int MaxFailuresPerCertificate { get; set; } = 20;

    /// <summary>Failures from one client address, across all user IDs, before it is throttled. Defaults to 50.</summary>
    public int MaxFailuresPerAddress { get; set; } = 50;

    /// <summary>The sliding window of the throttle. Defaults to 15 minutes.</summary>
    public TimeSpan ThrottleWindow { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>The terminal a request comes from, established from its verified client certificate.</summary>
public sealed record TerminalIdentity(
    long CertificateId,
    long InstitutionId,
    string InstitutionCode,
    string InstitutionName,
    string TerminalName,
    string SerialNumber,
    string Thumbprint,
    DateTime NotAfter);
