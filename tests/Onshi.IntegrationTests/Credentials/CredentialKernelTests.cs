using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Data;
using Onshi.Core.Features.Accounts;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Credentials;
using Onshi.Core.Features.Operators;
using Onshi.Core.Features.Passwords;
using Onshi.Core.Features.PortalAccounts;
using Onshi.IntegrationTests.Applications;
using Onshi.IntegrationTests.Infrastructure;
using Shouldly;
using Xunit;

namespace Onshi.IntegrationTests.Credentials;

/// <summary>
/// The one credential kernel (<see cref="CredentialService"/>) on each kind of account and each database: the same
/// lockout, and each difference that stays between the kinds (<see cref="CredentialStore{T}"/>) as documented in
/// docs/passwords.md.
/// </summary>
public sealed class CredentialKernelTests
{
    private const string Right = "Kernel-Pass-7!";

    public static TheoryData<string> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task SignIn_FiveWrongPasswords_LockEveryKind_TheResetAccountUntilUnlocked(string provider)
    {
        await using var h = await ApplicationsHarness.CreateAsync(provider, TestContext.Current.CancellationToken);
        var ids = await SeedAsync(h);
        var now = h.Time.GetUtcNow().UtcDateTime;

        await LockAsync(h, AccountCredentials.Instance, ids.General, "timed");
        await LockAsync(h, AccountCredentials.Instance, ids.Reset, "until-unlocked");
        await LockAsync(h, PortalUserCredentials.Instance, ids.Portal, "timed");
        await LockAsync(h, OperatorCredentials.Instance, ids.Operator, "timed");

        await h.Db(async db =>
        {
            (await db.Accounts.SingleAsync(a => a.Id == ids.General)).LockoutEnd!.Value.ShouldBe(now.AddMinutes(30), TimeSpan.FromSeconds(1));
            (await db.Accounts.SingleAsync(a => a.Id == ids.Reset)).LockoutEnd!.Value.ShouldBe(DateTime.MaxValue, TimeSpan.FromSeconds(1));
            (await db.PortalUsers.SingleAsync(u => u.Id == ids.Portal)).LockoutEnd!.Value.ShouldBe(now.AddMinutes(30), TimeSpan.FromSeconds(1));
            (await db.OperatorAccounts.SingleAsync(o => o.Id == ids.Operator)).LockoutEnd!.Value.ShouldBe(now.AddMinutes(30), TimeSpan.FromSeconds(1));
            return 0;
        });

        // Locked: even the right password fails, as "locked", without touching the count.
        (await SignInAsync(h, OperatorCredentials.Instance, ids.Operator, Right)).Detail.ShouldBe("locked");

        // A timed lock ends by itself; the reset account's does not.
        h.Time.Advance(TimeSpan.FromMinutes(31));
        (await SignInAsync(h, OperatorCredentials.Instance, ids.Operator, Right)).Outcome.ShouldBe(SignInOutcome.Success);
        (await SignInAsync(h, PortalUserCredentials.Instance, ids.Portal, Right)).Outcome.ShouldBe(SignInOutcome.Success);
        (await SignInAsync(h, AccountCredentials.Instance, ids.General, Right)).Outcome.ShouldBe(SignInOutcome.Success);
        (await SignInAsync(h, AccountCredentials.Instance, ids.Reset, Right)).Detail.ShouldBe("locked");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task SignIn_HoldersThatMayNotSignIn_FailWithTheirKindsReason(string provider)
    {
        await using var h = await ApplicationsHarness.CreateAsync(provider, TestContext.Current.CancellationToken);
        var ids = await SeedAsync(h);
        await h.Db(async db =>
        {
            await db.Accounts.Where(a => a.Id == ids.General).ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, AccountStatus.Disabled));
            await db.PortalUsers.Where(u => u.Id == ids.Portal).ExecuteUpdateAsync(s => s.SetProperty(u => u.EmailConfirmed, false));
            await db.OperatorAccounts.Where(o => o.Id == ids.Operator).ExecuteUpdateAsync(s => s.SetProperty(o => o.Disabled, true));
            return 0;
        });

