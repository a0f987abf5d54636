using Microsoft.Extensions.DependencyInjection;

namespace Onshi.Core.Features.PortalAccounts;

/// <summary>Registers the portal's account service and its options.</summary>
public static class PortalAccountsServiceCollectionExtensions
{
    /// <summary>Adds the portal's account use cases (<see cref="PortalRegistrationService"/>, <see cref="PortalLoginService"/>, <see cref="PortalPasswordResetService"/>, <see cref="PortalAccountMail"/>); <see cref="PortalAccountOptions"/> are bound by <c>AddOnshiCore</c> (every site's sweep purges expired registrations). Needs <c>AddOnshiCore</c>, <c>AddOnshiMail</c> and Data Protection.</summary>
    public static IServiceCollection AddOnshiPortalAccounts(this IServiceCollection services)
    {
        services.AddScoped<PortalAccountMail>();
        services.AddScoped<PortalRegistrationService>();
        services.AddScoped<PortalLoginService>();
        services.AddScoped<PortalPasswordResetService>();
        return services;
    }
}
