namespace Onshi.Core.Features.Applications;

/// <summary>
/// Action codes of the 操作ログ written by the applications (in addition to <c>AuditActions.DocumentDownload</c>,
/// <c>AccessDenied</c>, <c>AccountCreate</c>, <c>AccountUpdate</c> and <c>CertificateIssue</c>).
/// </summary>
public static class ApplicationAuditActions
{
    public const string UsageSubmit = "usage-application.submit";
    public const string UsageApprove = "usage-application.approve";
    public const string UsageSendBack = "usage-application.send-back";
    public const string InstitutionCreate = "institution.create";
    public const string InstitutionUpdate = "institution.update";
    public const string OperationStartRegister = "operation-start.register";
    public const string CertificateApplicationSubmit = "certificate-application.submit";
    public const string CertificateApplicationApprove = "certificate-application.approve";
    public const string CertificateApplicationSendBack = "certificate-application.send-back";
    public const string CertificateApplicationDownload = "certificate-application.download";
    public const string CertificateApplicationFileSaved = "certificate-application.file-saved";
    public const string CertificateApplicationReissue = "certificate-application.reissue";
    public const string SubsidySubmit = "subsidy-application.submit";
    public const string SubsidyApprove = "subsidy-application.approve";
    public const string SubsidySendBack = "subsidy-application.send-back";
    public const string SubsidyReceiptView = "subsidy-application.receipt";

    /// <summary>The audit actor of a portal user: its numeric id (the e-mail is personal data and stays out of the log).</summary>
    public static string PortalActor(long portalUserId) => "portal:" + portalUserId.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
