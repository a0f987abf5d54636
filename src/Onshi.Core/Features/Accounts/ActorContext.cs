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

/// <summary>A freshly generated temporary password, to be shown once and never stored in plain.</summary>
public sealed record IssuedPassword(long AccountId, string UserId, string DisplayName, AccountKind Kind, string Password, DateTime ExpiresAt);
