using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Onshi.Core.Features.Certificates;
using Onshi.Core.Features.Secrets;
using Onshi.Core.Hosting;
using Onshi.Web.Operations;

namespace Onshi.Web.Hosting;

/// <summary>What distinguishes one site from the others.</summary>
/// <param name="SiteAssembly">The assembly holding the site's pages (only they, and the shared layout, become routes).</param>
/// <param name="SiteName">The name in the header and titles.</param>
/// <param name="ShortName">A short name for the chrome.</param>
/// <param name="CookiePrefix">The site's cookie names start with <c>__Host-</c> and this (e.g. <c>onshi-oqs</c>).</param>
/// <param name="Code">The site's code in metrics, readiness and <c>onshi serve --site</c>: <c>oqs</c>, <c>portal</c> or <c>operator</c>.</param>
public sealed record OnshiSiteDefinition(Assembly SiteAssembly, string SiteName, string ShortName, string CookiePrefix, string Code);

/// <summary>The code of the site a container serves (<see cref="OnshiSiteDefinition.Code"/>).</summary>
public sealed record SiteCode(string Value);

/// <summary>
/// The hosting every site shares (the OQS, the portal, the operator console): one web application per site with the
/// core services, the shared Data Protection key ring, its own antiforgery and TempData cookies, Razor Pages limited
/// to its own assembly and the shared layout, Unicode output, HTTPS with our CA's server certificate, and the same
/// error pages and security headers. Each site adds its own authentication, services and middleware.
/// </summary>
public static class OnshiSite
{
    /// <summary>A builder with everything the sites share; <paramref name="pages"/> sets the site's page conventions.</summary>
    public static WebApplicationBuilder CreateBuilder(OnshiSettings settings, OnshiSiteDefinition site, Action<RazorPagesOptions> pages,
        Action<ILoggingBuilder>? configureLogging)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(site);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = site.SiteAssembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        OnshiLogging.Configure(builder.Logging, settings.LogFormat, configureLogging);

        var dataDirectory = Path.GetFullPath(settings.DataDirectory);

        // The master key first: a missing or wrong key stops the start here with a clear message (OnshiStartupException).
        var masterKey = MasterKey.Resolve(dataDirectory, settings.MasterKeyFile);
        builder.Services.AddSingleton(masterKey);
        builder.Services.AddOnshiCore(dataDirectory, o => OnshiDatabase.Configure(o, settings));

        // One key ring and application name for every site, so one deployment's sites share keys and database; each
        // key's secret encrypted under the master key (plain keys of older data directories are encrypted here).
        builder.Services.AddOnshiDataProtection(dataDirectory, masterKey);

        // Readiness and draining (docs/operations.md): a stop signal makes the process answer 503 before it stops.
        builder.Services.AddSingleton(settings.Readiness);
        builder.Services.AddOptions<OperationsOptions>().BindConfiguration(OperationsOptions.SectionName);
        builder.Services.AddSingleton<IHostLifetime, DrainingLifetime>();
        builder.Services.AddSingleton(new SiteCode(site.Code));

        // Ends expired sessions whose cookie never comes back (safe with several sites or instances on one database).
        builder.Services.AddHostedService<Onshi.Core.Features.Sessions.SessionSweeper>();
        // The authentication cache serves only while this site's invalidation channel is up (docs/security.md).
        builder.Services.AddHostedService<InvalidationListener>();
        builder.Services.AddSingleton(new SiteChrome(site.SiteName, site.ShortName, "/", settings.Environment));
        // Refused requests are audited (summarised per reason and address: RefusalAuditGate, in the core) and only the configured host names are answered.
        builder.Services.AddOptions<SiteHostOptions>().Configure(o => o.AddDefaults(settings));

        // Forwarded headers are believed from the configured proxies only (and refused from anyone else).
        builder.Services.AddOptions<TrustedProxyOptions>().BindConfiguration(TrustedProxyOptions.SectionName).Configure(o =>
        {
            foreach (var proxy in settings.TrustedProxies)
            {
                o.TrustedProxies.Add(proxy);
            }
        });
        builder.Services.AddSingleton<TrustedProxySet>();
        builder.Services.AddWebEncoders(o => o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        // The sites share one key ring, so without this a token one site issued would pass on another (issue 14, 16):
        // every token carries its site, and a site accepts only its own.
        builder.Services.AddSingleton<IAntiforgeryAdditionalDataProvider>(new SiteAntiforgeryData(site.CookiePrefix));
        builder.Services.AddAntiforgery(o =>
        {
            o.Cookie.Name = $"__Host-{site.CookiePrefix}-af";
            o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.FormFieldName = "__af";
        });
        builder.Services.AddRazorPages(pages)
            .AddMvcOptions(o =>
            {
                o.Filters.Add(new RequestInputFilter());
                o.Filters.Add(new AntiforgeryRefusalFilter());
            })
            .ConfigureApplicationPartManager(parts =>
            {
                // Exactly this site's pages and the shared layout: another site's pages never become routes here.
                parts.ApplicationParts.Clear();
                foreach (var assembly in new[] { site.SiteAssembly, typeof(SiteChrome).Assembly })
                {
                    parts.ApplicationParts.Add(new AssemblyPart(assembly));
                    parts.ApplicationParts.Add(new CompiledRazorAssemblyPart(assembly));
                }
            })
            .AddCookieTempDataProvider(o =>
            {
                o.Cookie.Name = $"__Host-{site.CookiePrefix}-td";
                o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
                o.Cookie.SameSite = SameSiteMode.Strict;
            });
        return builder;
    }