        (await SignInAsync(h, AccountCredentials.Instance, ids.General, Right)).Detail.ShouldBe("disabled");
        (await SignInAsync(h, PortalUserCredentials.Instance, ids.Portal, Right)).Detail.ShouldBe("unconfirmed");
        (await SignInAsync(h, OperatorCredentials.Instance, ids.Operator, Right)).Detail.ShouldBe("disabled");
        var unknown = await h.With<CredentialService, SignInResult>(c =>
            c.SignInAsync(OperatorCredentials.Instance, null, Right, TestContext.Current.CancellationToken));
        unknown.Detail.ShouldBe("unknown-user");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ChangeOwn_TheOperatorKeepsHistoryAndExpiry_ThePortalUserNeither(string provider)
    {
        await using var h = await ApplicationsHarness.CreateAsync(provider, TestContext.Current.CancellationToken);
        var ids = await SeedAsync(h);
        const string second = "Kp7#mWq2"; // under 13 characters: it expires where the kind's passwords expire

        // Operator: a change, then back to the first password is refused (history); the new password expires.
        (await ChangeAsync(h, OperatorCredentials.Instance, ids.Operator, Right, second)).Succeeded.ShouldBeTrue();
        var back = await ChangeAsync(h, OperatorCredentials.Instance, ids.Operator, second, Right);
        back.Succeeded.ShouldBeFalse();
        back.Errors.ShouldContain(e => e.Code == "password.reused");
        (await h.Db(async db => (await db.OperatorAccounts.SingleAsync(o => o.Id == ids.Operator)).PasswordExpiresAt)).ShouldNotBeNull();

        // Portal user: no history kept (back to the first password is allowed) and no expiry.
        (await ChangeAsync(h, PortalUserCredentials.Instance, ids.Portal, Right, second)).Succeeded.ShouldBeTrue();
        (await ChangeAsync(h, PortalUserCredentials.Instance, ids.Portal, second, Right)).Succeeded.ShouldBeTrue();
        (await h.Db(async db => (await db.PortalUsers.SingleAsync(u => u.Id == ids.Portal)).PasswordExpiresAt)).ShouldBeNull();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task IssueTemporary_OnAnExistingAccount_KeepsTheOldHashInTheHistory_AndMustBeChanged(string provider)
    {
        await using var h = await ApplicationsHarness.CreateAsync(provider, TestContext.Current.CancellationToken);
        var ids = await SeedAsync(h);
        string password;
        string oldStamp;
        await using (var scope = h.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OnshiDbContext>();
            var account = await db.Accounts.SingleAsync(a => a.Id == ids.General);
            oldStamp = account.SecurityStamp;
            password = await scope.ServiceProvider.GetRequiredService<CredentialService>()
                .IssueTemporaryAsync(AccountCredentials.Instance, account, account.UserId, TestContext.Current.CancellationToken);
            await db.SaveChangesAsync();
        }

        await h.Db(async db =>
        {
            var account = await db.Accounts.SingleAsync(a => a.Id == ids.General);
            account.MustChangePassword.ShouldBeTrue();
            account.SecurityStamp.ShouldNotBe(oldStamp);
            (await db.PasswordHistory.CountAsync(x => x.AccountId == ids.General)).ShouldBe(1);
            return 0;
        });
        (await SignInAsync(h, AccountCredentials.Instance, ids.General, password)).Outcome.ShouldBe(SignInOutcome.MustChangePassword);
    }

    private static async Task LockAsync<T>(ApplicationsHarness h, CredentialStore<T> store, long id, string lockDetail)
        where T : class, ICredentialHolder
    {
        for (var i = 1; i <= 5; i++)
        {
            var result = await SignInAsync(h, store, id, "wrong-password-" + i);
            result.Outcome.ShouldBe(SignInOutcome.Failed);
            if (i < 5)
            {
                result.Detail.ShouldBe("wrong-password");
                result.Lock.ShouldBeNull();
            }
            else
            {
                result.Detail.ShouldBe("wrong-password-locked");
                result.Lock!.Detail.ShouldBe(lockDetail);
            }
        }
    }

    private static async Task<SignInResult> SignInAsync<T>(ApplicationsHarness h, CredentialStore<T> store, long id, string password)
        where T : class, ICredentialHolder
    {
        await using var scope = h.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OnshiDbContext>();
        var holder = await store.Holders(db).AsNoTracking().SingleAsync(x => x.Id == id);
        return await scope.ServiceProvider.GetRequiredService<CredentialService>().SignInAsync(store, holder, password, TestContext.Current.CancellationToken);
    }

    private static async Task<Onshi.Core.Common.OpResult<int>> ChangeAsync<T>(ApplicationsHarness h, CredentialStore<T> store, long id, string current, string next)
        where T : class, ICredentialHolder
    {
        await using var scope = h.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OnshiDbContext>();
        var holder = await store.Holders(db).SingleAsync(x => x.Id == id);
        var change = new OwnPasswordChange("kernel-user", PasswordContext.None, 0, current, next, next, "test.password.change", "test.lockout",
            (action, outcome, detail) => new AuditRecord(action, outcome) { Actor = "kernel-user", Detail = detail });
        return await scope.ServiceProvider.GetRequiredService<CredentialService>().ChangeOwnAsync(store, holder, change,
            OwnPasswordService.Messages, NoSessions.Instance, scope.ServiceProvider.GetRequiredService<AuditLog>(), null, TestContext.Current.CancellationToken);
    }

    private static async Task<(long General, long Reset, long Portal, long Operator)> SeedAsync(ApplicationsHarness h)
    {
        await using var scope = h.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OnshiDbContext>();
        var hash = scope.ServiceProvider.GetRequiredService<Argon2idPasswordHasher>().Hash(Right);
        var now = h.Time.GetUtcNow().UtcDateTime;
        var institution = new Institution { Code = "1310000018", Name = "資格 医院", CreatedAt = now };
        db.Institutions.Add(institution);
        await db.SaveChangesAsync();
        Account NewAccount(string userId, AccountKind kind) => new()
        {
            InstitutionId = institution.Id,
            Environment = OqsEnvironment.Production,
            UserId = userId,
            NormalizedUserId = userId.ToUpperInvariant(),
            DisplayName = userId,
            Kind = kind,
            PasswordHash = hash,
            CreatedAt = now,
            UpdatedAt = now,
        };
        var general = NewAccount("KERNEL01", AccountKind.General);
        var reset = NewAccount("R7654321", AccountKind.MasterReset);
        var portal = new PortalUser { Email = "kernel@example.jp", NormalizedEmail = "KERNEL@EXAMPLE.JP", PasswordHash = hash, EmailConfirmed = true, CreatedAt = now };
        var op = new OperatorAccount { UserId = "op-kernel", NormalizedUserId = "OP-KERNEL", DisplayName = "運用 次郎", Role = OperatorRole.Reviewer, PasswordHash = hash, CreatedAt = now };
        db.AddRange(general, reset, portal, op);
        await db.SaveChangesAsync();
        return (general.Id, reset.Id, portal.Id, op.Id);
    }

    /// <summary>No sessions to carry over or end: the kernel's own steps alone.</summary>
    private sealed class NoSessions : IHolderSessions
    {
        public static NoSessions Instance { get; } = new();

        public Task CarryOverAsync(long holderId, long sessionId, string newStamp, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<int> EndOthersWithinCommitAsync(long holderId, long sessionId, string reason, CancellationToken cancellationToken) => Task.FromResult(0);
    }
}
