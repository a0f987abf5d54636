using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Onshi.Core.Features.Applications;
using Onshi.Core.Features.Certificates;
using Onshi.Core.Features.Mail;
using Onshi.Core.Features.PortalAccounts;
using Onshi.Core.Hosting;
using Onshi.Portal.Pages.OnlineEligibility;
using Onshi.Web.Hosting;

namespace Onshi.Portal.Hosting;

/// <summary>Builds the 医療機関等向け総合ポータルサイト: its own HTTPS endpoint (no client certificate), its own cookies.</summary>
public static class PortalApp
{
    public const string SiteName = "医療機関等向け総合ポータルサイト";

    /// <summary>The portal's default HTTPS port.</summary>
    public const int DefaultPort = 8444;

    /// <summary>
    /// Creates the portal web application (not started). The database must already be migrated.
    /// </summary>
    /// <param name="settings">Data directory, database, environment, bind address and host names (shared with the other sites).</param>
    /// <param name="port">The portal's HTTPS port; 0 picks a free one.</param>
    /// <param name="configureServices">Last-word service changes (tests: a fake clock).</param>
    /// <param name="configureLogging">Logging setup; default: warnings to the console.</param>
    /// <param name="showOutbox">Development and demo only: serve <c>/Dev/Outbox</c>, the mail outbox. Otherwise it is a 404.</param>
    public static WebApplication Create(OnshiSettings settings, int port = DefaultPort, Action<IServiceCollection>? configureServices = null,
        Action<ILoggingBuilder>? configureLogging = null, bool showOutbox = false)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var builder = OnshiSite.CreateBuilder(settings, new OnshiSiteDefinition(typeof(PortalApp).Assembly, SiteName, "Portal", "onshi-portal", "portal"), o =>
        {
            o.Conventions.AuthorizeFolder("/", PortalPolicies.SignedIn);
            o.Conventions.AllowAnonymousToFolder("/Account");
            o.Conventions.AllowAnonymousToFolder("/Dev");
            o.Conventions.AllowAnonymousToPage("/Error");
        }, configureLogging);
        var dataDirectory = Path.GetFullPath(settings.DataDirectory);
        builder.Services.AddOnshiMail(dataDirectory);
        builder.Services.AddOnshiPortalAccounts();
        // The オンライン資格確認 items' use cases (利用申請, documents, 運用開始日, certificates, 補助金).
        builder.Services.AddOnshiApplications();
        // The 入力 → 確認 → 完了 steps of the application forms: sealed drafts (「申請する」 once per draft is the
        // database's PortalSubmissions, from AddOnshiApplications, so it holds across instances).
        builder.Services.AddSingleton<ConfirmDrafts>();
        // Links in mails name the configured public address, else this endpoint, never the request's Host header.
        builder.Services.AddOptions<PortalAccountOptions>().PostConfigure<IServer>((o, server) =>
            o.PublicBaseUrl ??= PublicBaseUrl(server, settings));
        builder.Services.AddSingleton(new PortalSiteOptions(settings.Environment, showOutbox));
        builder.Services.AddPortalSessionAuthentication();
        builder.Services.AddSingleton<IRefusalActor, PortalRefusalActor>();

        // The host of a configured public address is one of the portal's names (mailed links point there).
        builder.Services.AddOptions<SiteHostOptions>().Configure<IOptions<PortalAccountOptions>>((o, portal) =>
        {
            if (Uri.TryCreate(portal.Value.PublicBaseUrl, UriKind.Absolute, out var publicUrl))
            {
                o.Add(publicUrl.Host);
            }
        });
        configureServices?.Invoke(builder.Services);
        OnshiSite.Listen(builder, settings, IPAddress.Parse(settings.BindAddress), port);

        var app = builder.Build();
        app.UseSiteMetricsTag();
        app.UseOnshiSiteDefaults();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapOnshiAssets();
        app.MapRazorPages();
        return app;
    }

    /// <summary>This endpoint's address as a browser reaches it (a wildcard bind becomes the first host name, or localhost).</summary>
    private static string? PublicBaseUrl(IServer server, OnshiSettings settings)
    {
        var first = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (first is null || !Uri.TryCreate(first, UriKind.Absolute, out var uri))
        {
            return null;
        }

        if (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)))
        {
            return new UriBuilder(uri) { Host = settings.HostNames.FirstOrDefault() ?? "localhost" }.Uri.GetLeftPart(UriPartial.Authority);
        }

        return uri.GetLeftPart(UriPartial.Authority);
    }
}

/// <summary>What the portal's pages need to know of the deployment.</summary>
public sealed record PortalSiteOptions(Onshi.Core.Data.OqsEnvironment Environment, bool ShowOutbox);
