using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Data;
using Onshi.Core.Features.AccountManagement;
using Onshi.Core.Features.Accounts;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Caching;
using Onshi.Core.Features.Certificates;
using Onshi.Core.Features.Documents;
using Onshi.Core.Features.Jobs;
using Onshi.Core.Features.Login;
using Onshi.Core.Features.Operators;
using Onshi.Core.Features.Passwords;
using Onshi.Core.Features.Sessions;

namespace Onshi.Core.Hosting;

/// <summary>Registers the UI-free core: the database, every feature's services and their options.</summary>
public static class OnshiCoreServiceCollectionExtensions
{
    public static IServiceCollection AddOnshiCore(this IServiceCollection services, string dataDirectory, Action<DbContextOptionsBuilder> configureDatabase)
    {
        // Pooled: every request of every site resolves a context, and a pooled one is reset instead of built again
        // (its options, services and model are resolved once). The context holds no state of its own beyond EF Core's.
        // Every context publishes the cache invalidations of its commits (Features.Caching; docs/security.md).
        services.AddSingleton<CacheInvalidationInterceptor>();
        services.AddDbContextPool<OnshiDbContext>((sp, o) =>
        {
            configureDatabase(o);
            o.AddInterceptors(sp.GetRequiredService<CacheInvalidationInterceptor>());
        });
        services.AddSingleton(TimeProvider.System);
        // The per-request certificate and session reads, from memory while a site's invalidation channel is up.
        services.AddOptions<AuthenticationCacheOptions>().BindConfiguration(AuthenticationCacheOptions.SectionName)
            .Validate(o => o.MaxEntries >= 2 && o.TimeToLive > TimeSpan.Zero && o.HeartbeatInterval > TimeSpan.Zero && o.LivenessTimeout > o.HeartbeatInterval
                && o.MinReconnectDelay > TimeSpan.Zero && o.MaxReconnectDelay >= o.MinReconnectDelay && o.SignalRetention > TimeSpan.Zero,
                "Onshi:Cache: MaxEntries at least 2; TimeToLive, HeartbeatInterval, MinReconnectDelay and SignalRetention above zero; LivenessTimeout above HeartbeatInterval; MaxReconnectDelay at least MinReconnectDelay.")
            .ValidateOnStart();
        services.AddSingleton<AuthenticationCache>();
        services.AddOnshiPasswords();
        services.AddOnshiCertificates(dataDirectory);
        services.AddOnshiDocuments();
        services.AddOptions<SessionOptions>().BindConfiguration("Onshi:Sessions");
        services.AddOptions<LoginOptions>().BindConfiguration("Onshi:Login");
        services.AddSingleton<ILoginThrottle, DbLoginThrottle>();
        services.AddOptions<AuditOptions>().BindConfiguration(AuditOptions.SectionName);
        services.AddScoped<AuditLog>();
        // Refusals anyone can cause (refused requests, throttled logins) are summarised per key: one gate per site.
        services.AddOptions<RefusalAuditOptions>().BindConfiguration(RefusalAuditOptions.SectionName);
        services.AddSingleton<RefusalAuditGate>();
        services.AddScoped<SessionService>();
        services.AddScoped<SiteSessionService>();
        services.AddScoped<SessionSweep>();
        // Here, not with the portal's services: every site's sweep deletes the registrations whose verification link expired.
        services.AddOptions<Features.PortalAccounts.PortalAccountOptions>().BindConfiguration(Features.PortalAccounts.PortalAccountOptions.SectionName);
        services.AddScoped<Features.Credentials.CredentialService>();
        services.AddScoped<LoginService>();
        services.AddSingleton<ForcedLoginTokens>();
        services.AddScoped<OwnPasswordService>();
        services.AddScoped<AccountAdministration>();
        services.AddScoped<Features.Qualifications.QualificationLookupService>();
        services.AddScoped<Features.Qualifications.QualificationResultQuery>();
        services.AddScoped<Features.Institutions.InstitutionProvisioning>();

        // The shared job table (any site may enqueue; a site that works on a kind adds its worker) and 加入者データ取込.
        services.AddOnshiJobs();
        services.AddScoped<Features.MemberImports.MemberImportService>();
        services.AddOptions<Features.MemberImports.MemberImportOptions>().BindConfiguration(Features.MemberImports.MemberImportOptions.SectionName)
            .Validate(o => o.MaxFileBytes is >= 1024 and <= Features.MemberImports.MemberImportOptions.LargestMaxFileBytes && o.MaxReportedErrors >= 1 && o.ProgressEvery >= 1,
                "Onshi:MemberImport: MaxFileBytes between 1024 and 1000000000, MaxReportedErrors and ProgressEvery at least 1.")
            .ValidateOnStart();

        // 一括照会: any site may accept one (the OQS does); the OQS's worker answers them (AddBackgroundJob there).
        services.AddScoped<Features.Qualifications.Bulk.BulkInquiryService>();
        services.AddOptions<Features.Qualifications.Bulk.BulkInquiryOptions>().BindConfiguration(Features.Qualifications.Bulk.BulkInquiryOptions.SectionName)
            .Validate(o => o.MaxPatients >= 1 && o.BatchSize >= 1 && o.KeptFor > TimeSpan.Zero,
                "Onshi:BulkInquiry: MaxPatients and BatchSize at least 1, KeptFor above zero.")
            .ValidateOnStart();

        // The operators' use cases are part of the system of record's core: the CLI and the demo create operators
        // through them; only the console's pages are a separate site.
        services.AddOnshiOperators();
        return services;
    }
}
