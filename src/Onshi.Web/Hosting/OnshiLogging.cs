using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Onshi.Web.Hosting;

/// <summary>How a process's logs are written (<c>onshi serve --log-format</c>).</summary>
public enum LogFormat
{
    /// <summary>One readable line per event (the demo's default).</summary>
    Human = 0,

    /// <summary>
    /// JSON lines on stdout for log pipelines: one object per event with its time (UTC), level, category, event id, message,
    /// the message's fields and the scopes, among them the request's TraceId and SpanId.
    /// </summary>
    Json = 1,
}

/// <summary>The one logging setup of the sites and the operations endpoint of <c>onshi serve</c>.</summary>
public static class OnshiLogging
{
    /// <summary>
    /// Clears the providers and writes warnings and above in <paramref name="format"/> (<see cref="OnshiSettings.LogFormat"/>);
    /// a caller's <paramref name="configure"/> (the tests') replaces that.
    /// </summary>
    public static void Configure(ILoggingBuilder logging, LogFormat format, Action<ILoggingBuilder>? configure)
    {
        ArgumentNullException.ThrowIfNull(logging);
        logging.ClearProviders();
        if (configure is not null)
        {
            configure(logging);
            return;
        }

        logging.SetMinimumLevel(LogLevel.Warning);
        if (format == LogFormat.Json)
        {
            // Each request's trace and span ids go into the scopes, so a pipeline can join the events of one request.
            logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
            logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
                o.JsonWriterOptions = new JsonWriterOptions { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
            });
        }
        else
        {
            logging.AddSimpleConsole(o => o.SingleLine = true);
        }
    }
}
