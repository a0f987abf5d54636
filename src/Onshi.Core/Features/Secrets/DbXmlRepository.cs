using System.Globalization;
using System.Security.Cryptography;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Data;

namespace Onshi.Core.Features.Secrets;

/// <summary>
/// The Data Protection key ring in the database (<see cref="DataProtectionKey"/> rows), shared by every instance of a
/// deployment. Elements are stored as Data Protection wrote them: each key's secret encrypted by
/// <see cref="OnshiXmlEncryptor"/> under the master key.
/// </summary>
/// <remarks>
/// <para>
/// <b>One first key.</b> Every write runs in a transaction holding the ring's lock (PostgreSQL: a transaction advisory lock;
/// SQLite: the write lock of <c>BEGIN IMMEDIATE</c>). A new key is not stored when the ring already holds an unrevoked key
/// that is active by the new key's activation time (give or take 5 minutes of clock skew) and stays valid at least
/// <see cref="CoveringMargin"/> past it: two instances starting on an empty ring both ask for a first key, the second
/// finds the first's and stores nothing, and Data Protection, which re-reads the ring right after creating a key, makes
/// the stored one its default. The same holds for the replacement key two instances may both create before the current
/// one expires.
/// </para>
/// <para>
/// <b>Key files of older versions</b> (<c>DATA/keys/*.xml</c>) are imported once, at the first read of the ring, under the
/// same lock and idempotently (by file name = friendly name). The files are left where they are, untouched (a rollback to
/// the previous version still finds them; <c>onshi master-key rotate</c> re-wraps them as well).
/// </para>
/// </remarks>
public sealed class DbXmlRepository(IServiceScopeFactory scopes, string? legacyKeysDirectory) : IXmlRepository
{
    /// <summary>PostgreSQL advisory lock key of the key ring's writers (distinct from the audit chain's).</summary>
    public const long PostgresAdvisoryLockKey = 0x4F4E_5348_4450_4B52; // "ONSHDPKR"

    /// <summary>How long an existing key must stay valid after a new key's activation for the new one to be superfluous.</summary>
    public static readonly TimeSpan CoveringMargin = TimeSpan.FromDays(2);

    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);
    private readonly Lock importLock = new();
    private bool imported;

    /// <summary>How many key files were imported from the legacy directory by this instance (for tests and the start log).</summary>
    public int ImportedFiles { get; private set; }

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        EnsureImported();
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<OnshiDbContext>();
        return [.. db.DataProtectionKeys.AsNoTracking().OrderBy(k => k.Id).Select(k => k.Xml).ToList().Select(x => XElement.Parse(x))];
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        EnsureImported();
        var name = string.IsNullOrEmpty(friendlyName) ? Guid.NewGuid().ToString("N") : friendlyName;
        WithLock(db =>
        {
            if (db.DataProtectionKeys.Any(k => k.FriendlyName == name))
            {
                return;
            }

            if (element.Name.LocalName == "key" && IsCovered(element, [.. db.DataProtectionKeys.AsNoTracking().Select(k => k.Xml).ToList().Select(x => XElement.Parse(x))]))
            {
                return;
            }

            db.DataProtectionKeys.Add(new DataProtectionKey { FriendlyName = name, Xml = element.ToString(SaveOptions.DisableFormatting) });
            db.SaveChanges();
        });
    }

    /// <summary>Whether the key id <paramref name="keyId"/> is in the database ring (a payload naming it may need a refresh).</summary>
    public bool ContainsKey(Guid keyId)
    {
        var name = "key-" + keyId.ToString("D");
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<OnshiDbContext>();
        return db.DataProtectionKeys.Any(k => k.FriendlyName == name);
    }

    /// <summary>
    /// True when <paramref name="existing"/> (key and revocation elements) holds an unrevoked key active by
    /// <paramref name="newKey"/>'s activation date and valid until <see cref="CoveringMargin"/> after it.
    /// </summary>
    public static bool IsCovered(XElement newKey, IReadOnlyCollection<XElement> existing)
    {
        ArgumentNullException.ThrowIfNull(newKey);
        ArgumentNullException.ThrowIfNull(existing);
        if (Date(newKey, "activationDate") is not { } activation)
        {
            return false;
        }

        var revocations = existing.Where(e => e.Name.LocalName == "revocation").ToList();
        foreach (var key in existing.Where(e => e.Name.LocalName == "key"))
        {
            if (Date(key, "activationDate") is not { } a || Date(key, "expirationDate") is not { } x || Date(key, "creationDate") is not { } created)
            {
                continue;
            }

            var id = (string?)key.Attribute("id") ?? "";
            var revoked = revocations.Any(r =>
            {
                var target = (string?)r.Element("key")?.Attribute("id");
                return string.Equals(target, id, StringComparison.OrdinalIgnoreCase)
                    || (target == "*" && Date(r, "revocationDate") is { } at && at >= created);
            });
            if (!revoked && a <= activation + ClockSkew && x >= activation + CoveringMargin)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Imports the legacy key files (once per instance; idempotent across instances and starts).</summary>
    private void EnsureImported()
    {
        lock (importLock)
        {
            if (imported)
            {
                return;
            }

            if (legacyKeysDirectory is not null && Directory.Exists(legacyKeysDirectory))
            {
                var files = Directory.EnumerateFiles(legacyKeysDirectory, "*.xml").Order(StringComparer.Ordinal).ToList();
                if (files.Count > 0)
                {
                    ImportedFiles = ImportFiles(files);
                }
            }

            imported = true;
        }
    }

    private int ImportFiles(IReadOnlyList<string> files)
    {
        var count = 0;
        WithLock(db =>
        {
            var known = db.DataProtectionKeys.Select(k => k.FriendlyName).ToHashSet(StringComparer.Ordinal);
            foreach (var file in files)
            {
                var name = Path.GetFileNameWithoutExtension(file);
                if (known.Contains(name))
                {
                    continue;
                }

                var xml = XElement.Load(file);
                db.DataProtectionKeys.Add(new DataProtectionKey { FriendlyName = name, Xml = xml.ToString(SaveOptions.DisableFormatting) });
                count++;
            }

            db.SaveChanges();
        });
        return count;
    }

    private void WithLock(Action<OnshiDbContext> work)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<OnshiDbContext>();
        db.Database.CreateExecutionStrategy().Execute(() =>
        {
            db.ChangeTracker.Clear();
            using var tx = db.Database.BeginTransaction();
            if (db.Database.IsPostgres())
            {
                db.Database.ExecuteSqlRaw($"SELECT pg_advisory_xact_lock({PostgresAdvisoryLockKey})");
            }

            work(db);
            tx.Commit();
        });
    }

    private static DateTimeOffset? Date(XElement element, string name) =>
        element.Element(name)?.Value is { } text
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value) ? value : null;
}

