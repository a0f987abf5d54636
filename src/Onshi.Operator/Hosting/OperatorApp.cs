using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Onshi.Core.Features.Applications;
using Onshi.Core.Features.Certificates;
using Onshi.Core.Features.Jobs;
using Onshi.Core.Features.Mail;
using Onshi.Core.Features.MemberImports;
using Onshi.Core.Features.Operators;
using Onshi.Core.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Operator.Hosting;

/// <summary>
/// Builds the 運用者コンソール: its own HTTPS endpoint, always on loopback (SPEC §7: an internal endpoint; reach it
/// through an SSH tunnel or an internal reverse proxy), its own accounts and cookies, no client certificates.
/// </summary>
public static class OperatorApp
{
    public const string SiteName = "運用者コンソール";

    /// <summary>The default HTTPS port of the console.</summary>
    public const int DefaultPort = 9443;

    /// <summary>
    /// Creates the console (not started) listening on 127.0.0.1:<paramref name="port"/> (0 picks a free one) whatever
    /// <see cref="OnshiSettings.BindAddress"/> says. The database must already be migrated.
    /// </summary>
    public static WebApplication Create(OnshiSettings settings, int port, Action<IServiceCollection>? configureServices = null,
        Action<ILoggingBuilder>? configureLogging = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var builder = OnshiSite.CreateBuilder(settings, new OnshiSiteDefinition(typeof(OperatorApp).Assembly, SiteName, "Operator", "onshi-op", "operator"), o =>
        {
            o.Conventions.AuthorizeFolder("/", OperatorPolicies.SignedIn);
            o.Conventions.AllowAnonymousToPage("/Login");
            o.Conventions.AllowAnonymousToPage("/Error");
            o.Conventions.AllowAnonymousToPage("/Logout");
            o.Conventions.AuthorizeFolder("/CallCenter", OperatorPolicies.For(OperatorCapability.CallCenterDesk));
            o.Conventions.AuthorizeFolder("/Certificates", OperatorPolicies.For(OperatorCapability.Certificates));
            o.Conventions.AuthorizeFolder("/Audit", OperatorPolicies.For(OperatorCapability.AuditLog));
            o.Conventions.AuthorizeFolder("/Review", OperatorPolicies.For(OperatorCapability.ReviewQueues));
            o.Conventions.AuthorizeFolder("/MemberImport", OperatorPolicies.For(OperatorCapability.MemberImport));
        }, configureLogging);
        // The decision mails (approval, 差戻し, certificate issued, 交付決定) go to the same outbox or SMTP server as the portal's.
        builder.Services.AddOnshiMail(Path.GetFullPath(settings.DataDirectory));
        builder.Services.AddOnshiApplications();
        builder.Services.AddOperatorSessionAuthentication();
        builder.Services.AddSingleton<IRefusalActor, OperatorRefusalActor>();
        // 加入者データ取込's worker: claims the uploaded files' jobs from the shared table (any console instance may).
        builder.Services.AddBackgroundJob<MemberImportJob>(MemberImportService.JobKind);
        configureServices?.Invoke(builder.Services);

        // Internal endpoint (SPEC §7): loopback only, never settings.BindAddress.
        OnshiSite.Listen(builder, settings, IPAddress.Loopback, port);

        var app = builder.Build();
        app.UseSiteMetricsTag();
        app.UseOnshiSiteDefaults();
        app.UseRouting();
        app.UseAuthentication();
        app.UseForcedPasswordChange("/ChangePassword", "/Logout");
        app.UseAuthorization();
        app.MapOnshiAssets();
        app.MapRazorPages();
        return app;
    }
}
