using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Login;
using Onshi.Core.Features.Passwords;

namespace Onshi.Core.Features.PortalAccounts;

/// <summary>
/// 新規登録 of the 医療機関等向け総合ポータルサイト (SPEC §6) with e-mail verification. The answer never tells whether an
/// address is registered.
/// </summary>
public sealed class PortalRegistrationService(
    OnshiDbContext db,
    Argon2idPasswordHasher hasher,
    PasswordPolicy policy,
    PortalAccountMail mails,
    AuditLog audit,
    RefusalAuditGate refusals,
    ILoginThrottle throttle,
    TimeProvider time,
    IOptions<PortalAccountOptions> options)
{
    private readonly PortalAccountOptions opts = options.Value;

    /// <summary>
    /// 新規登録. On valid input the answer is always success (「確認メールを送信しました」): a new address gets a verification
    /// link (valid <see cref="PortalAccountOptions.VerificationLinkLifetime"/>); an address already registered gets a
    /// notice with a reset link instead, and nothing is stored. Valid input takes a slot of the login throttle per client
    /// address and per e-mail address before the password is hashed (never given back): past either cap the answer is
    /// <see cref="PortalAccountErrors.RegistrationThrottled"/> and nothing is hashed, stored or mailed.
    /// </summary>
    public async Task<OpResult> RegisterAsync(string? email, string? displayName, string? password, string? confirm, string clientAddress,
        CancellationToken cancellationToken = default)
    {
        email = (email ?? "").Trim();
        displayName = (displayName ?? "").Trim();
        password ??= "";
        List<OnshiError> errors = [.. PortalEmail.Validate(email)];
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

        var normalized = PortalEmail.Normalize(email);

        // Hashing costs the server; anyone can ask: the caps come first, and the same for a new and a registered address.
        if (await throttle.TryAcquireAllAsync([("portal-register-addr:" + clientAddress, opts.MaxRegistrationsPerAddress),
            ("portal-register-to:" + normalized, opts.MaxRegistrationsPerRecipient)], cancellationToken) is null)
        {
            await audit.RecordSummarisedAsync(refusals, "register-throttled|" + clientAddress,
                PortalAuditActions.Record(PortalAuditActions.Register, AuditOutcomes.Denied, null, clientAddress, "throttled"), cancellationToken);
            return OpResult.Fail(PortalAccountErrors.RegistrationThrottled());
        }

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
                PasswordChangedAt = now,
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
                var sent = await mails.TrySendAsync(clientAddress, normalized, () => mails.VerificationMail(user), cancellationToken);
                audit.Record(PortalAuditActions.Record(PortalAuditActions.Register, AuditOutcomes.Success, user.Id, clientAddress, sent ? "verification-sent" : "mail-throttled"));
                await audit.CommitAsync(cancellationToken);
                return OpResult.Ok;
            }
        }
        else
        {
            // The same cost as a new registration's hash, so the answer time does not tell either.
            hasher.VerifyDummy(password);
        }

        var noticeSent = await mails.TrySendAsync(clientAddress, normalized, () => mails.AlreadyRegisteredMail(existing), cancellationToken);
        audit.Record(PortalAuditActions.Record(PortalAuditActions.Register, AuditOutcomes.Denied, existing.Id, clientAddress,
            noticeSent ? "already-registered" : "already-registered-mail-throttled"));
        await audit.CommitAsync(cancellationToken);
        return OpResult.Ok;
    }

    /// <summary>
    /// Deletes the registrations never verified whose link has expired (<see cref="PortalAccountOptions.VerificationLinkLifetime"/>
    /// after <see cref="PortalUser.CreatedAt"/>), at most <paramref name="batchSize"/> per call, with one audit row
    /// (<see cref="PortalAuditActions.UnverifiedPurge"/>, <c>rows=N</c>) in the same commit; returns how many. The address
    /// may then register again. Run by the session sweep.
    /// </summary>
    public static async Task<int> PurgeUnverifiedAsync(OnshiDbContext db, AuditLog audit, DateTime nowUtc, TimeSpan linkLifetime, int batchSize,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(audit);
        var cutoff = nowUtc - linkLifetime;

        // An unverified user cannot log in, so nothing refers to it; the checks keep a row something does refer to.
        var ids = await db.PortalUsers.AsNoTracking()
            .Where(u => !u.EmailConfirmed && u.CreatedAt < cutoff
                && !db.UsageApplications.Any(a => a.PortalUserId == u.Id)
                && !db.CertificateApplications.Any(a => a.PortalUserId == u.Id)
                && !db.SubsidyApplications.Any(a => a.PortalUserId == u.Id)
                && !db.OperationStartRegistrations.Any(a => a.PortalUserId == u.Id)
                && !db.Institutions.Any(i => i.ContactPortalUserId == u.Id))
            .OrderBy(u => u.Id).Select(u => u.Id).Take(batchSize).ToListAsync(cancellationToken);
        if (ids.Count == 0)
        {
            return 0;
        }

        var deleted = 0;
        await audit.CommitAsync(async ct =>
        {
            // Still unverified at the delete (a link followed meanwhile keeps its user).
            // Never confirmed: no session of theirs was ever accepted, so nothing cached depends on them.
            db.DeclareNeutralWrite(typeof(PortalUser));
            deleted = await db.PortalUsers.Where(u => ids.Contains(u.Id) && !u.EmailConfirmed).ExecuteDeleteAsync(ct);
            if (deleted == 0)
            {
                return false;
            }

            audit.Record(new AuditRecord(PortalAuditActions.UnverifiedPurge, AuditOutcomes.Success)
            {
                Actor = "system",
                Detail = "rows=" + deleted.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
            return true;
        }, cancellationToken);
        return deleted;
    }

    /// <summary>Follows a verification link: the address is confirmed and the user may log in.</summary>
    public async Task<OpResult> VerifyEmailAsync(string? token, string clientAddress, CancellationToken cancellationToken = default)
    {
        var user = await mails.ReadTokenAsync(PortalAccountMail.VerifyPurpose, token, cancellationToken);
        if (user is null)
        {
            return OpResult.Fail(PortalAccountErrors.LinkInvalid());
        }

        if (!user.EmailConfirmed)
        {
            var stamp = user.SecurityStamp;
            db.InvalidateOnCommit(Caching.CacheKeys.PortalUser(user.Id));
            var updated = await db.PortalUsers.Where(u => u.Id == user.Id && u.SecurityStamp == stamp)
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.EmailConfirmed, true), cancellationToken);
            if (updated == 0)
            {
                return OpResult.Fail(PortalAccountErrors.LinkInvalid());
            }

            audit.Record(PortalAuditActions.Record(PortalAuditActions.Verify, AuditOutcomes.Success, user.Id, clientAddress, ""));
            await audit.CommitAsync(cancellationToken);
        }

        return OpResult.Ok;
    }

}
