namespace Onshi.Core.Data;

/// <summary>
/// One element of the shared ASP.NET Core Data Protection key ring (a key or a revocation), stored in the database so that
/// every instance of a deployment reads and writes the same ring (<see cref="Features.Secrets.DbXmlRepository"/>). The
/// key's secret inside <see cref="Xml"/> is encrypted under the master key, as it was in the files.
/// </summary>
public sealed class DataProtectionKey
{
    public int Id { get; set; }

    /// <summary>Data Protection's name for the element (<c>key-{guid}</c>, <c>revocation-…</c>); unique.</summary>
    public string FriendlyName { get; set; } = "";

    /// <summary>The element as Data Protection wrote it (the secret encrypted by <c>OnshiXmlEncryptor</c>).</summary>
    public string Xml { get; set; } = "";
}

/// <summary>
/// One attempt counted by the shared login throttle and mail caps (<see cref="Features.Login.DbLoginThrottle"/>). A
/// successful attempt deletes its row again; the rest expire with the throttle window and are swept.
/// </summary>
public sealed class ThrottleAttempt
{
    public long Id { get; set; }

    /// <summary>SHA-256 (upper-case hex) of the throttle key (<c>cert:…</c>, <c>addr:…</c>, <c>portal-mail-to:…</c>).</summary>
    public string KeyHash { get; set; } = "";

    public DateTime AttemptedAt { get; set; }
}

/// <summary>
/// One committed cache invalidation on SQLite, for the other processes on the same file (e.g. <c>onshi cert revoke</c> while
/// <c>onshi serve</c> runs): written in the committing transaction by <see cref="Features.Caching.CacheInvalidationInterceptor"/>,
/// polled by each site's listener, deleted after <see cref="Features.Caching.AuthenticationCacheOptions.SignalRetention"/> by the
/// session sweep. PostgreSQL uses <c>NOTIFY</c> instead and leaves the table empty.
/// </summary>
public sealed class CacheSignal
{
    public long Id { get; set; }

    public DateTime At { get; set; }

    /// <summary>The invalidation keys, space-separated (<see cref="Features.Caching.CacheKeys"/>).</summary>
    public string Keys { get; set; } = "";
}
