using Microsoft.EntityFrameworkCore;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Credentials;

namespace Onshi.Core.Features.Operators;

/// <summary>Creates operators of the console (the CLI's <c>onshi operator add</c>, the demo) with a temporary password.</summary>
public sealed class OperatorCreationService(OnshiDbContext db, CredentialService credentials, AuditLog audit, TimeProvider time)
{
    /// <summary>
    /// Creates an operator with a generated temporary password (to be changed at first login, valid
    /// <c>PasswordOptions.TemporaryPasswordValidity</c>) and returns that password: show it once, never store it.
    /// </summary>
    public async Task<OpResult<string>> CreateAsync(string? userId, string? displayName, OperatorRole role, string createdBy = "cli",
        CancellationToken cancellationToken = default)
    {
        userId = (userId ?? "").Trim();
        displayName = (displayName ?? "").Trim();
        var errors = new List<OnshiError>();
        if (userId.Length is < 4 or > 32 || !userId.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            errors.Add(OperatorErrors.UserIdInvalid);
        }

        if (displayName.Length is 0 or > 50 || displayName.Any(TextInput.IsForbidden))
        {
            errors.Add(OperatorErrors.DisplayNameInvalid);
        }

        if (!Enum.IsDefined(role))
        {
            errors.Add(OperatorErrors.RoleInvalid);
        }

        if (errors.Count > 0)
        {
            return OpResult<string>.Fail(errors);
        }

        var normalized = userId.ToUpperInvariant();
        if (await db.OperatorAccounts.AnyAsync(o => o.NormalizedUserId == normalized, cancellationToken))
        {
            return OpResult<string>.Fail(OperatorErrors.UserIdTaken);
        }

        var account = new OperatorAccount
        {
            UserId = userId,
            NormalizedUserId = normalized,
            DisplayName = displayName,
            Role = role,
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        var password = await credentials.IssueTemporaryAsync(OperatorCredentials.Instance, account, userId, cancellationToken);
        db.OperatorAccounts.Add(account);
        audit.Record(new AuditRecord(OperatorAuditActions.Create, AuditOutcomes.Success)
        {
            Actor = createdBy,
            Target = OperatorAudit.Actor(userId),
            Detail = role.ToString(),
        });
        await audit.CommitAsync(cancellationToken);
        return OpResult<string>.Success(password);
    }
}
