using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Onshi.Core.Features.Audit;

namespace Onshi.Web.Hosting;

/// <summary>
/// The host names a site answers to. By default the names its server certificate covers — <c>localhost</c>,
/// <c>127.0.0.1</c>, <c>::1</c> and <see cref="OnshiSettings.HostNames"/> — and the bind address when it is a specific one;
/// a site may add its own (the portal adds the host of its configured public address).
/// </summary>
public sealed class SiteHostOptions
{
    private static readonly string[] LocalNames = ["localhost", "127.0.0.1", "::1"];

    /// <summary>Names compared without port, case-insensitively (IPv6 without brackets).</summary>
    public ISet<string> AllowedHosts { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Adds a name as a Host header or a URL authority would carry it (port, brackets and a final dot are dropped).</summary>
    public void Add(string? name)
    {
        var host = Normalize(name);
        if (host.Length > 0)
        {
            AllowedHosts.Add(host);
        }
    }

    /// <summary>The names the server certificate covers: <c>localhost</c>, loopback and <see cref="OnshiSettings.HostNames"/>.</summary>
    public void AddDefaults(OnshiSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        foreach (var name in LocalNames.Concat(settings.HostNames))
        {
            Add(name);
        }
    }

    /// <summary>The address the site listens on, unless it is a wildcard (then the names above are the site's names).</summary>
    public void AddBindAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!address.Equals(IPAddress.Any) && !address.Equals(IPAddress.IPv6Any))
        {
            Add(address.ToString());
        }
    }

    /// <summary>Whether <paramref name="host"/> (a request's Host header) names this site.</summary>
    public bool IsAllowed(HostString host) => host.HasValue && AllowedHosts.Contains(Normalize(host.Host));

    private static string Normalize(string? name)
    {
        var host = (name ?? "").Trim();
        if (host.StartsWith('['))
        {
            var end = host.IndexOf(']', StringComparison.Ordinal);
            host = end > 0 ? host[1..end] : host;
        }
        else if (host.Count(c => c == ':') == 1)
        {
            // name:port (an IPv6 address without brackets has more than one colon)
            host = host[..host.IndexOf(':', StringComparison.Ordinal)];
        }

        return host.TrimEnd('.');
    }
}

/// <summary>
/// Refuses a request whose Host header names none of the site's host names (<see cref="SiteHostOptions"/>) with 400 and the
/// Japanese error page, audited as <c>request.refused</c> / <c>host</c> (ASVS 3.x, host header injection). Nothing after it
/// runs, so no page, redirect or link is ever built from a forged host. <c>X-Forwarded-Host</c> and the other forwarded
/// headers are not read at all (no forwarded-headers middleware is installed).
/// </summary>
public sealed class HostNameFilter(RequestDelegate next, IOptions<SiteHostOptions> options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (RequestRefusals.IsReExecution(context) || options.Value.IsAllowed(context.Request.Host))
        {
            await next(context);
            return;
        }

        await RequestRefusals.RecordAsync(context, RequestRefusalReasons.Host);

        // No body: the status code pages run the error page, which words the answer for a wrong address.
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
    }
}
