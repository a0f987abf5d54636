using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Onshi.Core.Features.Certificates;

/// <summary>Registers the certificate feature.</summary>
public static class CertificatesServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="CertificateAuthority"/> as a singleton, loaded from (or created in)
    /// <paramref name="dataDirectory"/> on first use, and <see cref="TerminalCertificateService"/> and
    /// <see cref="CertificateRevocationListWriter"/> as scoped.
    /// Uses the registered <see cref="TimeProvider"/>, adding <see cref="TimeProvider.System"/> if there is none.
    /// The <c>OnshiDbContext</c> must be registered by the host.
    /// </summary>
    public static IServiceCollection AddOnshiCertificates(this IServiceCollection services, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => Secrets.MasterKey.Resolve(dataDirectory));
        services.TryAddSingleton(sp => CertificateAuthority.LoadOrCreate(dataDirectory, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<Secrets.MasterKey>()));
        services.TryAddScoped<TerminalCertificateService>();
        services.TryAddScoped<CertificateRevocationListWriter>();
        return services;
    }
}
