using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Onshi.Core.Data;

namespace Onshi.Core.Features.Credentials;

/// <summary>
/// What the credential rules need to know of one kind of account: its table, who may sign in at all, and the
/// differences that stay between the kinds — each a named member here with the reason it exists (docs/passwords.md,
/// "One credential kernel"). Everything else (attempt slots, lockout, verification at one cost, success, change,
/// temporary passwords, history) is <see cref="CredentialService"/>, the same code for every kind.
/// </summary>
public abstract class CredentialStore<T>
    where T : class, ICredentialHolder
{
    /// <summary>The table of this kind.</summary>
    public abstract DbSet<T> Holders(OnshiDbContext db);

    /// <summary>
    /// In SQL: the holder may sign in at all (an OQS account 有効, an operator not disabled, a portal user with a confirmed
    /// address). A success is written only while this still holds.
    /// </summary>
    public abstract Expression<Func<T, bool>> MaySignIn { get; }

    /// <summary>The audit detail when <paramref name="holder"/> may not sign in (<c>disabled</c>, <c>unconfirmed</c>); null when it may.</summary>
    public abstract string? SignInRefusal(T holder);

    /// <summary>
    /// Whether a lock of <paramref name="holder"/> lasts until someone unlocks it instead of
    /// <see cref="Login.LoginOptions.LockoutDuration"/>. Default false; true only for the OQS マスタリセット用 account
    /// (SPEC §4.6): its password is a 4-digit 秘密の番号, and a lock that ended by itself would let 5 guesses per lock
    /// period go on until the 10,000 numbers are tried.
    /// </summary>
    public virtual bool LocksUntilUnlocked(T holder) => false;

    /// <summary>
    /// Whether a password this kind chooses itself expires (<see cref="Passwords.PasswordPolicy.ComputeExpiry"/>). True
    /// for the OQS and the console (SPEC §4.7, the guideline's 90 days); false for the portal, whose users are the
    /// institutions' contact persons on their own devices and whose passwords are reset by a mailed link.
    /// </summary>
    public virtual bool PasswordsExpire => true;

    /// <summary>
    /// Whether <paramref name="holder"/> is a machine's account (the OQS's 連携アプリ用 and Web API用, SPEC §12): its secret never
    /// expires and is never temporary, so a password it chooses itself must be long enough not to expire
    /// (<see cref="Passwords.PasswordPolicy.MachineSecretMinLength"/>) and gets no expiry. Default false.
    /// </summary>
    public virtual bool IsMachine(T holder) => false;

    /// <summary>
    /// Whether this kind keeps a password history (the "not one of the last N" rule). True for the OQS and the console;
    /// false for the portal, which has no history table: its only change is a reset by mailed link.
    /// </summary>
    public virtual bool KeepsHistory => true;

    /// <summary>The newest <paramref name="count"/> previous hashes of <paramref name="holderId"/>, newest first.</summary>
    public virtual Task<List<string>> RecentHashesAsync(OnshiDbContext db, long holderId, int count, CancellationToken cancellationToken) =>
        Task.FromResult(new List<string>());

    /// <summary>Adds <paramref name="hash"/> to the history (tracked) and removes the entries beyond the newest <paramref name="kept"/>.</summary>
    public virtual Task PushHistoryAsync(OnshiDbContext db, long holderId, string hash, DateTime at, int kept, CancellationToken cancellationToken) =>
        Task.CompletedTask;
}

/// <summary>A <see cref="CredentialStore{T}"/> whose kind keeps its previous hashes in a table of <typeparamref name="THistory"/>.</summary>
public abstract class CredentialStoreWithHistory<T, THistory> : CredentialStore<T>
    where T : class, ICredentialHolder
    where THistory : class, IPasswordHistoryEntry
{
    /// <summary>The history table.</summary>
    protected abstract DbSet<THistory> History(OnshiDbContext db);

    /// <summary>In SQL: the entry belongs to <paramref name="holderId"/>.</summary>
    protected abstract Expression<Func<THistory, bool>> OfHolder(long holderId);

    /// <summary>A new entry of <paramref name="holderId"/>.</summary>
    protected abstract THistory NewEntry(long holderId, string hash, DateTime at);

    public sealed override Task<List<string>> RecentHashesAsync(OnshiDbContext db, long holderId, int count, CancellationToken cancellationToken) =>
        History(db).AsNoTracking().Where(OfHolder(holderId)).OrderByDescending(h => h.CreatedAt).Take(count).Select(h => h.PasswordHash)
            .ToListAsync(cancellationToken);

    public sealed override async Task PushHistoryAsync(OnshiDbContext db, long holderId, string hash, DateTime at, int kept,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);

        // The history then holds the newest `kept`: the new entry and the stored ones up to kept − 1.
        if (kept > 0 && hash.Length > 0)
        {
            History(db).Add(NewEntry(holderId, hash, at));
        }

        var stale = await History(db).Where(OfHolder(holderId)).OrderByDescending(h => h.CreatedAt).Skip(Math.Max(0, kept - 1))
            .ToListAsync(cancellationToken);
        History(db).RemoveRange(stale);
    }
}
