using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Login;
using Onshi.Core.Features.Mail;
using Onshi.Core.Features.Passwords;
using Onshi.Core.Features.Sessions;

namespace Onshi.Core.Features.PortalAccounts;

/// <summary>How a portal login attempt ended.</summary>
public enum PortalLoginOutcome
{
    /// <summary>Logged in; <see cref="PortalLoginResult.SessionKey"/> holds the new session's key.</summary>
    Success = 0,

    /// <summary>Unknown, unconfirmed, wrong password or locked: one generic answer.</summary>
    Failed = 1,

    /// <summary>Too many failures from this client address.</summary>
    Throttled = 2,
}

/// <summary>The result of <see cref="PortalAccountService.LoginAsync"/>.</summary>
public sealed record PortalLoginResult(PortalLoginOutcome Outcome, string? SessionKey = null)
{
    /// <summary>The message to show for a failure.</summary>
    public string? Message => Outcome switch
    {
        PortalLoginOutcome.Failed => PortalAccountErrors.GenericLoginFailure,
        PortalLoginOutcome.Throttled => PortalAccountErrors.Throttled,
        _ => null,
    };
}

/// <summary>The signed-in portal user, as every page sees it (read on every request).</summary>
public sealed record PortalPrincipal(long SessionId, long UserId, string Email, string DisplayName);

