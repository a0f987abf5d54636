using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace Onshi.Core.Features.Applications;

/// <summary>Registers the portal's オンライン資格確認 applications and the operator's decisions on them.</summary>
public static class ApplicationsServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="UsageApplicationService"/>, <see cref="ApplicationReviewService"/>, <see cref="PortalDocumentService"/>,
    /// <see cref="OperationStartService"/>, <see cref="CertificateApplicationService"/>, <see cref="SubsidyService"/>, the
    /// portal's once-only 「申請する」 (<see cref="PortalSubmissions"/>) and the
    /// operator's shared <see cref="ReviewDecisions"/> with the decision mails of <see cref="ApplicationMail"/> (needs <c>AddOnshiMail</c>) (all scoped, like the <c>OnshiDbContext</c> they use). Needs <c>AddOnshiCore</c> and Data Protection: the host
    /// configures the key ring (<c>AddDataProtection().SetApplicationName("Onshi").PersistKeysToFileSystem(DATA/keys)</c>),
    /// and the portal and the operator console must share it, since one encrypts what the other decrypts.
    /// </summary>
    public static IServiceCollection AddOnshiApplications(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddDataProtection();
        services.AddScoped<ApplicationProtection>();
        services.AddScoped<PortalScope>();
        services.AddScoped<PortalSubmissions>();
        services.AddScoped<OnboardingProgressService>();
        services.AddScoped<ReviewDecisions>();
        services.AddScoped<UsageApplicationService>();
        services.AddScoped<ApplicationReviewService>();
        services.AddScoped<PortalDocumentService>();
        services.AddScoped<OperationStartService>();
        services.AddScoped<CertificateApplicationService>();
        services.AddScoped<SubsidyService>();
        services.AddScoped<ApplicationMail>();
        return services;
    }
}
