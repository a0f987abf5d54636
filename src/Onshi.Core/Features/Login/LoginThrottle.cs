using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Onshi.Core.Data;

namespace Onshi.Core.Features.Login;

/// <summary>A slot taken by <see cref="ILoginThrottle.TryAcquireAsync"/>: give it back with <see cref="ILoginThrottle.ReleaseAsync"/>.</summary>
/// <param name="Id">The attempt's row.</param>
public readonly record struct ThrottleSlot(long Id);

/// <summary>
/// Counts login attempts (and mails asked for) per key — terminal certificate, client address, recipient — in a sliding
/// window. An attempt takes a slot before the password is checked, so a burst of parallel requests cannot all get past the
/// limit; a successful login gives its slot back. Shared by every instance of a deployment (SPEC §10).
/// </summary>
public interface ILoginThrottle
{
    /// <summary>Takes a slot for <paramref name="key"/> unless <paramref name="limit"/> slots are taken in the window; null when refused.</summary>
    Task<ThrottleSlot?> TryAcquireAsync(string key, int limit, CancellationToken cancellationToken = default);

    /// <summary>Gives back the slots of one attempt (it succeeded), in one statement.</summary>
    Task ReleaseAsync(IReadOnlyCollection<ThrottleSlot> slots, CancellationToken cancellationToken = default);
}

/// <summary>Taking the slots of several keys at once.</summary>
public static class LoginThrottleExtensions
{
    /// <summary>
    /// Takes one slot of each key in order; when one is refused, gives back the ones taken and answers null. An attempt
    /// takes its slots before anything is checked, and only a success gives them back.
    /// </summary>
    public static async Task<IReadOnlyCollection<ThrottleSlot>?> TryAcquireAllAsync(this ILoginThrottle throttle,
        IReadOnlyList<(string Key, int Limit)> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(throttle);
        ArgumentNullException.ThrowIfNull(keys);
        var taken = new List<ThrottleSlot>(keys.Count);
        foreach (var (key, limit) in keys)
        {
            if (await throttle.TryAcquireAsync(key, limit, cancellationToken) is not { } slot)
            {
                if (taken.Count > 0)
                {
                    await throttle.ReleaseAsync(taken, cancellationToken);
                }

                return null;
            }

            taken.Add(slot);
        }

        return taken;
    }
}

/// <summary>
/// The throttle in the database, so that every instance behind the proxy counts the same attempts: one
/// <see cref="ThrottleAttempt"/> row per attempt (the key only as its SHA-256), counted over
/// <see cref="LoginOptions.ThrottleWindow"/>. Taking a slot is count-then-insert inside one transaction that holds, on
/// PostgreSQL, a transaction advisory lock on the key (concurrent attempts on one key, from any instance, queue; other keys
/// do not wait) and on SQLite the database's write lock (<c>BEGIN IMMEDIATE</c>): never more than the limit, on either
/// provider. Rows past the window are deleted by <see cref="Sessions.SessionSweep"/>.
/// </summary>
public sealed class DbLoginThrottle(IServiceScopeFactory scopes, TimeProvider time, IOptions<LoginOptions> options) : ILoginThrottle
{
    /// <summary>The first key of PostgreSQL's two-key advisory locks used by the throttle (the second is the key's hash).</summary>
    public const int PostgresAdvisoryLockClass = 0x4F54_4852; // "OTHR"

    private readonly TimeSpan window = options.Value.ThrottleWindow;

    public async Task<ThrottleSlot?> TryAcquireAsync(string key, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var hash = Hash(key);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OnshiDbContext>();
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async ct =>
        {
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            if (db.Database.IsPostgres())
            {
                var lockKey = BitConverter.ToInt32(Convert.FromHexString(hash.AsSpan(0, 8)));
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({PostgresAdvisoryLockClass}, {lockKey})", ct);
            }

            var now = time.GetUtcNow().UtcDateTime;
            var cutoff = now - window;
            var taken = await db.ThrottleAttempts.CountAsync(t => t.KeyHash == hash && t.AttemptedAt > cutoff, ct);
            if (taken >= limit)
            {
                await tx.RollbackAsync(ct);
                return (ThrottleSlot?)null;
            }

            var attempt = new ThrottleAttempt { KeyHash = hash, AttemptedAt = now };
            db.ThrottleAttempts.Add(attempt);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return new ThrottleSlot(attempt.Id);
        }, cancellationToken);
    }

    public async Task ReleaseAsync(IReadOnlyCollection<ThrottleSlot> slots, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(slots);
        var ids = slots.Select(s => s.Id).ToList();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OnshiDbContext>();
        await db.ThrottleAttempts.Where(t => ids.Contains(t.Id)).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>Deletes the attempts older than the window (they count no more); returns how many.</summary>
    public static Task<int> SweepAsync(OnshiDbContext db, DateTime nowUtc, TimeSpan window, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var cutoff = nowUtc - window;
        return db.ThrottleAttempts.Where(t => t.AttemptedAt <= cutoff).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>The stored form of a key: its SHA-256 in upper-case hex (no address or e-mail in the table).</summary>
    public static string Hash(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key ?? "")));
}
