using Microsoft.EntityFrameworkCore;
using Onshi.Core.Data;

namespace Onshi.Core.Features.Login;

/// <summary>
/// The one lockout rule (SPEC §4.6), shared by login and 《パスワード変更》. Every step is a single conditional UPDATE,
/// so parallel attempts cannot lose counts: an attempt first takes one of the <see cref="LoginOptions.MaxFailedAccessAttempts"/>
/// slots (refused once they are used up or the account is locked), the password is checked, and a failure that used
/// the last slot locks the account.
/// </summary>
public static class Lockout
{
    /// <summary>Takes an attempt slot; false when the account is locked or its slots are used up.</summary>
    public static async Task<bool> TryBeginAttemptAsync(OnshiDbContext db, long accountId, DateTime nowUtc, LoginOptions options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(options);
        var max = options.MaxFailedAccessAttempts;
        var taken = await db.Accounts
            .Where(a => a.Id == accountId && (a.LockoutEnd == null || a.LockoutEnd <= nowUtc) && a.AccessFailedCount < max)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.AccessFailedCount, a => a.AccessFailedCount + 1), cancellationToken);
        return taken == 1;
    }

    /// <summary>
    /// After a wrong password: locks the account if its slots are used up (the reset account until someone unlocks
    /// it, any other for <see cref="LoginOptions.LockoutDuration"/>). Returns true when this call locked it.
    /// </summary>
    public static async Task<bool> LockIfExhaustedAsync(OnshiDbContext db, Account account, DateTime nowUtc, LoginOptions options,
        bool rotateStamp, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(options);
        var max = options.MaxFailedAccessAttempts;
        var until = account.Kind == AccountKind.MasterReset ? DateTime.MaxValue : nowUtc + options.LockoutDuration;
        var stamp = rotateStamp ? Guid.NewGuid().ToString("N") : null;
        var locked = await db.Accounts
            .Where(a => a.Id == account.Id && a.AccessFailedCount >= max && (a.LockoutEnd == null || a.LockoutEnd <= nowUtc))
            .ExecuteUpdateAsync(s => s
                .SetProperty(a => a.LockoutEnd, until)
                .SetProperty(a => a.AccessFailedCount, 0)
                .SetProperty(a => a.SecurityStamp, a => stamp ?? a.SecurityStamp), cancellationToken);
        return locked == 1;
    }

    /// <summary>The audit detail of a lock: whether it ends by itself.</summary>
    public static string Detail(Account account) =>
        account?.Kind == AccountKind.MasterReset ? "until-unlocked" : "timed";
}
