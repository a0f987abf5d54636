using Microsoft.EntityFrameworkCore;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Credentials;
using Onshi.Core.Features.Passwords;
using Onshi.Core.Features.Sessions;

namespace Onshi.Core.Features.Accounts;

/// <summary>
/// 《パスワード変更》: an account changes its own password, giving the current one (SPEC §4.7), through the credential
/// kernel (<see cref="CredentialService.ChangeOwnAsync{T}"/>): the account's other sessions end in the same commit.
/// </summary>
public sealed class OwnPasswordService(OnshiDbContext db, CredentialService credentials, SessionService sessions, AuditLog audit)
{
    /// <summary>The OQS's words for a change of one's own password.</summary>
    public static ChangeMessages Messages { get; } = new(AccountErrors.CurrentPasswordRequired, AccountErrors.CurrentPasswordWrong,
        AccountErrors.SameAsCurrent, AccountErrors.Conflict);

    /// <summary>Changes the actor's own password; on success the value is how many of its other sessions ended.</summary>
    public async Task<OpResult<int>> ChangeAsync(ActorContext actor, string? currentPassword, string? newPassword, string? confirmPassword,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var p = actor.Principal;
        if (PermissionMatrix.Decide(actor.Ref, actor.Ref, AccountAction.ChangeOwnPassword) != PermissionDecision.Allowed)
        {
            audit.Record(actor.Audit(AuditActions.PasswordChange, AuditOutcomes.Denied, p.UserId, AuditDetails.NotPermitted));
            await audit.CommitAsync(cancellationToken);
            return OpResult<int>.Fail(AccountErrors.ResetCannotChange);
        }

        var account = await db.Accounts.FirstOrDefaultAsync(a => a.Id == p.AccountId, cancellationToken);
        if (account is null)
        {
            return OpResult<int>.Fail(AccountErrors.NotFound);
        }

        var change = new OwnPasswordChange(p.UserId, PasswordContext.ForOqsAccount(p.InstitutionCode, p.InstitutionName, p.DisplayName),
            p.SessionId, currentPassword, newPassword, confirmPassword, AuditActions.PasswordChange, AuditActions.Lockout,
            (action, outcome, detail) => actor.Audit(action, outcome, p.UserId, detail));
        return await credentials.ChangeOwnAsync(AccountCredentials.Instance, account, change, Messages, sessions, audit, (a, now) =>
        {
            a.UpdatedAt = now;
            a.UpdatedBy = p.UserId;
        }, cancellationToken);
    }
}