/// <summary>
/// The accounts of the 医療機関等向け総合ポータルサイト (SPEC §6): registration with e-mail verification, login with the OQS's
/// rules (throttle first, one generic failure, the same cost for an unknown user, atomic lockout), password reset by a
/// mailed link, logout. Neither registration nor reset tells whether an address is registered.
/// </summary>
public sealed partial class PortalAccountService(
    OnshiDbContext db,
    Argon2idPasswordHasher hasher,
    PasswordPolicy policy,
    AuditLog audit,
    IMailSender mail,
    MailDispatcher mailDispatcher,
    IDataProtectionProvider dataProtection,
    SiteSessionService sessions,
    ILoginThrottle throttle,
    TimeProvider time,
    IOptions<PortalAccountOptions> options,
    IOptions<LoginOptions> loginOptions)
{
    private const string VerifyPurpose = "Onshi.Portal.EmailVerification.v1";
    private const string ResetPurpose = "Onshi.Portal.PasswordReset.v1";
    private const int MaxTokenLength = 2048;
    private const string SubjectPrefix = "【医療機関等向け総合ポータルサイト】";

    private readonly PortalAccountOptions opts = options.Value;
    private readonly LoginOptions login = loginOptions.Value;

    /// <summary>
    /// 新規登録. On valid input the answer is always success (「確認メールを送信しました」): a new address gets a verification
    /// link (valid <see cref="PortalAccountOptions.VerificationLinkLifetime"/>); an address already registered gets a
    /// notice with a reset link instead, and nothing is stored.
    /// </summary>
    public async Task<OpResult> RegisterAsync(string? email, string? displayName, string? password, string? confirm, string clientAddress,
        CancellationToken cancellationToken = default)
    {
        email = (email ?? "").Trim();
        displayName = (displayName ?? "").Trim();
        password ??= "";
        List<OnshiError> errors = [.. ValidateEmail(email)];
        if (displayName.Length == 0)
        {
            errors.Add(PortalAccountErrors.DisplayNameRequired());
        }
        else if (displayName.Length > PortalAccountErrors.MaxDisplayNameLength)
        {
            errors.Add(PortalAccountErrors.DisplayNameTooLong());
        }
        else if (displayName.Any(TextInput.IsForbidden))
        {
            errors.Add(PortalAccountErrors.DisplayNameInvalid());
        }

        if (password.Length == 0)
        {
            errors.Add(PortalAccountErrors.PasswordRequired());
        }
        else
        {
            errors.AddRange(policy.Validate(email, password, PasswordContext.ForPortalUser(email, displayName))
                .Select(e => e with { Field = PortalAccountErrors.PasswordField }));
        }

        if (password.Length > 0 && !string.Equals(password, confirm, StringComparison.Ordinal))
        {
            errors.Add(PortalAccountErrors.ConfirmMismatch());
        }

        if (errors.Count > 0)
        {
            return OpResult.Fail(errors);
        }

        var normalized = Normalize(email);
        var now = time.GetUtcNow().UtcDateTime;
        var existing = await db.PortalUsers.AsNoTracking().FirstOrDefaultAsync(u => u.NormalizedEmail == normalized, cancellationToken);
        if (existing is null)
        {
            var user = new PortalUser
            {
                Email = email,
                NormalizedEmail = normalized,
                DisplayName = displayName,
                PasswordHash = hasher.Hash(password),
                EmailConfirmed = false,
                CreatedAt = now,
            };
            db.PortalUsers.Add(user);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // The same address registered at this instant by someone else: answer as for a registered address.
                db.ChangeTracker.Clear();
                existing = await db.PortalUsers.AsNoTracking().FirstOrDefaultAsync(u => u.NormalizedEmail == normalized, cancellationToken);
                if (existing is null)
                {
                    throw;
                }
            }

            if (existing is null)
            {
                var sent = await TrySendAsync(clientAddress, normalized, () => VerificationMail(user), cancellationToken);
                audit.Record(Record(PortalAuditActions.Register, AuditOutcomes.Success, user.Id, clientAddress, sent ? "verification-sent" : "mail-throttled"));
                await audit.CommitAsync(cancellationToken);
                return OpResult.Ok;
            }
        }
        else
        {
            // The same cost as a new registration's hash, so the answer time does not tell either.
            hasher.VerifyDummy(password);
        }

        var noticeSent = await TrySendAsync(clientAddress, normalized, () => AlreadyRegisteredMail(existing), cancellationToken);
        audit.Record(Record(PortalAuditActions.Register, AuditOutcomes.Denied, existing.Id, clientAddress,
            noticeSent ? "already-registered" : "already-registered-mail-throttled"));
        await audit.CommitAsync(cancellationToken);
        return OpResult.Ok;
    }

    /// <summary>Follows a verification link: the address is confirmed and the user may log in.</summary>
    public async Task<OpResult> VerifyEmailAsync(string? token, string clientAddress, CancellationToken cancellationToken = default)
    {
        var user = await ReadTokenAsync(VerifyPurpose, token, cancellationToken);
        if (user is null)
        {
            return OpResult.Fail(PortalAccountErrors.LinkInvalid());
        }

        if (!user.EmailConfirmed)
        {
            var stamp = user.SecurityStamp;
            var updated = await db.PortalUsers.Where(u => u.Id == user.Id && u.SecurityStamp == stamp)
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.EmailConfirmed, true), cancellationToken);
            if (updated == 0)
            {
                return OpResult.Fail(PortalAccountErrors.LinkInvalid());
            }

            audit.Record(Record(PortalAuditActions.Verify, AuditOutcomes.Success, user.Id, clientAddress, ""));
            await audit.CommitAsync(cancellationToken);
        }

        return OpResult.Ok;
    }

    /// <summary>
    /// Login with the OQS's rules: the client address's throttle slot is taken first; unknown, unconfirmed, wrong and
    /// locked all give one answer at the cost of one Argon2id verification; failures lock the user atomically.
    /// </summary>
    public async Task<PortalLoginResult> LoginAsync(string? email, string? password, string clientAddress, CancellationToken cancellationToken = default)
    {
        email = (email ?? "").Trim();
        password ??= "";
        var addrKey = "portal-addr:" + clientAddress;
        if (await throttle.TryAcquireAsync(addrKey, login.MaxFailuresPerAddress, cancellationToken) is not { } addrSlot)
        {
            audit.Record(Record(PortalAuditActions.Login, AuditOutcomes.Denied, null, clientAddress, "throttled"));
            await audit.CommitAsync(cancellationToken);
            return new PortalLoginResult(PortalLoginOutcome.Throttled);
        }

        var normalized = Normalize(email);
        var user = email.Length is 0 or > PortalAccountErrors.MaxEmailLength ? null
            : await db.PortalUsers.AsNoTracking().FirstOrDefaultAsync(u => u.NormalizedEmail == normalized, cancellationToken);
        if (user is null)
        {
            hasher.VerifyDummy(password);
            return await FailAsync(null, "unknown-user");
        }

        if (!user.EmailConfirmed)
        {
            hasher.VerifyDummy(password);
            return await FailAsync(user.Id, "unconfirmed");
        }

        var now = time.GetUtcNow().UtcDateTime;
        var max = login.MaxFailedAccessAttempts;
        var slot = await db.PortalUsers
            .Where(u => u.Id == user.Id && (u.LockoutEnd == null || u.LockoutEnd <= now) && u.AccessFailedCount < max)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.AccessFailedCount, u => u.AccessFailedCount + 1), cancellationToken);
        if (slot == 0)
        {
            hasher.VerifyDummy(password);
            return await FailAsync(user.Id, "locked");
        }

        var verification = hasher.Verify(user.PasswordHash, password);
        if (verification == PasswordVerificationResult.Failed)
        {
            var until = now + login.LockoutDuration;
            var locked = await db.PortalUsers
                .Where(u => u.Id == user.Id && u.AccessFailedCount >= max && (u.LockoutEnd == null || u.LockoutEnd <= now))
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.LockoutEnd, until).SetProperty(u => u.AccessFailedCount, 0), cancellationToken);
            if (locked == 1)
            {
                audit.Record(Record(PortalAuditActions.Lockout, AuditOutcomes.Success, user.Id, clientAddress, "timed") with { Actor = "system" });
                return await FailAsync(user.Id, "wrong-password-locked");
            }

            return await FailAsync(user.Id, "wrong-password");
        }

        // Success only if the user is still unlocked and unchanged at this instant (one conditional UPDATE).
        var stamp = user.SecurityStamp;
        var rehash = verification == PasswordVerificationResult.SuccessRehashNeeded ? hasher.Hash(password) : null;
        var reset = await db.PortalUsers
            .Where(u => u.Id == user.Id && u.SecurityStamp == stamp && u.EmailConfirmed && (u.LockoutEnd == null || u.LockoutEnd <= now))
            .ExecuteUpdateAsync(s => s
                .SetProperty(u => u.AccessFailedCount, 0)
                .SetProperty(u => u.LockoutEnd, (DateTime?)null)
                .SetProperty(u => u.LastLoginAt, now)
                .SetProperty(u => u.PasswordHash, u => rehash ?? u.PasswordHash), cancellationToken);
        if (reset == 0)
        {
            return await FailAsync(user.Id, "concurrent-change");
        }

        await throttle.ReleaseAsync([addrSlot], cancellationToken);
        var sessionKey = sessions.Start(Sites.Portal, user.Id, stamp, clientAddress);
        audit.Record(Record(PortalAuditActions.Login, AuditOutcomes.Success, user.Id, clientAddress, ""));
        await audit.CommitAsync(cancellationToken);
        return new PortalLoginResult(PortalLoginOutcome.Success, sessionKey);

        async Task<PortalLoginResult> FailAsync(long? userId, string detail)
        {
            audit.Record(Record(PortalAuditActions.Login, AuditOutcomes.Failure, userId, clientAddress, detail));
            await audit.CommitAsync(cancellationToken);
            return new PortalLoginResult(PortalLoginOutcome.Failed);
        }
    }

    /// <summary>
    /// The session with <paramref name="key"/>, if it is open, within its limits, and its user is confirmed with the
    /// same security stamp; ends (and audits) it otherwise.
    /// </summary>
    public async Task<PortalPrincipal?> ValidateSessionAsync(string key, CancellationToken cancellationToken = default)
    {
        PortalUser? user = null;
        var (session, _) = await sessions.ValidateAsync(Sites.Portal, key, async (id, ct) =>
        {
            user = await db.PortalUsers.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, ct);
            return user is { EmailConfirmed: true } ? user.SecurityStamp : null;
        }, endReason => user is null ? null : SessionEndRecord(user.Id, endReason), cancellationToken);

        return session is null || user is null ? null : new PortalPrincipal(session.SessionId, user.Id, user.Email, user.DisplayName);
    }

    /// <summary>ログアウト: ends the session (audited). False when there was no open session with this key.</summary>
    public async Task<bool> LogoutAsync(string? sessionKey, string clientAddress, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(sessionKey))
        {
            return false;
        }

        // The end and its audit row are one commit.
        var subject = await sessions.EndAsync(Sites.Portal, sessionKey, SessionEndReasons.Logout,
            (id, _) => Task.FromResult<AuditRecord?>(Record(PortalAuditActions.Logout, AuditOutcomes.Success, id, clientAddress, SessionEndReasons.Logout)), cancellationToken);
        return subject is not null;
    }

    /// <summary>The audit row of a portal session ended by the system (idle, absolute, disabled, stamp changed).</summary>
    internal static AuditRecord SessionEndRecord(long userId, string reason) =>
        Record(PortalAuditActions.SessionEnd, AuditOutcomes.Success, userId, "", reason);

    /// <summary>
    /// パスワードの再設定 (request). On a well-formed address the answer is always success; only a registered address
    /// gets a link (valid <see cref="PortalAccountOptions.ResetLinkLifetime"/>, usable once).
    /// </summary>
    public async Task<OpResult> RequestPasswordResetAsync(string? email, string clientAddress, CancellationToken cancellationToken = default)
    {
        email = (email ?? "").Trim();
        var errors = ValidateEmail(email);
        if (errors.Count > 0)
        {
            return OpResult.Fail(errors);
        }

        var normalized = Normalize(email);
        var user = await db.PortalUsers.AsNoTracking().FirstOrDefaultAsync(u => u.NormalizedEmail == normalized, cancellationToken);

        // The caps are asked for an unknown address too (no mail goes out): the same database work on both paths, so the
        // answer's time does not tell a registered address from an unknown one, and a scan of addresses is capped as well.
        var reserved = await TryReserveMailAsync(clientAddress, normalized, cancellationToken);
        if (user is null)
        {
            audit.Record(Record(PortalAuditActions.ResetRequest, AuditOutcomes.Denied, null, clientAddress, "unknown-user"));
            await audit.CommitAsync(cancellationToken);
            return OpResult.Ok;
        }

        audit.Record(Record(PortalAuditActions.ResetRequest, AuditOutcomes.Success, user.Id, clientAddress, reserved ? "sent" : "mail-throttled"));
        await audit.CommitAsync(cancellationToken);
        if (reserved)
        {
            // Queued, not sent here: only a registered address gets a mail, so waiting for the outbox (or an SMTP server)
            // would make its answer slower than an unknown address's. Queued after the commit, so no mail goes out
            // without its audit row.
            mailDispatcher.Enqueue(ResetMail(user));
        }

        return OpResult.Ok;
    }

    /// <summary>True when <paramref name="token"/> is a reset link that can still be used (to show the form or a clear page).</summary>
    public async Task<bool> IsResetLinkValidAsync(string? token, CancellationToken cancellationToken = default) =>
        await ReadTokenAsync(ResetPurpose, token, cancellationToken) is not null;

    /// <summary>
    /// Sets a new password through a reset link: policy checked, new security stamp (the link and every other
    /// outstanding link die, every session ends), lock and failures cleared, address confirmed (the link proved it).
    /// </summary>
    public async Task<OpResult> ResetPasswordAsync(string? token, string? password, string? confirm, string clientAddress,
        CancellationToken cancellationToken = default)
    {
        password ??= "";
        var user = await ReadTokenAsync(ResetPurpose, token, cancellationToken);
        if (user is null)
        {
            return OpResult.Fail(PortalAccountErrors.LinkInvalid());
        }

        List<OnshiError> errors = [];
        if (password.Length == 0)
        {
            errors.Add(PortalAccountErrors.PasswordRequired());
        }
        else
        {
            errors.AddRange(policy.Validate(user.Email, password, PasswordContext.ForPortalUser(user.Email, user.DisplayName))
                .Select(e => e with { Field = PortalAccountErrors.PasswordField }));
        }

        if (password.Length > 0 && !string.Equals(password, confirm, StringComparison.Ordinal))
        {
            errors.Add(PortalAccountErrors.ConfirmMismatch());
        }

        if (errors.Count > 0)
        {
            return OpResult.Fail(errors);
        }

        var oldStamp = user.SecurityStamp;
        var newStamp = Guid.NewGuid().ToString("N");
        var hash = hasher.Hash(password);

        // The new password, the end of every session and the audit row: one commit.
        var updated = await audit.CommitAsync(async ct =>
        {
            if (await db.PortalUsers.Where(u => u.Id == user.Id && u.SecurityStamp == oldStamp)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(u => u.PasswordHash, hash)
                    .SetProperty(u => u.SecurityStamp, newStamp)
                    .SetProperty(u => u.EmailConfirmed, true)
                    .SetProperty(u => u.AccessFailedCount, 0)
                    .SetProperty(u => u.LockoutEnd, (DateTime?)null), ct) == 0)
            {
                return false;
            }

            var ended = await sessions.EndAllWithinCommitAsync(Sites.Portal, user.Id, SessionEndReasons.PasswordChanged,
                address => SessionEndRecord(user.Id, SessionEndReasons.PasswordChanged) with { ClientAddress = address }, ct);
            audit.Record(Record(PortalAuditActions.Reset, AuditOutcomes.Success, user.Id, clientAddress,
                "sessions-ended:" + ended.ToString(CultureInfo.InvariantCulture)));
            return true;
        }, cancellationToken);

        // Not updated: another reset with the same link won the race, and the link is used up.
        return updated ? OpResult.Ok : OpResult.Fail(PortalAccountErrors.LinkInvalid());
    }

    /// <summary>The e-mail rules: required, at most 254 characters, <c>local@domain.tld</c> in ASCII.</summary>
    public static IReadOnlyList<OnshiError> ValidateEmail(string? email)
    {
        email = (email ?? "").Trim();
        if (email.Length == 0)
        {
            return [PortalAccountErrors.EmailRequired()];
        }

        if (email.Length > PortalAccountErrors.MaxEmailLength)
        {
            return [PortalAccountErrors.EmailTooLong()];
        }

        var at = email.LastIndexOf('@');
        if (at is <= 0 or > 64 || !EmailPattern().IsMatch(email))
        {
            return [PortalAccountErrors.EmailInvalid()];
        }

        return [];
    }

    /// <summary>The unique form of an address (upper-invariant).</summary>
    public static string Normalize(string email) => (email ?? "").Trim().ToUpperInvariant();

    // Local part: RFC 5322 atext with dots between atoms; domain: LDH labels, at least two, TLD of letters.
    [GeneratedRegex(@"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$",
        RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 200)]
    private static partial Regex EmailPattern();

    private async Task<bool> TrySendAsync(string clientAddress, string normalizedEmail, Func<MailMessageData> message, CancellationToken cancellationToken)
    {
        if (!await TryReserveMailAsync(clientAddress, normalizedEmail, cancellationToken))
        {
            return false;
        }

        await mail.SendAsync(message(), cancellationToken);
        return true;
    }

    private async Task<bool> TryReserveMailAsync(string clientAddress, string normalizedEmail, CancellationToken cancellationToken)
    {
        // Registration and reset cost nothing to ask for: cap the mails per asking address and per recipient, silently
        // (the answer stays the same), so neither a mailbox nor the outbox can be flooded.
        var addrKey = "portal-mail-addr:" + clientAddress;
        if (await throttle.TryAcquireAsync(addrKey, opts.MaxMailsPerAddress, cancellationToken) is not { } addrSlot)
        {
            return false;
        }

        if (await throttle.TryAcquireAsync("portal-mail-to:" + normalizedEmail, opts.MaxMailsPerRecipient, cancellationToken) is null)
        {
            await throttle.ReleaseAsync([addrSlot], cancellationToken);
            return false;
        }

        return true;
    }

    private MailMessageData VerificationMail(PortalUser user) => new(user.Email, SubjectPrefix + "メールアドレスの確認",
        $"""
        {user.DisplayName} 様

        医療機関等向け総合ポータルサイトへの新規登録を受け付けました。
        次のリンクを開いて、メールアドレスの確認を完了してください。確認が完了するまでログインはできません。

        {Link("/Account/Verify", Protect(VerifyPurpose, user, opts.VerificationLinkLifetime))}

        このリンクの有効期限は{Hours(opts.VerificationLinkLifetime)}時間です。期限が過ぎた場合は、「パスワードの再設定」からお手続きいただくと、確認も完了します。
        お心当たりのない場合は、このメールを破棄してください。登録は完了しません。

        ※このメールは送信専用です。返信いただいてもお答えできません。
        """);

    private MailMessageData AlreadyRegisteredMail(PortalUser user) => new(user.Email, SubjectPrefix + "アカウント登録のお知らせ",
        $"""
        医療機関等向け総合ポータルサイトで、このメールアドレスによる新規登録のお申し込みがありました。
        このメールアドレスは既に登録されているため、新しいアカウントは作成していません。

        パスワードが分からない場合は、次のリンクからパスワードを再設定してください（メールアドレスの確認がお済みでない場合は、再設定によって確認も完了します）。

        {Link("/Account/ResetPassword", Protect(ResetPurpose, user, opts.ResetLinkLifetime))}

        このリンクの有効期限は{Hours(opts.ResetLinkLifetime)}時間で、一度だけ使用できます。
        お心当たりのない場合は、このメールを破棄してください。アカウントは変更されません。

        ※このメールは送信専用です。返信いただいてもお答えできません。
        """);

    private MailMessageData ResetMail(PortalUser user) => new(user.Email, SubjectPrefix + "パスワードの再設定",
        $"""
        医療機関等向け総合ポータルサイトで、パスワードの再設定のお申し込みを受け付けました。
        次のリンクを開いて、新しいパスワードを設定してください。

        {Link("/Account/ResetPassword", Protect(ResetPurpose, user, opts.ResetLinkLifetime))}

        このリンクの有効期限は{Hours(opts.ResetLinkLifetime)}時間で、一度だけ使用できます。
        お心当たりのない場合は、このメールを破棄してください。パスワードは変更されません。

        ※このメールは送信専用です。返信いただいてもお答えできません。
        """);

    private static string Hours(TimeSpan span) => ((int)span.TotalHours).ToString(CultureInfo.InvariantCulture);

    private string Link(string path, string token)
    {
        var baseUrl = opts.PublicBaseUrl ?? throw new InvalidOperationException("Onshi:Portal:PublicBaseUrl is not set.");
        return baseUrl.TrimEnd('/') + path + "?token=" + Uri.EscapeDataString(token);
    }

    /// <summary>A Data Protection token naming the user, bound to its current security stamp, expiring after <paramref name="lifetime"/>.</summary>
    private string Protect(string purpose, PortalUser user, TimeSpan lifetime)
    {
        var expires = (time.GetUtcNow() + lifetime).UtcTicks;
        var payload = string.Create(CultureInfo.InvariantCulture, $"{user.Id}|{user.SecurityStamp}|{expires}");
        return dataProtection.CreateProtector(purpose).Protect(payload);
    }

    /// <summary>The user a token names, if it is authentic, unexpired and its stamp still current; otherwise null.</summary>
    private async Task<PortalUser?> ReadTokenAsync(string purpose, string? token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength)
        {
            return null;
        }

        string payload;
        try
        {
            payload = dataProtection.CreateProtector(purpose).Unprotect(token);
        }
        catch (CryptographicException)
        {
            return null;
        }
        catch (FormatException)
        {
            return null;
        }

        var parts = payload.Split('|');
        if (parts.Length != 3
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            || time.GetUtcNow().UtcTicks >= expires)
        {
            return null;
        }

        var user = await db.PortalUsers.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, cancellationToken);
        return user is not null && CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(user.SecurityStamp), System.Text.Encoding.UTF8.GetBytes(parts[1]))
            ? user
            : null;
    }

    private static AuditRecord Record(string action, string outcome, long? userId, string clientAddress, string detail) =>
        new(action, outcome)
        {
            Actor = userId is { } id ? PortalAuditActions.Actor(id) : PortalAuditActions.UnknownUser,
            Target = userId is { } t ? PortalAuditActions.Actor(t) : "",
            Detail = detail,
            ClientAddress = clientAddress,
        };
}
