using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Onshi.Core.Data;
using Onshi.Core.Features.Credentials;

namespace Onshi.Core.Features.Accounts;

/// <summary>The OQS accounts' credentials: signing in needs the account 有効; the マスタリセット用 account's lock lasts until unlocked.</summary>
public sealed class AccountCredentials : CredentialStoreWithHistory<Account, PasswordHistoryEntry>
{
    public static AccountCredentials Instance { get; } = new();

    public override Expression<Func<Account, bool>> MaySignIn { get; } = a => a.Status == AccountStatus.Active;

    public override DbSet<Account> Holders(OnshiDbContext db) => db.Accounts;

    public override string? SignInRefusal(Account holder) => holder?.Status == AccountStatus.Active ? null : "disabled";

    public override bool LocksUntilUnlocked(Account holder) => holder?.Kind == AccountKind.MasterReset;

    public override bool IsMachine(Account holder) => holder is not null && AccountKinds.IsMachine(holder.Kind);

    protected override DbSet<PasswordHistoryEntry> History(OnshiDbContext db) => db.PasswordHistory;

    protected override Expression<Func<PasswordHistoryEntry, bool>> OfHolder(long holderId) => h => h.AccountId == holderId;

    protected override PasswordHistoryEntry NewEntry(long holderId, string hash, DateTime at) =>
        new() { AccountId = holderId, PasswordHash = hash, CreatedAt = at };
}
