using Onshi.Core.Data;

namespace Onshi.Core.Features.Operators;

/// <summary>What a part of the operator console needs.</summary>
public enum OperatorCapability
{
    /// <summary>審査: the review queues of 利用申請, 電子証明書発行申請 and 補助金申請.</summary>
    ReviewQueues = 1,

    /// <summary>端末証明書: list and revoke terminal certificates.</summary>
    Certificates = 2,

    /// <summary>コールセンター: find institutions, re-issue the 秘密の番号, unlock reset accounts.</summary>
    CallCenterDesk = 3,

    /// <summary>操作ログ across all institutions.</summary>
    AuditLog = 4,

    /// <summary>
    /// 電子証明書の再発行: for an approved 電子証明書発行申請 whose one-time download was used (and the certificate lost),
    /// revoke the certificate and issue a new one for the same application without a new review.
    /// </summary>
    CertificateReissue = 5,

    /// <summary>加入者データ取込: upload member CSV files into the simulated 中間サーバー and read their results (管理者 only).</summary>
    MemberImport = 6,
}

/// <summary>
/// The one place deciding what an operator role may do: 審査担当 (Reviewer) the review queues and certificates,
/// コールセンター (CallCenter) the call-center desk, 管理者 (Supervisor) everything including the audit log across
/// institutions and 加入者データ取込. Pages (authorization policies) and services both ask here.
/// </summary>
public static class OperatorPermissions
{
    public static bool Allows(OperatorRole role, OperatorCapability capability) => (role, capability) switch
    {
        (OperatorRole.Supervisor, _) => Enum.IsDefined(capability),
        (OperatorRole.Reviewer, OperatorCapability.ReviewQueues or OperatorCapability.Certificates or OperatorCapability.CertificateReissue) => true,
        (OperatorRole.CallCenter, OperatorCapability.CallCenterDesk) => true,
        _ => false,
    };

    /// <summary>The role's label on screens.</summary>
    public static string Label(OperatorRole role) => role switch
    {
        OperatorRole.Reviewer => "審査担当",
        OperatorRole.CallCenter => "コールセンター",
        OperatorRole.Supervisor => "管理者",
        _ => "不明",
    };
}
