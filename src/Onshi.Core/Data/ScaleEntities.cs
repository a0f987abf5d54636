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
