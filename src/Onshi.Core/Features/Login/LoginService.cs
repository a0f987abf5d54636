using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Onshi.Core.Data;
using Onshi.Core.Features.Accounts;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Credentials;
using Onshi.Core.Features.Passwords;
using Onshi.Core.Features.Sessions;

namespace Onshi.Core.Features.Login;

/// <summary>How a login attempt ended.</summary>
public enum LoginOutcome
{
    /// <summary>Logged in; the password is current.</summary>
    Success = 0,

    /// <summary>Logged in, but the password must be changed before anything else (temporary or expired).</summary>
    MustChangePassword = 1,

    /// <summary>Wrong ID or password, unknown ID, other institution, disabled or locked: one generic answer.</summary>
    Failed = 2,

    /// <summary>The temporary password was right but its validity has passed.</summary>
    TemporaryPasswordExpired = 3,

    /// <summary>Too many failures from this terminal or address.</summary>
    Throttled = 4,

    /// <summary>
    /// The password was right but the account has a live session elsewhere: the page asks whether to end it
    /// (強制ログイン, SPEC §4.8) and carries <see cref="LoginResult.ForcedLoginToken"/> to the answer.
    /// </summary>
    AlreadyInUse = 5,

    /// <summary>The 強制ログイン question was answered too late, or the account changed meanwhile: log in again.</summary>
    ForcedLoginExpired = 6,
}

/// <summary>The result of <see cref="LoginService.LoginAsync"/>.</summary>
public sealed record LoginResult(LoginOutcome Outcome, string? SessionKey = null, string? ForcedLoginToken = null)
{
    /// <summary>For <see cref="LoginOutcome.TemporaryPasswordExpired"/>: the kind of the account whose temporary password expired.</summary>
    public AccountKind? ExpiredKind { get; init; }

    /// <summary>For <see cref="LoginOutcome.TemporaryPasswordExpired"/>: true when it was the initial password (the account never logged in).</summary>
    public bool ExpiredInitial { get; init; }

    /// <summary>The 強制ログイン question (SPEC §4.8, worded as the real system).</summary>
    public const string AlreadyInUseQuestion = "該当のユーザは既に使用されています。強制的にログインしますか？";

    public const string ForcedLoginExpiredMessage =
        "確認の有効時間が過ぎたか、アカウントの状態が変わりました。もう一度ユーザIDとパスワードを入力してログインしてください。";

    /// <summary>
    /// The message shown for <see cref="LoginOutcome.Failed"/>: the same whatever went wrong, and true in every case (wrong ID or
    /// password, locked, disabled), with how long a lock lasts (issue 14, item 4).
    /// </summary>
    public static string GenericFailureMessage(LoginOptions options) => LockoutWording.Failure(options, "ユーザID",
        "時間をおいてから再度お試しいただくか、管理者またはマスタアカウントの利用者に、ロックの解除またはパスワードの初期化を依頼してください"
        + "（マスタアカウントリセット用アカウントのロックは時間が経っても解除されません。マスタアカウントの利用者またはコールセンターに解除を依頼してください）。");

    public const string ThrottledMessage =
        "ログインの失敗が続いたため、この端末からのログインを一時的に制限しています。しばらく時間をおいてから再度お試しください。";

    /// <summary>
    /// The message shown for <see cref="LoginOutcome.TemporaryPasswordExpired"/> (the password was right, so the account is
    /// known): the password named as it is (初期パスワード or 初期化後のパスワード), and the account's own way back — the master's
    /// is the reset account with the 秘密の番号 (seed P9), every other kind asks 管理者 or マスタ (issue 14, item 5).
    /// </summary>
    public static string TemporaryExpiredMessage(AccountKind? kind, bool initial)
    {
        var what = initial ? "初期パスワード" : "初期化後のパスワード";
        return kind == AccountKind.Master
            ? $"{what}の有効期限が切れています。マスタアカウントリセット用アカウント（パスワードは利用申請の際に設定した秘密の番号（数字4桁））でログインし、"
                + "マスタアカウントのパスワードを初期化してください。リセット用アカウントのユーザIDは、医療機関等向け総合ポータルサイトの「マスタアカウント情報ダウンロード」で確認できます。"
            : $"{what}の有効期限が切れています。管理者またはマスタアカウントの利用者に、パスワードの初期化を依頼してください。";
    }
}

