using Microsoft.EntityFrameworkCore;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Credentials;
using Onshi.Core.Features.Passwords;
using Onshi.Core.Features.Sessions;

namespace Onshi.Core.Features.Operators;

/// <summary>
/// An operator changes its own password, giving the current one, through the credential kernel
/// (<see cref="CredentialService.ChangeOwnAsync{T}"/>): the OQS's rules, with the history in
/// <see cref="OperatorPasswordHistoryEntry"/>; the operator's other sessions end in the same commit.
/// </summary>
public sealed class OperatorOwnPasswordService(OnshiDbContext db, CredentialService credentials, SiteSessionService sessions, AuditLog audit)
{
    /// <summary>The console's words for a change of one's own password.</summary>
    public static ChangeMessages Messages { get; } = new(OperatorErrors.CurrentPasswordRequired, OperatorErrors.CurrentPasswordWrong,
        OperatorErrors.SameAsCurrent, OperatorErrors.Conflict);

    /// <summary>
    /// Changes the password of <paramref name="operatorId"/> from its session <paramref name="sessionId"/>; on success the
    /// value is how many other sessions ended.
    /// </summary>
    public async Task<OpResult<int>> ChangeAsync(long operatorId, long sessionId, string? currentPassword, string? newPassword,
        string? confirmPassword, string clientAddress, CancellationToken cancellationToken = default)
    {
        var account = await db.OperatorAccounts.FirstOrDefaultAsync(o => o.Id == operatorId, cancellationToken);
        if (account is null || account.Disabled)
        {
            return OpResult<int>.Fail(OperatorErrors.NotFound);
        }

        var actor = OperatorAudit.Actor(account.UserId);
        var change = new OwnPasswordChange(account.UserId, PasswordContext.ForOperator(account.DisplayName), sessionId,
            currentPassword, newPassword, confirmPassword, OperatorAuditActions.PasswordChange, OperatorAuditActions.Lockout,
            (action, outcome, detail) => new AuditRecord(action, outcome) { Actor = actor, Target = actor, Detail = detail, ClientAddress = clientAddress });
        var userId = account.UserId;
        return await credentials.ChangeOwnAsync(OperatorCredentials.Instance, account, change, Messages,
            sessions.For(Sites.Operator, address => OperatorLoginService.SessionEndRecord(userId, OperatorSessionEndReasons.PasswordChanged, address)),
            audit, touch: null, cancellationToken);
    }
}