/// <summary>
/// The key manager Data Protection uses (the stock <see cref="XmlKeyManager"/>) with one addition: its key ring can be
/// marked stale, so that the next use re-reads the database (<see cref="Invalidate"/>).
/// </summary>
public sealed class RefreshableKeyManager(IKeyManager inner) : IKeyManager, IDisposable
{
    private CancellationTokenSource stale = new();

    public IKey CreateNewKey(DateTimeOffset activationDate, DateTimeOffset expirationDate) => inner.CreateNewKey(activationDate, expirationDate);

    public IReadOnlyCollection<IKey> GetAllKeys() => inner.GetAllKeys();

    public CancellationToken GetCacheExpirationToken()
    {
        var current = Volatile.Read(ref stale);
        if (current.IsCancellationRequested)
        {
            var fresh = new CancellationTokenSource();
            current = Interlocked.CompareExchange(ref stale, fresh, current) == current ? fresh : Volatile.Read(ref stale);
        }

        return CancellationTokenSource.CreateLinkedTokenSource(inner.GetCacheExpirationToken(), current.Token).Token;
    }

    public void RevokeAllKeys(DateTimeOffset revocationDate, string? reason = null) => inner.RevokeAllKeys(revocationDate, reason);

    public void RevokeKey(Guid keyId, string? reason = null) => inner.RevokeKey(keyId, reason);

    /// <summary>Marks the cached key ring stale: the next protect or unprotect reads the ring from the database again.</summary>
    public void Invalidate() => Volatile.Read(ref stale).Cancel();

    public void Dispose() => Volatile.Read(ref stale).Dispose();
}

/// <summary>
/// Wraps the Data Protection provider so that a payload made with a key this instance does not know yet (another instance
/// created it since this one last read the ring) is opened after one refresh of the ring, instead of failing until the
/// ring's daily refresh. Refreshes only when the key is really in the database, at most once a second.
/// </summary>
public sealed class RefreshingDataProtectionProvider(IDataProtectionProvider inner, RefreshableKeyManager keys, DbXmlRepository repository)
    : IDataProtectionProvider
{
    private static readonly uint MagicHeader = 0x09F0C9F0;
    private long lastRefreshTicks;

    public IDataProtector CreateProtector(string purpose) => new Protector(inner.CreateProtector(purpose), this);

    /// <summary>True when the ring was marked stale for <paramref name="payload"/>'s key (then unprotecting again may succeed).</summary>
    internal bool TryRefreshFor(byte[] payload)
    {
        if (payload.Length < 20 || System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(payload) != MagicHeader)
        {
            return false;
        }

        var keyId = new Guid(payload.AsSpan(4, 16));
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref lastRefreshTicks);
        if (now - last < 1000 || !repository.ContainsKey(keyId) || Interlocked.CompareExchange(ref lastRefreshTicks, now, last) != last)
        {
            return false;
        }

        keys.Invalidate();
        return true;
    }

    private sealed class Protector(IDataProtector inner, RefreshingDataProtectionProvider owner) : IDataProtector
    {
        public IDataProtector CreateProtector(string purpose) => new Protector(inner.CreateProtector(purpose), owner);

        public byte[] Protect(byte[] plaintext) => inner.Protect(plaintext);

        public byte[] Unprotect(byte[] protectedData)
        {
            try
            {
                return inner.Unprotect(protectedData);
            }
            catch (CryptographicException) when (owner.TryRefreshFor(protectedData))
            {
                // The ring is re-read by the first use after Invalidate (synchronously: see AddOnshiDataProtection); another
                // thread may be reading it at this instant, so try a few times.
                for (var attempt = 0; ; attempt++)
                {
                    try
                    {
                        return inner.Unprotect(protectedData);
                    }
                    catch (CryptographicException) when (attempt < 3)
                    {
                        Thread.Sleep(20);
                    }
                }
            }
        }
    }
}
