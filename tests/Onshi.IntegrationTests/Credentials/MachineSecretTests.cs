using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.AccountManagement;
using Onshi.Core.Features.Accounts;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Credentials;
using Onshi.Core.Features.Passwords;
using Onshi.Core.Features.Sessions;
using Onshi.IntegrationTests.Applications;
using Onshi.IntegrationTests.Infrastructure;
using Shouldly;
using Xunit;

namespace Onshi.IntegrationTests.Credentials;

/// <summary>
/// Issue 16, item 4 (SPEC §12): the secrets of the 連携アプリ用 and Web API用 accounts through アカウント管理 and the credential
/// kernel, on each database — issued non-expiring and not temporary, rotated with a grace period that keeps the client
/// working, ended at once by パスワード初期化, and the denials audited.
/// </summary>
public sealed class MachineSecretTests
{
    public static TheoryData<string> Providers => TestDatabase.Providers;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Create_EachMachineKind_IssuesANonExpiringSecret_ThatStillSignsInAYearLater_WhenAPersonsWouldHaveLapsed(string provider)
    {
        await using var h = await ApplicationsHarness.CreateAsync(provider, Ct);
        var seed = await SeedAsync(h);

        var app = await CreateAsync(h, seed.Master, AccountKind.LinkedApp, "RECEAPP1");
        var api = await CreateAsync(h, seed.Master, AccountKind.WebApi, "KARTEAPI");
        var person = await CreateAsync(h, seed.Master, AccountKind.General, "UKETSUKE");

        foreach (var issued in new[] { app, api })
        {
            issued.IsMachineSecret.ShouldBeTrue();
            issued.Password.Length.ShouldBe(20);
            issued.ExpiresAt.ShouldBeNull();
            var row = await RowAsync(h, issued.AccountId);
            row.MustChangePassword.ShouldBeFalse();
            row.PasswordExpiresAt.ShouldBeNull();
            row.PasswordHash.ShouldStartWith("$argon2id$");
            row.PasswordHash.ShouldNotContain(issued.Password);
        }

        person.ExpiresAt.ShouldNotBeNull();
        person.Password.Length.ShouldBe(8);

        // A year on, well past the 90-day expiry and the 7-day validity of a temporary password.
        h.Time.Advance(TimeSpan.FromDays(400));
        (await SignInAsync(h, app.AccountId, app.Password)).ShouldBe(new SignInResult(SignInOutcome.Success, ""));
        (await SignInAsync(h, api.AccountId, api.Password)).ShouldBe(new SignInResult(SignInOutcome.Success, ""));
        (await SignInAsync(h, person.AccountId, person.Password)).Outcome.ShouldBe(SignInOutcome.TemporaryPasswordExpired);

        // Never written anywhere in plain: not in the 操作ログ.
        var rows = await h.Db(db => db.AuditEntries.AsNoTracking().ToListAsync());
        rows.ShouldContain(r => r.Action == AuditActions.AccountCreate && r.Target == "RECEAPP1" && r.Detail == "app");
        rows.ShouldAllBe(r => !(r.Target + r.Detail + r.Actor).Contains(app.Password) && !(r.Target + r.Detail + r.Actor).Contains(api.Password));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Rotate_BothSecretsSignInDuringTheGrace_TheOldOneStopsAfterIt_SessionsAndTokensGoOn(string provider)
    {
        await using var h = await ApplicationsHarness.CreateAsync(provider, Ct);
        var seed = await SeedAsync(h);
        var first = await CreateAsync(h, seed.Master, AccountKind.LinkedApp, "RECEAPP1");
        var before = await RowAsync(h, first.AccountId);
        h.Time.Advance(TimeSpan.FromDays(30));
        var rotatedAt = h.Time.GetUtcNow().UtcDateTime;

        var second = await RotateAsync(h, seed.Master, first.AccountId);

        second.Succeeded.ShouldBeTrue();
        var issued = second.Value!;
        issued.Password.Length.ShouldBe(20);
        issued.Password.ShouldNotBe(first.Password);
        issued.ExpiresAt.ShouldBeNull();
        issued.PreviousValidUntil.ShouldBe(rotatedAt + TimeSpan.FromDays(7));
        var after = await RowAsync(h, first.AccountId);
        after.SecurityStamp.ShouldBe(before.SecurityStamp);
        after.PreviousPasswordHash.ShouldBe(before.PasswordHash);
        after.PasswordHash.ShouldNotBe(before.PasswordHash);
        after.MustChangePassword.ShouldBeFalse();
        after.PasswordExpiresAt.ShouldBeNull();
        (await h.Db(db => db.AuditEntries.AsNoTracking().SingleAsync(r => r.Action == AuditActions.SecretRotate)))
            .ShouldSatisfyAllConditions(r => r.Outcome.ShouldBe(AuditOutcomes.Success), r => r.Target.ShouldBe("RECEAPP1"), r => r.Detail.ShouldBe("app"));

        // The detail page's words: until when the previous secret signs in.
        var detail = (await h.With<AccountAdministration, OpResult<AccountDetail>>(a => a.GetAsync(seed.Master, first.AccountId, Ct))).Value!;
        detail.PreviousSecretValidUntil.ShouldBe(rotatedAt + TimeSpan.FromDays(7));
        detail.CanRotateSecret.ShouldBeTrue();

        // Inside the grace both sign in; the old one is told apart for the audit.
        (await SignInAsync(h, first.AccountId, first.Password)).ShouldBe(new SignInResult(SignInOutcome.Success, CredentialService.PreviousSecretDetail));
        (await SignInAsync(h, first.AccountId, issued.Password)).ShouldBe(new SignInResult(SignInOutcome.Success, ""));
        h.Time.Advance(TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1));
        (await SignInAsync(h, first.AccountId, first.Password)).Outcome.ShouldBe(SignInOutcome.Success);

        // After it the old one is a wrong password; the new one goes on.
        h.Time.Advance(TimeSpan.FromMinutes(2));
        (await SignInAsync(h, first.AccountId, first.Password)).ShouldBe(new SignInResult(SignInOutcome.Failed, "wrong-password"));
        (await SignInAsync(h, first.AccountId, issued.Password)).ShouldBe(new SignInResult(SignInOutcome.Success, ""));
        (await h.With<AccountAdministration, OpResult<AccountDetail>>(a => a.GetAsync(seed.Master, first.AccountId, Ct))).Value!
            .PreviousSecretValidUntil.ShouldBeNull();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Rotate_WrongPasswordsDuringTheGrace_TakeOneAttemptSlotEach_AndStillLockAtFive(string provider)
    {
        await using var h = await ApplicationsHarness.CreateAsync(provider, Ct);
        var seed = await SeedAsync(h);
        var first = await CreateAsync(h, seed.Master, AccountKind.WebApi, "KARTEAPI");
        var second = (await RotateAsync(h, seed.Master, first.AccountId)).Value!;

        for (var i = 1; i <= 4; i++)
        {
            (await SignInAsync(h, first.AccountId, "Wrong-secret-" + i)).Detail.ShouldBe("wrong-password");
            (await RowAsync(h, first.AccountId)).AccessFailedCount.ShouldBe(i);
        }

        var fifth = await SignInAsync(h, first.AccountId, "Wrong-secret-5");
        fifth.Detail.ShouldBe("wrong-password-locked");
        fifth.Lock!.Detail.ShouldBe("timed");
        (await SignInAsync(h, first.AccountId, first.Password)).Detail.ShouldBe("locked");
        (await SignInAsync(h, first.AccountId, second.Password)).Detail.ShouldBe("locked");

        // The lock ends by itself (30 minutes, inside the 7-day grace): both secrets again.
        h.Time.Advance(TimeSpan.FromMinutes(31));
        (await SignInAsync(h, first.AccountId, first.Password)).Detail.ShouldBe(CredentialService.PreviousSecretDetail);
        (await SignInAsync(h, first.AccountId, second.Password)).Outcome.ShouldBe(SignInOutcome.Success);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Initialize_OfAMachineAccount_EndsTheCurrentAndThePreviousSecretAtOnce_AndRotatesTheStamp(string provider)
    {
        await using var h = await ApplicationsHarness.CreateAsync(provider, Ct);
        var seed = await SeedAsync(h);
        var first = await CreateAsync(h, seed.Master, AccountKind.LinkedApp, "RECEAPP1");
        var second = (await RotateAsync(h, seed.Master, first.AccountId)).Value!;
        var stamp = (await RowAsync(h, first.AccountId)).SecurityStamp;

        var third = await h.With<AccountAdministration, OpResult<IssuedPassword>>(a => a.InitializePasswordAsync(seed.Master, first.AccountId, Ct));

        third.Succeeded.ShouldBeTrue();
        third.Value!.Password.Length.ShouldBe(20);
        third.Value.ExpiresAt.ShouldBeNull();
        third.Value.PreviousValidUntil.ShouldBeNull();
        var row = await RowAsync(h, first.AccountId);
        row.SecurityStamp.ShouldNotBe(stamp);
        row.MustChangePassword.ShouldBeFalse();
        row.PasswordExpiresAt.ShouldBeNull();
        row.PreviousPasswordHash.ShouldBeNull();
        row.PreviousPasswordValidUntil.ShouldBeNull();
        (await SignInAsync(h, first.AccountId, first.Password)).Detail.ShouldBe("wrong-password");
        (await SignInAsync(h, first.AccountId, second.Password)).Detail.ShouldBe("wrong-password");
        (await SignInAsync(h, first.AccountId, third.Value.Password)).ShouldBe(new SignInResult(SignInOutcome.Success, ""));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Rotate_ByAGeneralAccount_OrOfAPersonsAccount_IsRefused_Audited_AndChangesNothing(string provider)
    {
        await using var h = await ApplicationsHarness.CreateAsync(provider, Ct);
        var seed = await SeedAsync(h);
        var app = await CreateAsync(h, seed.Master, AccountKind.LinkedApp, "RECEAPP1");
        var person = await CreateAsync(h, seed.Master, AccountKind.General, "UKETSUKE");
        var appBefore = await RowAsync(h, app.AccountId);
        var personBefore = await RowAsync(h, person.AccountId);

        var byGeneral = await RotateAsync(h, seed.General, app.AccountId);
        var ofPerson = await RotateAsync(h, seed.Master, person.AccountId);

        byGeneral.Errors.ShouldBe([AccountErrors.NotPermitted]);
        ofPerson.Errors.ShouldBe([AccountErrors.NotMachineAccount]);
        (await RowAsync(h, app.AccountId)).PasswordHash.ShouldBe(appBefore.PasswordHash);
        (await RowAsync(h, person.AccountId)).PasswordHash.ShouldBe(personBefore.PasswordHash);
        (await RowAsync(h, app.AccountId)).PreviousPasswordHash.ShouldBeNull();
        var denials = await h.Db(db => db.AuditEntries.AsNoTracking().Where(r => r.Action == AuditActions.SecretRotate).OrderBy(r => r.Id).ToListAsync());
        denials.Select(r => (r.Actor, r.Outcome, r.Target, r.Detail)).ShouldBe(
        [
            ("GENERAL1", AuditOutcomes.Denied, "RECEAPP1", AuditDetails.NotPermitted),
            ("0123456", AuditOutcomes.Denied, "UKETSUKE", AuditDetails.NotMachineAccount),
        ]);
        AuditLabels.Action(AuditActions.SecretRotate).ShouldBe("シークレットの更新（ローテーション）");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task KindChange_AcrossTheMachineBoundary_EndsTheCredential_UntilInitialized_WithinMachineKindsKeepsIt(string provider)
    {
        await using var h = await ApplicationsHarness.CreateAsync(provider, Ct);
        var seed = await SeedAsync(h);
        var person = await CreateAsync(h, seed.Master, AccountKind.General, "UKETSUKE");
        var app = await CreateAsync(h, seed.Master, AccountKind.LinkedApp, "RECEAPP1");

        // 一般 → 連携アプリ用: the temporary password no longer signs in; no secret yet, so no rotation either.
        (await UpdateKindAsync(h, seed.Master, person.AccountId, AccountKind.LinkedApp)).Succeeded.ShouldBeTrue();
        (await SignInAsync(h, person.AccountId, person.Password)).Detail.ShouldBe("wrong-password");
        var pending = (await h.With<AccountAdministration, OpResult<AccountDetail>>(a => a.GetAsync(seed.Master, person.AccountId, Ct))).Value!;
        pending.CredentialPending.ShouldBeTrue();
        pending.CanRotateSecret.ShouldBeFalse();
        (await RotateAsync(h, seed.Master, person.AccountId)).Errors.ShouldBe([AccountErrors.SecretNotIssued]);
        var secret = (await h.With<AccountAdministration, OpResult<IssuedPassword>>(a => a.InitializePasswordAsync(seed.Master, person.AccountId, Ct))).Value!;
        secret.ExpiresAt.ShouldBeNull();
        (await SignInAsync(h, person.AccountId, secret.Password)).ShouldBe(new SignInResult(SignInOutcome.Success, ""));

        // 連携アプリ用 → Web API用: still a machine, the secret (and a previous one in its grace) goes on.
        var rotated = (await RotateAsync(h, seed.Master, app.AccountId)).Value!;
        (await UpdateKindAsync(h, seed.Master, app.AccountId, AccountKind.WebApi)).Succeeded.ShouldBeTrue();
        (await SignInAsync(h, app.AccountId, rotated.Password)).Outcome.ShouldBe(SignInOutcome.Success);
        (await SignInAsync(h, app.AccountId, app.Password)).Detail.ShouldBe(CredentialService.PreviousSecretDetail);

        // Web API用 → 一般: neither secret signs in; パスワード初期化 gives a person's temporary password.
        (await UpdateKindAsync(h, seed.Master, app.AccountId, AccountKind.General)).Succeeded.ShouldBeTrue();
        (await SignInAsync(h, app.AccountId, rotated.Password)).Detail.ShouldBe("wrong-password");
        (await SignInAsync(h, app.AccountId, app.Password)).Detail.ShouldBe("wrong-password");
        (await RowAsync(h, app.AccountId)).PreviousPasswordHash.ShouldBeNull();
        (await h.Db(db => db.AuditEntries.AsNoTracking().Where(r => r.Action == AuditActions.AccountUpdate && r.Target == "RECEAPP1")
            .Select(r => r.Detail).ToListAsync())).ShouldBe(["kind:app>webapi", "kind:webapi>general," + AuditDetails.CredentialEnded]);
        var temporary = (await h.With<AccountAdministration, OpResult<IssuedPassword>>(a => a.InitializePasswordAsync(seed.Master, app.AccountId, Ct))).Value!;
        temporary.ExpiresAt.ShouldNotBeNull();
        (await SignInAsync(h, app.AccountId, temporary.Password)).Outcome.ShouldBe(SignInOutcome.MustChangePassword);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ChangeOwn_OfAMachineAccount_MustBeThirteenOrMore_NeverExpires_AndEndsThePreviousSecret(string provider)
    {
        await using var h = await ApplicationsHarness.CreateAsync(provider, Ct);
        var seed = await SeedAsync(h);
        var first = await CreateAsync(h, seed.Master, AccountKind.WebApi, "KARTEAPI");
        var second = (await RotateAsync(h, seed.Master, first.AccountId)).Value!;

        // The previous secret is no "current password" for a change.
        (await ChangeOwnAsync(h, first.AccountId, first.Password, "Kp7#mWq2-Lx9!z")).Errors.ShouldBe([AccountErrors.CurrentPasswordWrong]);
        var tooShort = await ChangeOwnAsync(h, first.AccountId, second.Password, "Kp7#mWq2-Lx9");
        tooShort.Errors.Select(e => e.Code).ShouldBe([PasswordErrors.MachineTooShortCode]);
        tooShort.Errors[0].Message.ShouldContain("13文字以上");

        (await ChangeOwnAsync(h, first.AccountId, second.Password, "Kp7#mWq2-Lx9!z")).Succeeded.ShouldBeTrue();
        var row = await RowAsync(h, first.AccountId);
        row.PasswordExpiresAt.ShouldBeNull();
        row.MustChangePassword.ShouldBeFalse();
        row.PreviousPasswordHash.ShouldBeNull();
        (await SignInAsync(h, first.AccountId, first.Password)).Detail.ShouldBe("wrong-password");
        h.Time.Advance(TimeSpan.FromDays(400));
        (await SignInAsync(h, first.AccountId, "Kp7#mWq2-Lx9!z")).ShouldBe(new SignInResult(SignInOutcome.Success, ""));
    }

    private sealed record Seed(ActorContext Master, ActorContext General);

    private static async Task<Seed> SeedAsync(ApplicationsHarness h)
    {
        await using var scope = h.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OnshiDbContext>();
        var hash = scope.ServiceProvider.GetRequiredService<Argon2idPasswordHasher>().Hash("Seed-Pass-7!");
        var now = h.Time.GetUtcNow().UtcDateTime;
        var institution = new Institution { Code = "1310000018", Name = "連携 医院", CreatedAt = now };
        db.Institutions.Add(institution);
        await db.SaveChangesAsync(Ct);
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
        var master = NewAccount("0123456", AccountKind.Master);
        var general = NewAccount("GENERAL1", AccountKind.General);
        db.AddRange(master, general);
        await db.SaveChangesAsync(Ct);
        ActorContext Actor(Account a) => new(new SessionPrincipal(1, "k", a.Id, a.UserId, a.DisplayName, a.Kind, institution.Id, institution.Code,
            institution.Name, OqsEnvironment.Production, false, false, now), "serial", "127.0.0.1");
        return new Seed(Actor(master), Actor(general));
    }

    private static async Task<IssuedPassword> CreateAsync(ApplicationsHarness h, ActorContext actor, AccountKind kind, string userId)
    {
        var result = await h.With<AccountAdministration, OpResult<IssuedPassword>>(a => a.CreateAsync(actor, kind, userId, userId + " の名前", Ct));
        result.Succeeded.ShouldBeTrue(string.Join(" ", result.Errors.Select(e => e.Message)));
        return result.Value!;
    }

    private static Task<OpResult<IssuedPassword>> RotateAsync(ApplicationsHarness h, ActorContext actor, long accountId) =>
        h.With<AccountAdministration, OpResult<IssuedPassword>>(a => a.RotateSecretAsync(actor, accountId, Ct));

    private static async Task<OpResult> UpdateKindAsync(ApplicationsHarness h, ActorContext actor, long accountId, AccountKind kind)
    {
        var row = await RowAsync(h, accountId);
        return await h.With<AccountAdministration, OpResult>(a => a.UpdateAsync(actor, accountId, row.DisplayName, kind, row.Status, Ct));
    }

    private static Task<Account> RowAsync(ApplicationsHarness h, long id) => h.Db(db => db.Accounts.AsNoTracking().SingleAsync(a => a.Id == id));

    private static async Task<SignInResult> SignInAsync(ApplicationsHarness h, long id, string password)
    {
        await using var scope = h.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OnshiDbContext>();
        var holder = await db.Accounts.AsNoTracking().SingleAsync(x => x.Id == id, Ct);
        return await scope.ServiceProvider.GetRequiredService<CredentialService>().SignInAsync(AccountCredentials.Instance, holder, password, Ct);
    }

    private static async Task<OpResult<int>> ChangeOwnAsync(ApplicationsHarness h, long id, string current, string next)
    {
        await using var scope = h.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OnshiDbContext>();
        var holder = await db.Accounts.SingleAsync(x => x.Id == id, Ct);
        var change = new OwnPasswordChange(holder.UserId, PasswordContext.None, 0, current, next, next, AuditActions.PasswordChange, AuditActions.Lockout,
            (action, outcome, detail) => new AuditRecord(action, outcome) { Actor = holder.UserId, Detail = detail });
        return await scope.ServiceProvider.GetRequiredService<CredentialService>().ChangeOwnAsync(AccountCredentials.Instance, holder, change,
            OwnPasswordService.Messages, NoSessions.Instance, scope.ServiceProvider.GetRequiredService<AuditLog>(), null, Ct);
    }

    private sealed class NoSessions : IHolderSessions
    {
        public static NoSessions Instance { get; } = new();

        public Task CarryOverAsync(long holderId, long sessionId, string newStamp, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<int> EndOthersWithinCommitAsync(long holderId, long sessionId, string reason, CancellationToken cancellationToken) => Task.FromResult(0);
    }
}
