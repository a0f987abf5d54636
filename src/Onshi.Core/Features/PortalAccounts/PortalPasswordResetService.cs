using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Credentials;
using Onshi.Core.Features.Mail;
using Onshi.Core.Features.Passwords;
using Onshi.Core.Features.Sessions;

namespace Onshi.Core.Features.PortalAccounts;

/// <summary>
/// パスワードの再設定 of the portal by a mailed link (SPEC §6): asking never tells whether an address is registered; the link
/// is usable once (it is bound to the security stamp, which the reset rotates).
/// </summary>
public sealed class PortalPasswordResetService(
    OnshiDbContext db,
    Argon2idPasswordHasher hasher,
    PasswordPolicy policy,
    PortalAccountMail mails,
    MailDispatcher mailDispatcher,
    CredentialService credentials,
    SiteSessionService sessions,
    AuditLog audit,
    RefusalAuditGate refusals)
{
    /// <summary>
    /// パスワードの再設定 (request). On a well-formed address the answer is always success; only a registered address
    /// gets a link (valid <see cref="PortalAccountOptions.ResetLinkLifetime"/>, usable once).
    /// </summary>
    public async Task<OpResult> RequestPasswordResetAsync(string? email, string clientAddress, CancellationToken cancellationToken = default)
    {
        email = (email ?? "").Trim();
        var errors = PortalEmail.Validate(email);
        if (errors.Count > 0)
        {
            return OpResult.Fail(errors);
        }

        var normalized = PortalEmail.Normalize(email);
        var user = await db.PortalUsers.AsNoTracking().FirstOrDefaultAsync(u => u.NormalizedEmail == normalized, cancellationToken);

        // The caps are asked for an unknown address too (no mail goes out): the same database work on both paths, so the
        // answer's time does not tell a registered address from an unknown one, and a scan of addresses is capped as well.
        var reserved = await mails.TryReserveMailAsync(clientAddress, normalized, cancellationToken);
        var record = user is null
            ? PortalAuditActions.Record(PortalAuditActions.ResetRequest, AuditOutcomes.Denied, null, clientAddress, "unknown-user")
            : PortalAuditActions.Record(PortalAuditActions.ResetRequest, AuditOutcomes.Success, user.Id, clientAddress, reserved ? "sent" : "mail-throttled");
        if (reserved)
        {
            // Within the mail caps: one row per request (their number is the cap's).
            audit.Record(record);
            await audit.CommitAsync(cancellationToken);
        }
        else
        {
            // Past the caps anyone can keep asking: one row per address and interval, counting the requests (issue 14, 13).
            await audit.RecordSummarisedAsync(refusals, "reset-throttled|" + clientAddress, record, cancellationToken);
        }

        if (user is null)
        {
            return OpResult.Ok;
        }

        if (reserved)
        {
            // Queued, not sent here: only a registered address gets a mail, so waiting for the outbox (or an SMTP server)
            // would make its answer slower than an unknown address's. Queued after the commit, so no mail goes out
            // without its audit row.
            mailDispatcher.Enqueue(mails.ResetMail(user));
        }

        return OpResult.Ok;
    }

    /// <summary>True when <paramref name="token"/> is a reset link that can still be used (to show the form or a clear page).</summary>
    public async Task<bool> IsResetLinkValidAsync(string? token, CancellationToken cancellationToken = default) =>
        await mails.ReadTokenAsync(PortalAccountMail.ResetPurpose, token, cancellationToken) is not null;

    /// <summary>
    /// Sets a new password through a reset link: policy checked, new security stamp (the link and every other
    /// outstanding link die, every session ends), lock and failures cleared, address confirmed (the link proved it).
    /// </summary>
    public async Task<OpResult> ResetPasswordAsync(string? token, string? password, string? confirm, string clientAddress,
        CancellationToken cancellationToken = default)
    {
        password ??= "";
        var user = await mails.ReadTokenAsync(PortalAccountMail.ResetPurpose, token, cancellationToken);
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

        var hash = hasher.Hash(password);

        // The new password (a new security stamp: the link and every other outstanding link die), the end of every session
        // and the audit row: one commit, which holds only if the stamp is still the link's (the stamp is the row's
        // concurrency token).
        db.PortalUsers.Attach(user);
        credentials.Replace(user, hash);
        user.EmailConfirmed = true;
        bool updated;
        try
        {
            updated = await audit.CommitAsync(async ct =>
            {
                var ended = await sessions.EndAllWithinCommitAsync(Sites.Portal, user.Id, SessionEndReasons.PasswordChanged,
                    address => PortalLoginService.SessionEndRecord(user.Id, SessionEndReasons.PasswordChanged) with { ClientAddress = address }, ct);
                audit.Record(PortalAuditActions.Record(PortalAuditActions.Reset, AuditOutcomes.Success, user.Id, clientAddress,
                    "sessions-ended:" + ended.ToString(CultureInfo.InvariantCulture)));
                return true;
            }, cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            updated = false;
        }

        // Not updated: another reset with the same link won the race, and the link is used up.
        return updated ? OpResult.Ok : OpResult.Fail(PortalAccountErrors.LinkInvalid());
    }
}
