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
using Onshi.Core.Features.Certificates;
using Onshi.Core.Features.Sessions;
using Onshi.Core.Hosting;
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
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(OqsApp).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.Logging.ClearProviders();
        if (configureLogging is null)
        {
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        }
        else
        {
            configureLogging(builder.Logging);
        }

        var dataDirectory = Path.GetFullPath(settings.DataDirectory);
        builder.Services.AddOnshiCore(dataDirectory, o => OnshiDatabase.Configure(o, settings));
        builder.Services.AddDataProtection()
            .SetApplicationName("Onshi")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataDirectory, "keys")));
        builder.Services.AddSingleton(new SiteChrome(SiteName, "OQS", "/", settings.Environment));
        builder.Services.AddSingleton(new OqsSiteOptions(settings.Environment));
        builder.Services.AddSingleton<IssuedPasswordTokens>();
        builder.Services.AddSingleton<RejectionAuditGate>();
        builder.Services.AddOqsSessionAuthentication();
        builder.Services.AddWebEncoders(o => o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        builder.Services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "__Host-onshi-oqs-af";
            o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.FormFieldName = "__af";
        });
        builder.Services.AddRazorPages(o =>
        {
            o.Conventions.AuthorizeFolder("/", Policies.SignedIn);
            o.Conventions.AllowAnonymousToPage("/Index");
            o.Conventions.AllowAnonymousToPage("/Login");
            o.Conventions.AllowAnonymousToPage("/CertificateError");
            o.Conventions.AllowAnonymousToPage("/Error");
            o.Conventions.AllowAnonymousToPage("/Logout");
            o.Conventions.AuthorizeFolder("/Accounts", Policies.AccountAdministration);
            o.Conventions.AuthorizePage("/Terminals", Policies.TerminalList);
        })
        .ConfigureApplicationPartManager(parts =>
        {
            // Exactly this site's pages and the shared layout: another site's pages never become routes here.
            parts.ApplicationParts.Clear();
            foreach (var assembly in new[] { typeof(OqsApp).Assembly, typeof(SiteChrome).Assembly })
            {
                parts.ApplicationParts.Add(new AssemblyPart(assembly));
                parts.ApplicationParts.Add(new CompiledRazorAssemblyPart(assembly));
            }
        })
        .AddCookieTempDataProvider(o =>
        {
            o.Cookie.Name = "__Host-onshi-oqs-td";
            o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            o.Cookie.SameSite = SameSiteMode.Strict;
        });
        configureServices?.Invoke(builder.Services);

        builder.WebHost.UseKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = 1024 * 1024;
            var address = IPAddress.Parse(settings.BindAddress);
            k.Listen(address, settings.OqsPort, listen => listen.UseHttps(https =>
            {
                var ca = k.ApplicationServices.GetRequiredService<CertificateAuthority>();
                https.ServerCertificate = ca.GetOrIssueServerCertificate(settings.HostNames);
                // Ask every client for its certificate, but let the handshake finish without one, so that a missing
                // or wrong certificate gets a readable Japanese page from TerminalGate instead of a closed connection.
                https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                https.ClientCertificateValidation = static (_, _, _) => true;
                https.CheckCertificateRevocation = false;
            }));
        });

        var app = builder.Build();
        app.UseExceptionHandler("/Error");
        app.UseStatusCodePagesWithReExecute("/Error", "?code={0}");
        app.UseOnshiSecurityHeaders();
        app.UseMiddleware<TerminalGate>();
        app.UseRouting();
        app.UseAuthentication();
        app.UseMiddleware<ForcedPasswordChange>();
        app.UseAuthorization();
        app.MapOnshiAssets();
        app.MapRazorPages();
        return app;
    }
}

/// <summary>A temporary or expired password must be changed before anything else (SPEC §4.7).</summary>
public sealed class ForcedPasswordChange(RequestDelegate next)
{
    private static readonly string[] Allowed = ["/ChangePassword", "/Logout", "/CertificateError", "/Error", "/assets"];

    public Task InvokeAsync(HttpContext context)
    {
        var principal = context.Features.Get<SessionPrincipal>();
        if (principal is { } p && (p.MustChangePassword || p.PasswordExpired)
            && !Allowed.Any(a => context.Request.Path.StartsWithSegments(a, StringComparison.OrdinalIgnoreCase)))
        {
            context.Response.Redirect("/ChangePassword");
            return Task.CompletedTask;
        }

        return next(context);
    }
}