/// <summary>
/// Login to the OQS (SPEC §4): the account must belong to the certificate's institution and this deployment's
/// environment; one generic failure for every wrong case, with the same cost (one Argon2id verification) whether or
/// not the ID exists; lockout after consecutive failures; a throttle per terminal and per address.
/// </summary>
public sealed class LoginService(
    OnshiDbContext db,
    Argon2idPasswordHasher hasher,
    CredentialService credentials,
    SessionService sessions,
    ForcedLoginTokens forcedLogins,
    AuditLog audit,
    RefusalAuditGate refusals,
    ILoginThrottle throttle,
    TimeProvider time,
    IOptions<LoginOptions> options,
    IOptions<SessionOptions> sessionOptions)
{
    private readonly LoginOptions opts = options.Value;
    private readonly bool oneLiveSession = sessionOptions.Value.OneLiveSessionPerAccount;

    /// <summary>
    /// Logs in with a user ID and password. <paramref name="currentSessionKey"/> is the session this browser already has
    /// (if any): it is not "another" live session, the page ends it when the new one starts. An account with a live session
    /// elsewhere is not logged in but asked about (<see cref="LoginOutcome.AlreadyInUse"/>), except the machine accounts
    /// (連携アプリ用, Web API用), which hold no browser session.
    /// </summary>
    public Task<LoginResult> LoginAsync(OqsEnvironment environment, TerminalIdentity terminal, string? userId, string? password,
        string clientAddress, string? currentSessionKey = null, CancellationToken cancellationToken = default) =>
        SignInAsync(environment, terminal, userId, password, clientAddress, currentSessionKey, machine: false, cancellationToken);

    /// <summary>
    /// The Web API's <c>auth</c> (SPEC §12): the same login, for 連携アプリ用 and Web API用 accounts only (any other kind fails
    /// like a wrong password, before its password is looked at), and no session unless the secret is current — a temporary or
    /// expired password answers <see cref="LoginOutcome.MustChangePassword"/> without a token. The session is the token.
    /// </summary>
    public Task<LoginResult> MachineLoginAsync(OqsEnvironment environment, TerminalIdentity terminal, string? userId, string? password,
        string clientAddress, CancellationToken cancellationToken = default) =>
        SignInAsync(environment, terminal, userId, password, clientAddress, null, machine: true, cancellationToken);

    private async Task<LoginResult> SignInAsync(OqsEnvironment environment, TerminalIdentity terminal, string? userId, string? password,
        string clientAddress, string? currentSessionKey, bool machine, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(terminal);
        userId = (userId ?? "").Trim();
        password ??= "";
        var baseRecord = new AuditRecord(AuditActions.Login, AuditOutcomes.Failure)
        {
            Environment = environment,
            InstitutionId = terminal.InstitutionId,
            InstitutionCode = terminal.InstitutionCode,
            Actor = UnknownUser,
            CertificateSerial = terminal.SerialNumber,
            ClientAddress = clientAddress,
        };

        // Every attempt takes its throttle slots before anything is checked; only a success gives them back.
        if (await throttle.TryAcquireAllAsync([("cert:" + terminal.Thumbprint, opts.MaxFailuresPerCertificate),
            ("addr:" + clientAddress, opts.MaxFailuresPerAddress)], cancellationToken) is not { } slots)
        {
            // Anyone can keep asking: one row per terminal, address and interval, counting the attempts (issue 14, 13).
            await audit.RecordSummarisedAsync(refusals, $"login-throttled|{terminal.Thumbprint}|{clientAddress}",
                baseRecord with { Outcome = AuditOutcomes.Denied, Detail = "throttled" }, cancellationToken);
            return new LoginResult(LoginOutcome.Throttled);
        }

        var normalized = userId.ToUpperInvariant();
        var account = userId.Length is 0 or > 16 ? null : await db.Accounts.AsNoTracking()
            .FirstOrDefaultAsync(a => a.Environment == environment && a.NormalizedUserId == normalized, cancellationToken);

        if (account is null || account.InstitutionId != terminal.InstitutionId)
        {
            hasher.VerifyDummy(password);
            if (account is not null)
            {
                // The attempt is told to the account's own institution; this terminal's log cannot tell it from an
                // unknown ID (no enumeration of other institutions' IDs), and no typed text is kept (it may be a password).
                audit.Record(new AuditRecord(AuditActions.Login, AuditOutcomes.Failure)
                {
                    Environment = environment,
                    InstitutionId = account.InstitutionId,
                    InstitutionCode = await db.Institutions.Where(i => i.Id == account.InstitutionId).Select(i => i.Code).FirstAsync(cancellationToken),
                    Actor = InstitutionActors.OtherInstitutionTerminal,
                    Target = account.UserId,
                    Detail = "other-institution",
                    CertificateSerial = terminal.SerialNumber,
                    ClientAddress = clientAddress,
                });
            }

            return await DeniedAsync(baseRecord with { Detail = "unknown-user" }, cancellationToken);
        }

        if (machine && !PermissionMatrix.MayUseMachineInterface(account.Kind))
        {
            // A person's account on the API: refused like a wrong password (its password is not verified, so the API is no
            // oracle for it), and not counted against the account.
            hasher.VerifyDummy(password);
            return await DeniedAsync(baseRecord with { Actor = account.UserId, ActorKind = account.Kind, Target = account.UserId, Detail = AuditDetails.NotMachineAccount },
                cancellationToken);
        }

        baseRecord = baseRecord with { Actor = account.UserId, ActorKind = account.Kind, Target = account.UserId };
        var result = await credentials.SignInAsync(AccountCredentials.Instance, account, password, cancellationToken,
            async (a, ct) => !oneLiveSession || AccountKinds.IsMachine(a.Kind) || !await sessions.HasOtherLiveSessionAsync(a.Id, currentSessionKey, ct),
            "already-in-use");
        if (result.Lock is { } taken)
        {
            audit.Record(baseRecord with
            {
                Action = AuditActions.Lockout,
                Outcome = AuditOutcomes.Success,
                Actor = "system",
                ActorKind = null,
                Detail = taken.Detail,
            });
        }

        if (result.Outcome == SignInOutcome.Failed)
        {
            return await DeniedAsync(baseRecord with { Detail = result.Detail }, cancellationToken);
        }

        await throttle.ReleaseAsync(slots, cancellationToken);
        if (result.Outcome == SignInOutcome.Held)
        {
            // Nothing changes until the answer: the question is audited, and its token names this account, its stamp and
            // this terminal's certificate.
            var lastSession = await db.LoginSessions.Where(x => x.AccountId == account.Id).MaxAsync(x => (long?)x.Id, cancellationToken) ?? 0;
            audit.Record(baseRecord with { Detail = result.Detail });
            await audit.CommitAsync(cancellationToken);
            return new LoginResult(LoginOutcome.AlreadyInUse, ForcedLoginToken: forcedLogins.Protect(account, lastSession, terminal.Thumbprint));
        }

        if (result.Outcome == SignInOutcome.TemporaryPasswordExpired)
        {
            audit.Record(baseRecord with { Detail = result.Detail });
            await audit.CommitAsync(cancellationToken);
            return new LoginResult(LoginOutcome.TemporaryPasswordExpired) { ExpiredKind = account.Kind, ExpiredInitial = account.LastLoginAt is null };
        }

        var mustChange = result.Outcome == SignInOutcome.MustChangePassword;
        if (machine && mustChange)
        {
            audit.Record(baseRecord with { Detail = result.Detail });
            await audit.CommitAsync(cancellationToken);
            return new LoginResult(LoginOutcome.MustChangePassword);
        }

        var sessionKey = sessions.Start(account, terminal.Thumbprint, clientAddress);
        audit.Record(baseRecord with { Outcome = AuditOutcomes.Success, Detail = result.Detail });
        await audit.CommitAsync(cancellationToken);
        return new LoginResult(mustChange ? LoginOutcome.MustChangePassword : LoginOutcome.Success, sessionKey);
    }

    /// <summary>
    /// 強制ログイン's OK (SPEC §4.8): with the token of <see cref="LoginOutcome.AlreadyInUse"/> from this terminal, unexpired and
    /// unused, for an account still unchanged, active and unlocked, every other session of the account ends (each audited,
    /// reason <c>forced-login</c>: the other browser's login page says why) and a new session starts, in one commit.
    /// </summary>
    public async Task<LoginResult> ForceLoginAsync(OqsEnvironment environment, TerminalIdentity terminal, string? token, string clientAddress,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(terminal);
        var now = time.GetUtcNow().UtcDateTime;
        if (forcedLogins.Read(token, terminal.Thumbprint, now) is not { } pending)
        {
            return new LoginResult(LoginOutcome.ForcedLoginExpired);
        }

        var account = await db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == pending.AccountId, cancellationToken);
        var record = ForcedLoginRecord(environment, terminal, account?.UserId, account?.Kind, clientAddress);

        // The token is used once: a session of the account started after the question means it was answered already (or
        // the account logged in again since), and a change of the stamp (password initialized, disabled) voids it.
        if (account is null || account.InstitutionId != terminal.InstitutionId || account.Environment != environment
            || account.Status != AccountStatus.Active || account.IsLockedAt(now)
            || !string.Equals(account.SecurityStamp, pending.SecurityStamp, StringComparison.Ordinal)
            || await db.LoginSessions.AnyAsync(s => s.AccountId == account.Id && s.Id > pending.LastSessionId, cancellationToken))
        {
            audit.Record(record with { Detail = "forced-login-expired" });
            await audit.CommitAsync(cancellationToken);
            return new LoginResult(LoginOutcome.ForcedLoginExpired);
        }

        var sessionKey = sessions.Start(account, terminal.Thumbprint, clientAddress);
        var mustChange = CredentialService.MustChangeAt(account, now);
        var started = await audit.CommitAsync(async ct =>
        {
            // Only while the account is still unchanged, active and unlocked (the kernel's conditional UPDATE, in this commit).
            if (!await credentials.CompleteHeldSignInAsync(AccountCredentials.Instance, account, ct))
            {
                return false;
            }

            await sessions.EndAllWithinCommitAsync(account.Id, SessionEndReasons.ForcedLogin, ct);
            audit.Record(record with { Outcome = AuditOutcomes.Success, Detail = mustChange ? "forced,must-change-password" : "forced" });
            return true;
        }, cancellationToken);
        if (!started)
        {
            db.ChangeTracker.Clear();
            return new LoginResult(LoginOutcome.ForcedLoginExpired);
        }

        return new LoginResult(mustChange ? LoginOutcome.MustChangePassword : LoginOutcome.Success, sessionKey);
    }

    /// <summary>強制ログイン's キャンセル: nothing changes; the answer is audited (when the token is still one of this terminal's).</summary>
    public async Task CancelForcedLoginAsync(OqsEnvironment environment, TerminalIdentity terminal, string? token, string clientAddress,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(terminal);
        if (forcedLogins.Read(token, terminal.Thumbprint, time.GetUtcNow().UtcDateTime) is not { } pending)
        {
            return;
        }

        var account = await db.Accounts.AsNoTracking().Where(a => a.Id == pending.AccountId).Select(a => new { a.UserId, a.Kind })
            .FirstOrDefaultAsync(cancellationToken);
        audit.Record(ForcedLoginRecord(environment, terminal, account?.UserId, account?.Kind, clientAddress) with { Detail = "forced-login-cancelled" });
        await audit.CommitAsync(cancellationToken);
    }

    /// <summary>The <c>login</c> row of an answer to the 強制ログイン question (a failure until the caller says otherwise).</summary>
    private static AuditRecord ForcedLoginRecord(OqsEnvironment environment, TerminalIdentity terminal, string? userId, AccountKind? kind,
        string clientAddress) => new(AuditActions.Login, AuditOutcomes.Failure)
        {
            Environment = environment,
            InstitutionId = terminal.InstitutionId,
            InstitutionCode = terminal.InstitutionCode,
            Actor = userId ?? UnknownUser,
            ActorKind = kind,
            Target = userId ?? "",
            CertificateSerial = terminal.SerialNumber,
            ClientAddress = clientAddress,
        };

    /// <summary>The actor recorded for an ID that names no account of this terminal's institution.</summary>
    public const string UnknownUser = "(unknown)";

    private async Task<LoginResult> DeniedAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        audit.Record(record);
        await audit.CommitAsync(cancellationToken);
        return new LoginResult(LoginOutcome.Failed);
    }
}
