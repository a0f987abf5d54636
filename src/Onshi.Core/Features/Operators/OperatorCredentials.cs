using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Onshi.Core.Data;
using Onshi.Core.Features.Credentials;

namespace Onshi.Core.Features.Operators;

/// <summary>The operators' credentials: signing in needs the operator not disabled; the OQS's rules otherwise.</summary>
public sealed class OperatorCredentials : CredentialStoreWithHistory<OperatorAccount, OperatorPasswordHistoryEntry>
{
    public static OperatorCredentials Instance { get; } = new();

    public override Expression<Func<OperatorAccount, bool>> MaySignIn { get; } = o => !o.Disabled;

    public override DbSet<OperatorAccount> Holders(OnshiDbContext db) => db.OperatorAccounts;

    public override string? SignInRefusal(OperatorAccount holder) => holder is { Disabled: false } ? null : "disabled";

    protected override DbSet<OperatorPasswordHistoryEntry> History(OnshiDbContext db) => db.OperatorPasswordHistory;

    protected override Expression<Func<OperatorPasswordHistoryEntry, bool>> OfHolder(long holderId) => h => h.OperatorAccountId == holderId;

    protected override OperatorPasswordHistoryEntry NewEntry(long holderId, string hash, DateTime at) =>
        new() { OperatorAccountId = holderId, PasswordHash = hash, CreatedAt = at };
}
