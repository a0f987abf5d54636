using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Onshi.Core.Features.Jobs;

/// <summary>Registers the job table's services and, per site, the kinds its worker runs.</summary>
public static class JobsServiceCollectionExtensions
{
    /// <summary>The queue and its options (every site may enqueue; part of <c>AddOnshiCore</c>).</summary>
    public static IServiceCollection AddOnshiJobs(this IServiceCollection services)
    {
        services.AddScoped<BackgroundJobStore>();
        services.TryAddSingleton<BackgroundJobSignal>();
        services.AddOptions<BackgroundJobOptions>().BindConfiguration(BackgroundJobOptions.SectionName)
            .Validate(o => o.LeaseDuration >= TimeSpan.FromSeconds(3) && o.MinPollInterval > TimeSpan.Zero
                && o.MaxPollInterval >= o.MinPollInterval && o.MaxAttempts >= 1 && o.RetryDelay >= TimeSpan.Zero,
                "Onshi:Jobs: LeaseDuration at least 00:00:03, 0 < MinPollInterval <= MaxPollInterval, MaxAttempts at least 1.")
            .ValidateOnStart();
        return services;
    }

    /// <summary>
    /// This site works on jobs of <paramref name="kind"/> with <typeparamref name="THandler"/>: the handler (scoped) and,
    /// once per site, the <see cref="BackgroundJobWorker"/>.
    /// </summary>
    public static IServiceCollection AddBackgroundJob<THandler>(this IServiceCollection services, string kind)
        where THandler : class, IBackgroundJobHandler
    {
        services.AddScoped<THandler>();
        services.AddSingleton(new BackgroundJobKind(kind, typeof(THandler)));
        services.TryAddSingleton<BackgroundJobWorker>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, BackgroundJobWorker>(sp => sp.GetRequiredService<BackgroundJobWorker>()));
        return services;
    }
}
