using Microsoft.EntityFrameworkCore;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
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
    TimeProvider time)
{
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
