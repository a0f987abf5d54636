using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc.Diagnostics;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Onshi.IntegrationTests.Corpus;

/// <summary>
/// What a running site serves, read from its endpoint data sources: every Razor page with each of its handlers
/// (<c>GET /Accounts/Detail</c>, <c>POST /Accounts/Issued?handler=Download</c>, …) and every other route pattern.
/// A new page or handler is part of the inventory without any change here.
/// </summary>
public sealed class RouteInventory
{
    private RouteInventory(IReadOnlyList<string> handlers, IReadOnlyList<string> pageRoutes, IReadOnlyList<string> otherRoutes)
    {
        Handlers = handlers;
        PageRoutes = pageRoutes;
        OtherRoutes = otherRoutes;
    }

    /// <summary>Every page handler as "VERB /Page[?handler=Name]" (a page without a handler method: "ANY /Page").</summary>
    public IReadOnlyList<string> Handlers { get; }

    /// <summary>Every page's route templates ("Accounts/Detail/{id:long}", "Login", "").</summary>
    public IReadOnlyList<string> PageRoutes { get; }

    /// <summary>Routes that are not pages (the asset endpoint).</summary>
    public IReadOnlyList<string> OtherRoutes { get; }

    public static string Key(string page, string verb, string? handler) =>
        $"{verb.ToUpperInvariant()} {page}" + (string.IsNullOrEmpty(handler) ? "" : "?handler=" + handler);

    public static async Task<RouteInventory> ReadAsync(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var loader = app.Services.GetRequiredService<PageLoader>();
        var handlers = new SortedSet<string>(StringComparer.Ordinal);
        var pageRoutes = new SortedSet<string>(StringComparer.Ordinal);
        var other = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>())
        {
            var page = endpoint.Metadata.GetMetadata<PageActionDescriptor>();
            if (page is null)
            {
                other.Add(endpoint.RoutePattern.RawText ?? endpoint.DisplayName ?? "?");
                continue;
            }

            pageRoutes.Add(endpoint.RoutePattern.RawText ?? "");
            var compiled = await loader.LoadAsync(page, endpoint.Metadata);
            if (compiled.HandlerMethods.Count == 0)
            {
                handlers.Add(Key(page.ViewEnginePath, "ANY", null));
            }

            foreach (var h in compiled.HandlerMethods)
            {
                handlers.Add(Key(page.ViewEnginePath, h.HttpMethod, h.Name));
            }
        }

        return new RouteInventory([.. handlers], [.. pageRoutes], [.. other]);
    }
}

/// <summary>
/// Records which page handlers a site actually ran, from MVC's diagnostic events on the site's own
/// <see cref="DiagnosticListener"/> (so another site in the same process never counts).
/// </summary>
public sealed class ReachRecorder : IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private const string BeforeHandler = "Microsoft.AspNetCore.Mvc.BeforeHandlerMethod";
    private const string BeforeAction = "Microsoft.AspNetCore.Mvc.BeforeAction";
    private readonly IDisposable subscription;

    public ReachRecorder(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        subscription = app.Services.GetRequiredService<DiagnosticListener>()
            .Subscribe(this, (name, _, _) => name is BeforeHandler or BeforeAction);
    }

    public ConcurrentDictionary<string, int> Reached { get; } = new(StringComparer.Ordinal);

    public void OnNext(KeyValuePair<string, object?> value)
    {
        switch (value.Value)
        {
            case BeforeHandlerMethodEventData h when h.ActionContext.ActionDescriptor is PageActionDescriptor p:
                Reached.AddOrUpdate(RouteInventory.Key(p.ViewEnginePath, h.HandlerMethodDescriptor.HttpMethod, h.HandlerMethodDescriptor.Name), 1, (_, n) => n + 1);
                break;
            case BeforeActionEventData a when a.ActionDescriptor is PageActionDescriptor p:
                Reached.AddOrUpdate(RouteInventory.Key(p.ViewEnginePath, "ANY", null), 1, (_, n) => n + 1);
                break;
        }
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public void Dispose() => subscription.Dispose();
}
