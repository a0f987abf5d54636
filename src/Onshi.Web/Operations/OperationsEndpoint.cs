using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Onshi.Core.Data;
using Onshi.Core.Features.Operations;
using Onshi.Web.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Onshi.Web.Operations;

/// <summary>
/// The operations endpoint of one process (issue 17, docs/operations.md): plain HTTP on a loopback or internal address,
/// apart from the sites (no client certificate, no session, no cookie), answering only
/// <c>GET /health/live</c> (200 while the process runs), <c>GET /health/ready</c> (200 or 503, <see cref="ReadinessCheck"/>)
/// and <c>GET /metrics</c> (Prometheus text: the ASP.NET Core and runtime instrumentation and Onshi's own meter,
/// <see cref="OnshiMetrics"/>). It starts before the database is migrated, so a starting process answers "not ready",
/// and stops after the sites.
/// </summary>
public static class OperationsEndpoint
{
    /// <summary>The default port (the port OpenTelemetry's Prometheus exporter is known by).</summary>
    public const int DefaultPort = 9464;

    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";
    public const string MetricsPath = "/metrics";

    /// <summary>
    /// Creates the endpoint (not started) on <paramref name="address"/>:<paramref name="port"/> (0 = a free port) for the
    /// process whose sites share <paramref name="readiness"/> (<see cref="OnshiSettings.Readiness"/>), logging in
    /// <paramref name="logFormat"/>.
    /// </summary>
    public static WebApplication Create(OnshiReadiness readiness, LogFormat logFormat, IPAddress address, int port,
        Action<ILoggingBuilder>? configureLogging = null)
    {
        ArgumentNullException.ThrowIfNull(readiness);
        ArgumentNullException.ThrowIfNull(address);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = "Onshi.Operations",
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        OnshiLogging.Configure(builder.Logging, logFormat, configureLogging);

        // Every unhealthy answer is not an event (a checker asks every few seconds): ReadinessCheck logs the changes instead.
        builder.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None);

        // Stopped by the serve command after its sites, never by a signal of its own: it says "not ready" while they drain.
        builder.Services.AddSingleton<IHostLifetime, PassiveLifetime>();
        builder.Services.AddSingleton(readiness);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<OperationsOptions>().BindConfiguration(OperationsOptions.SectionName);
        builder.Services.AddSingleton<ReadinessCheck>();
        builder.Services.AddHealthChecks().AddCheck<ReadinessCheck>("ready", tags: ["ready"]);
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("onshi", serviceInstanceId: $"{Environment.MachineName}:{Environment.ProcessId}"))
            .WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(OnshiMetrics.MeterName)
                // Every scrape reads the meters now (the exporter's default reuses an answer for 300 ms): scrapers ask every few seconds.
                .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        builder.WebHost.UseKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = 0;
            k.Listen(address, port);
        });

        var app = builder.Build();
        OnshiMetrics.ObserveBulkQueue(() => BulkQueue(readiness));
        app.Use((context, next) =>
        {
            // The endpoint's own requests are not the service's traffic.
            if (context.Features.Get<IHttpMetricsTagsFeature>() is { } tags)
            {
                tags.MetricsDisabled = true;
            }

            return HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
                ? next(context)
                : Results.StatusCode(StatusCodes.Status405MethodNotAllowed).ExecuteAsync(context);
        });
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = WriteAsync });
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        app.MapFallback(() => Results.NotFound());
        return app;
    }

    /// <summary>The answer: <c>{"status":"Healthy|Unhealthy","checks":{"ready":{"status":…,"description":…,"data":{…}}}}</c>, never cached.</summary>
    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        var body = new Dictionary<string, object?>
        {
            ["status"] = report.Status.ToString(),
            ["checks"] = report.Entries.ToDictionary(e => e.Key, e => (object?)new Dictionary<string, object?>
            {
                ["status"] = e.Value.Status.ToString(),
                ["description"] = e.Value.Description,
                ["data"] = e.Value.Data,
            }),
        };
        return JsonSerializer.SerializeAsync(context.Response.Body, body, cancellationToken: context.RequestAborted);
    }

    /// <summary>一括照会 jobs accepted and not completed; null (no value) while no site has started or the database does not answer.</summary>
    private static long? BulkQueue(OnshiReadiness readiness)
    {
        if (readiness.Services is not { } services)
        {
            return null;
        }

        try
        {
            using var scope = services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<OnshiDbContext>();
            return db.BulkInquiries.LongCount(b => b.Status == BulkInquiryStatus.Accepted || b.Status == BulkInquiryStatus.Processing);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }

    /// <summary>A lifetime that listens to no signal (see <see cref="DrainingLifetime"/> for the sites').</summary>
    private sealed class PassiveLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
