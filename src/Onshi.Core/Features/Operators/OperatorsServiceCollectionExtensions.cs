using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Features.CallCenterDesk;

namespace Onshi.Core.Features.Operators;

/// <summary>Registers the operator console's use cases (scoped; they need <c>AddOnshiCore</c>).</summary>
public static class OperatorsServiceCollectionExtensions
{
    /// <summary>Adds <see cref="OperatorLoginService"/>, <see cref="OperatorOwnPasswordService"/>, <see cref="OperatorCreationService"/>, <see cref="OperatorGate"/>, <see cref="OperatorCertificateService"/>,
    /// <see cref="OperatorAuditQuery"/> and <see cref="CallCenterDeskService"/>.</summary>
    public static IServiceCollection AddOnshiOperators(this IServiceCollection services)
    {
        services.AddScoped<OperatorLoginService>();
        services.AddScoped<OperatorOwnPasswordService>();
        services.AddScoped<OperatorCreationService>();
        services.AddScoped<OperatorGate>();
        services.AddScoped<OperatorCertificateService>();
        services.AddScoped<OperatorAuditQuery>();
        services.AddScoped<CallCenterDeskService>();
        services.AddOptions<CallCenterDeskOptions>().BindConfiguration(CallCenterDeskOptions.SectionName)
            .Validate(o => o.NoticeRetention >= TimeSpan.FromMinutes(1) && o.NoticeRetention <= TimeSpan.FromDays(30),
                "Onshi:CallCenterDesk:NoticeRetention must be between 00:01:00 and 30.00:00:00.")
            .ValidateOnStart();
        return services;
    }
}
