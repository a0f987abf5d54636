using Onshi.Core.Data;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Sessions;

namespace Onshi.Core.Features.Accounts;

/// <summary>Who is acting, from where: the signed-in account and its terminal.</summary>
public sealed record ActorContext(SessionPrincipal Principal, string CertificateSerial, string ClientAddress)
{
    public AccountRef Ref => new(Principal.AccountId, Principal.InstitutionId, Principal.Environment, Principal.Kind);

    /// <summary>An audit record pre-filled with the actor's identity and institution.</summary>
    public AuditRecord Audit(string action, string outcome, string target = "", string detail = "") => new(action, outcome)
    {
        Environment = Principal.Environment,
        InstitutionId = Principal.InstitutionId,
        InstitutionCode = Principal.InstitutionCode,
        Actor = Principal.UserId,
        ActorKind = Principal.Kind,
        Target = target,
        Detail = detail,
        CertificateSerial = CertificateSerial,
        ClientAddress = ClientAddress,
    };
}

/// <summary>
/// A freshly generated temporary password, or the secret of a 連携アプリ用 / Web API用 account (SPEC §12), to be shown once and
/// never stored in plain. <paramref name="ExpiresAt"/> is null when it does not expire (a machine secret).
/// </summary>
public sealed record IssuedPassword(long AccountId, string UserId, string DisplayName, AccountKind Kind, string Password, DateTime? ExpiresAt)
{
    /// <summary>After シークレットの更新（ローテーション）: until when the previous secret still signs in; null otherwise.</summary>
    public DateTime? PreviousValidUntil { get; init; }

    /// <summary>Whether this is a machine account's secret (set into the client as issued, no change at first use, no expiry).</summary>
    public bool IsMachineSecret => AccountKinds.IsMachine(Kind);

    /// <summary>Redacts the password so a record printed by mistake reveals nothing.</summary>
    public override string ToString() => $"{nameof(IssuedPassword)} {{ UserId = {UserId}, Kind = {Kind} }}";
}
