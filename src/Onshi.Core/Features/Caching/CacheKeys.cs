using System.Globalization;
using Onshi.Core.Data;

namespace Onshi.Core.Features.Caching;

/// <summary>
/// The invalidation keys of <see cref="AuthenticationCache"/>: one per row a cached read depends on (<c>kind:id</c>), and
/// <see cref="All"/>. A committed change to such a row publishes its key (<see cref="CacheInvalidationInterceptor"/>); every
/// cache entry names the keys of the rows it was read from, so any of them drops it.
/// </summary>
public static class CacheKeys
{
    /// <summary>Drops every entry (a change whose rows are not known, a payload too large, a missed notification).</summary>
    public const string All = "all";

    /// <summary>The key of a row of <paramref name="entityType"/> with primary key <paramref name="id"/>, or null when no cached read depends on that table.</summary>
    public static string? For(Type entityType, long id) =>
        entityType == typeof(LoginSession) ? OqsSession(id)
        : entityType == typeof(SiteSession) ? SiteSession(id)
        : entityType == typeof(Account) ? Account(id)
        : entityType == typeof(Institution) ? Institution(id)
        : entityType == typeof(OperatorAccount) ? Operator(id)
        : entityType == typeof(PortalUser) ? PortalUser(id)
        : null;

    /// <summary>The entity types whose rows cached reads depend on (their tables are watched for undeclared writes).</summary>
    public static IReadOnlyList<Type> WatchedEntities { get; } =
        [typeof(LoginSession), typeof(SiteSession), typeof(Account), typeof(Institution), typeof(OperatorAccount), typeof(PortalUser), typeof(TerminalCertificate)];

    public static string OqsSession(long id) => "oqs-session:" + Id(id);

    public static string SiteSession(long id) => "site-session:" + Id(id);

    public static string Account(long id) => "account:" + Id(id);

    public static string Institution(long id) => "institution:" + Id(id);

    public static string Operator(long id) => "operator:" + Id(id);

    public static string PortalUser(long id) => "portal-user:" + Id(id);

    /// <summary>A terminal certificate, by its SHA-256 thumbprint (upper-case hex), the way the gate looks it up.</summary>
    public static string Certificate(string thumbprint) => "certificate:" + thumbprint;

    /// <summary>The entity type whose table a key's write touches (declaring the key covers a write to that table), or null for <see cref="All"/>.</summary>
    internal static Type? EntityOf(string key) => key[..Math.Max(0, key.IndexOf(':', StringComparison.Ordinal))] switch
    {
        "oqs-session" => typeof(LoginSession),
        "site-session" => typeof(SiteSession),
        "account" => typeof(Account),
        "institution" => typeof(Institution),
        "operator" => typeof(OperatorAccount),
        "portal-user" => typeof(PortalUser),
        "certificate" => typeof(TerminalCertificate),
        _ => null,
    };

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