    /// <summary>
    /// Listens on <paramref name="address"/>:<paramref name="port"/> (0 = a free port) over HTTPS with the CA's server
    /// certificate; <paramref name="https"/> adds the site's own TLS settings (the OQS asks for client certificates).
    /// </summary>
    public static void Listen(WebApplicationBuilder builder, OnshiSettings settings, IPAddress address, int port,
        Action<HttpsConnectionAdapterOptions>? https = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(address);
        builder.Services.Configure<SiteHostOptions>(o => o.AddBindAddress(address));
        builder.WebHost.UseKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = 1024 * 1024;
            k.Listen(address, port, listen => listen.UseHttps(o =>
            {
                var ca = k.ApplicationServices.GetRequiredService<CertificateAuthority>();
                var serverCertificate = ca.GetOrIssueServerCertificate(settings.HostNames);
                o.ServerCertificate = serverCertificate;
                o.ClientCertificateMode = ClientCertificateMode.NoCertificate;
                https?.Invoke(o);

                // AEAD suites with forward secrecy only; a site asking for client certificates names our CA (issue 14, 17/18).
                TlsPolicy.Apply(o, serverCertificate, ca.Certificate);
            }));
        });
    }

    /// <summary>
    /// The start of every site's pipeline: error pages (never a stack trace), the security headers, the forwarded headers
    /// (believed from a trusted proxy, refused from anyone else) and the host name check (a forged Host header gets 400 and
    /// the error page before anything else runs).
    /// </summary>
    public static WebApplication UseOnshiSiteDefaults(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler("/Error");
        app.UseStatusCodePagesWithReExecute("/Error", "?code={0}");
        app.UseOnshiSecurityHeaders();

        // A draining process answers new requests 503 (the error page says to try again), so nginx sends them elsewhere.
        app.UseReadinessGate(context =>
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return Task.CompletedTask;
        });

        // Parsed now: a wrong --trusted-proxy stops the start (OnshiStartupException), not the first request.
        _ = app.Services.GetRequiredService<TrustedProxySet>();
        app.UseMiddleware<ForwardedHeadersGate>();
        app.UseMiddleware<HostNameFilter>();
        return app;
    }
}

/// <summary>The start of every site's pipelines: its requests' metrics carry the site, and a draining process refuses new ones.</summary>
public static class SiteOperations
{
    /// <summary>The request metrics (<c>http.server.request.duration</c>, …) of this site carry <c>onshi.site</c>; first in the pipeline.</summary>
    public static IApplicationBuilder UseSiteMetricsTag(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var site = new KeyValuePair<string, object?>("onshi.site", app.ApplicationServices.GetRequiredService<SiteCode>().Value);
        return app.Use((context, next) =>
        {
            context.Features.Get<IHttpMetricsTagsFeature>()?.Tags.Add(site);
            return next(context);
        });
    }

    /// <summary>
    /// While the process drains (<see cref="OnshiReadiness.IsDraining"/>), a new request is answered by <paramref name="refuse"/>
    /// with <c>Retry-After</c> and nothing else runs; the error page of a re-executed request passes, and so do the static
    /// assets (from memory, no state), so that the 503 page keeps its look.
    /// </summary>
    public static IApplicationBuilder UseReadinessGate(this IApplicationBuilder app, Func<HttpContext, Task> refuse)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(refuse);
        var readiness = app.ApplicationServices.GetRequiredService<OnshiReadiness>();
        return app.Use((context, next) =>
        {
            if (!readiness.IsDraining || RequestRefusals.IsReExecution(context) || AssetEndpoints.IsAssetPath(context.Request.Path))
            {
                return next(context);
            }

            context.Response.Headers.RetryAfter = "5";
            return refuse(context);
        });
    }
}

/// <summary>
/// Binds every antiforgery token to the site that issued it (<see cref="OnshiSiteDefinition.CookiePrefix"/>): the three sites
/// share one Data Protection key ring and application name (their sessions and documents need it), so a token pair one
/// site issued would otherwise validate on another.
/// </summary>
public sealed class SiteAntiforgeryData(string site) : IAntiforgeryAdditionalDataProvider
{
    public string GetAdditionalData(HttpContext context) => site;

    public bool ValidateAdditionalData(HttpContext context, string additionalData) => string.Equals(additionalData, site, StringComparison.Ordinal);
}
