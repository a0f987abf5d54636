using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Accounts;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Credentials;
using Onshi.Core.Features.Passwords;

namespace Onshi.Core.Features.Institutions;

/// <summary>The master and reset accounts of one environment, made but not yet added (see <see cref="InstitutionProvisioning.PrepareAccountsAsync"/>).</summary>
internal sealed record PreparedAccounts(OqsEnvironment Environment, Account Master, Account Reset, string MasterPassword)
{
    /// <summary>Redacts the password.</summary>
    public override string ToString() => $"{nameof(PreparedAccounts)} {{ Environment = {Environment}, Master = {Master.UserId}, Reset = {Reset.UserId} }}";
}

/// <summary>What provisioning an institution in one environment produced; the plain values exist only here.</summary>
public sealed record ProvisionedInstitution(Institution Institution, OqsEnvironment Environment, string MasterUserId,
    string MasterPassword, DateTime MasterPasswordExpiresAt, string ResetUserId);

/// <summary>
/// Creates an institution (if new) and, for one environment, its マスタアカウント (7-digit ID, temporary password that
/// must be changed at first login) and マスタアカウントリセット用アカウント (8-character ID, password = the 秘密の番号).
/// Used by the approval of a 利用申請 and by the demo.
/// </summary>
public sealed class InstitutionProvisioning(
    OnshiDbContext db,
    Argon2idPasswordHasher hasher,
    CredentialService credentials,
    AuditLog audit,
    TimeProvider time)
{
    public async Task<OpResult<ProvisionedInstitution>> ProvisionAsync(string code, string name, string address, string phone,
        OqsEnvironment environment, string secretNumber, string actor, CancellationToken cancellationToken = default)
    {
        if (!InstitutionCode.TryParse(code, out var validCode, out _, out var codeError))
        {
            return OpResult<ProvisionedInstitution>.Fail(codeError!);
        }

        var secretErrors = SecretNumber.ValidateSecretNumber(secretNumber);
        if (secretErrors.Count > 0)
        {
            return OpResult<ProvisionedInstitution>.Fail(secretErrors);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var institution = await db.Institutions.FirstOrDefaultAsync(i => i.Code == validCode, cancellationToken);
        if (institution is null)
        {
            institution = new Institution { Code = validCode, Name = name.Trim(), Address = address.Trim(), Phone = phone.Trim(), CreatedAt = now };
        }
        else if (await db.Accounts.AnyAsync(a => a.InstitutionId == institution.Id && a.Environment == environment && a.Kind == AccountKind.Master, cancellationToken))
        {
            return OpResult<ProvisionedInstitution>.Fail(new OnshiError("institution.already_provisioned", "この医療機関等のこの環境のマスタアカウントは既に発行されています。"));
        }

        // The hashing happens before the transaction; the institution, its accounts and their audit rows are one commit.
        var prepared = await PrepareAccountsAsync(institution, environment, hasher.Hash(secretNumber), actor, cancellationToken);
        ProvisionedInstitution? provisioned = null;
        await audit.CommitAsync(async ct =>
        {
            if (institution.Id == 0)
            {
                db.Institutions.Add(institution);
                await db.SaveChangesAsync(ct);
            }

            provisioned = AddAccounts(institution, prepared, actor);
            return true;
        }, cancellationToken);
        return OpResult<ProvisionedInstitution>.Success(provisioned!);
    }

    /// <summary>
    /// Makes the master and reset accounts of <paramref name="institution"/> in <paramref name="environment"/> (unique IDs,
    /// the master's temporary password and its hash) without adding them to the context: the slow part (an Argon2id
    /// hash), done before the caller's transaction. <paramref name="institution"/> need not be saved yet. The reset
    /// account's hash is <paramref name="secretNumberHash"/>, a 秘密の番号 hashed when it was chosen (the 利用申請 keeps only
    /// the hash). The caller checks that the environment has no master yet, then calls <see cref="AddAccounts"/> inside
    /// its commit.
    /// </summary>
    internal async Task<PreparedAccounts> PrepareAccountsAsync(Institution institution, OqsEnvironment environment,
        string secretNumberHash, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(institution);
        ArgumentException.ThrowIfNullOrEmpty(secretNumberHash);
        var now = time.GetUtcNow().UtcDateTime;
        var masterId = await UniqueIdAsync(environment, () => Digits(7), cancellationToken);
        var resetId = await UniqueIdAsync(environment, () => "R" + Digits(7), cancellationToken);
        var master = NewAccount(institution, environment, masterId, AccountKind.Master, now, actor);
        var password = await credentials.IssueTemporaryAsync(AccountCredentials.Instance, master, masterId, cancellationToken);
        var reset = NewAccount(institution, environment, resetId, AccountKind.MasterReset, now, actor);
        reset.PasswordHash = secretNumberHash;
        return new PreparedAccounts(environment, master, reset, password);
    }

    /// <summary>
    /// Adds prepared accounts to the context for <paramref name="institution"/> (saved by now: its id is set on them) and
    /// queues their audit rows, without committing: the caller commits them together with its own change.
    /// </summary>
    internal ProvisionedInstitution AddAccounts(Institution institution, PreparedAccounts prepared, string actor)
    {
        ArgumentNullException.ThrowIfNull(institution);
        ArgumentNullException.ThrowIfNull(prepared);
        if (institution.Id == 0)
        {
            throw new InvalidOperationException("The institution must be saved before its accounts are added.");
        }

        foreach (var a in new[] { prepared.Master, prepared.Reset })
        {
            a.InstitutionId = institution.Id;
            db.Accounts.Add(a);
            audit.Record(new AuditRecord(AuditActions.AccountCreate, AuditOutcomes.Success)
            {
                Environment = prepared.Environment,
                InstitutionId = institution.Id,
                InstitutionCode = institution.Code,
                Actor = actor,
                Target = a.UserId,
                Detail = a.Kind == AccountKind.Master ? "master" : "reset",
            });
        }

        return new ProvisionedInstitution(institution, prepared.Environment, prepared.Master.UserId, prepared.MasterPassword,
            prepared.Master.PasswordExpiresAt!.Value, prepared.Reset.UserId);
    }

    private static Account NewAccount(Institution institution, OqsEnvironment environment, string userId, AccountKind kind, DateTime now, string actor) => new()
    {
        InstitutionId = institution.Id,
        Environment = environment,
        UserId = userId,
        NormalizedUserId = userId.ToUpperInvariant(),
        DisplayName = institution.Name.Length > 50 ? institution.Name[..50] : institution.Name,
        Kind = kind,
        CreatedAt = now,
        CreatedBy = actor,
        UpdatedAt = now,
        UpdatedBy = actor,
    };

    private async Task<string> UniqueIdAsync(OqsEnvironment environment, Func<string> next, CancellationToken cancellationToken)
    {
        while (true)
        {
            var candidate = next();
            if (!await db.Accounts.AnyAsync(a => a.Environment == environment && a.NormalizedUserId == candidate, cancellationToken))
            {
                return candidate;
            }
        }
    }

    private static string Digits(int count) =>
        string.Create(count, 0, static (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)('0' + RandomNumberGenerator.GetInt32(i == 0 ? 1 : 0, 10));
            }
        });
}
