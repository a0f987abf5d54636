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
using Onshi.Core.Features.Accounts;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Certificates;
using Onshi.Core.Features.Jobs;
using Onshi.Core.Features.Qualifications.Bulk;
using Onshi.Core.Features.Sessions;
using Onshi.Core.Hosting;
using Onshi.Oqs.Api;
using Onshi.Web.Hosting;

namespace Onshi.Oqs.Hosting;

/// <summary>Builds the オンライン資格確認等システム site: its own HTTPS endpoint asking for a terminal certificate.</summary>
public static class OqsApp
{
    public const string SiteName = "オンライン資格確認等システム";

    /// <summary>Creates the OQS web application (not started). The database must already be migrated.</summary>
    public static WebApplication Create(OnshiSettings settings, Action<IServiceCollection>? configureServices = null,
        Action<ILoggingBuilder>? configureLogging = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var builder = OnshiSite.CreateBuilder(settings, new OnshiSiteDefinition(typeof(OqsApp).Assembly, SiteName, "OQS", "onshi-oqs", "oqs"), o =>
        {
            o.Conventions.AuthorizeFolder("/", OqsPolicies.SignedIn);
            o.Conventions.AllowAnonymousToPage("/Index");
            o.Conventions.AllowAnonymousToPage("/Login");
            o.Conventions.AllowAnonymousToPage("/CertificateError");
            o.Conventions.AllowAnonymousToPage("/Error");
            o.Conventions.AllowAnonymousToPage("/Logout");

            // One policy per capability (PermissionMatrix.Allows); a page under /Accounts needs both of its conventions.
            o.Conventions.AuthorizeFolder("/Accounts", OqsPolicies.For(OqsCapability.AccountAdministration));
            o.Conventions.AuthorizePage("/Accounts/Register", OqsPolicies.For(OqsCapability.AccountRegistration));
            o.Conventions.AuthorizePage("/ChangePassword", OqsPolicies.For(OqsCapability.ChangeOwnPassword));
            o.Conventions.AuthorizePage("/Terminals", OqsPolicies.For(OqsCapability.TerminalList));
            o.Conventions.AuthorizeFolder("/AuditLog", OqsPolicies.For(OqsCapability.AuditLog));
            o.Conventions.AuthorizePage("/Qualifications/Index", OqsPolicies.For(OqsCapability.QualificationLookup));
            o.Conventions.AuthorizePage("/Qualifications/Results", OqsPolicies.For(OqsCapability.QualificationResults));
            o.Conventions.AuthorizeFolder("/Qualifications/Bulk", OqsPolicies.For(OqsCapability.QualificationLookup));
            // /Qualifications/Result (one kept result) is for either capability: QualificationResultQuery decides.
        }, configureLogging);
        builder.Services.AddSingleton(new OqsSiteOptions(settings.Environment));
        builder.Services.AddSingleton<IssuedPasswordTokens>();
        builder.Services.AddSingleton<IRefusalActor, OqsRefusalActor>();
        builder.Services.AddScoped<InstitutionAuditQuery>();
        builder.Services.AddOqsSessionAuthentication();
        builder.Services.AddOqsWebApi();
        builder.Services.AddBackgroundJob<BulkInquiryJob>(BulkInquiryService.JobKind);
        builder.Services.AddBackgroundJob<BulkInquiryPurgeJob>(BulkInquiryService.PurgeJobKind);
        configureServices?.Invoke(builder.Services);

        OnshiSite.Listen(builder, settings, IPAddress.Parse(settings.BindAddress), settings.OqsPort, https =>
        {
            // Ask every client for its certificate, but let the handshake finish without one, so that a missing
            // or wrong certificate gets a readable Japanese page from TerminalGate instead of a closed connection.
            https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
            https.ClientCertificateValidation = static (_, _, _) => true;
            https.CheckCertificateRevocation = false;
        });

        var app = builder.Build();
        app.UseSiteMetricsTag();

        // The Web API (SPEC §12): a JSON pipeline of its own, before the pages' HTML error pages.
        app.UseOqsWebApi();
        app.UseOnshiSiteDefaults();
        app.UseMiddleware<TerminalGate>();
        app.UseRouting();
        app.UseAuthentication();
        // A temporary or expired password is changed first (SPEC §4.7). /Denied stays reachable: should a kind without
        // ChangeOwnPassword ever hold such a password (the reset account's 秘密の番号 never is), the refused /ChangePassword
        // ends on that page instead of redirecting in a loop.
        app.UseForcedPasswordChange("/ChangePassword", "/Logout", "/CertificateError", "/Denied");
        app.UseAuthorization();
        app.MapOnshiAssets();
        app.MapRazorPages();
        return app;
    }
}
