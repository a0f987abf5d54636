using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Data;
using Onshi.Core.Features.Operators;
using Onshi.IntegrationTests.Portal;
using Onshi.Operator.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.BrowserTests.Lifecycle;

/// <summary>
/// The real operator console started beside a <see cref="PortalServer"/>: the same database (already migrated by the
/// portal), the same data directory (keys, CA, stored documents) and the same clock, on a free loopback port.
/// </summary>
public sealed class ConsoleOnPortalDatabase : IAsyncDisposable
{
    private ConsoleOnPortalDatabase(WebApplication app)
    {
        App = app;
        BaseAddress = new Uri(app.Urls.First());
    }

    public WebApplication App { get; }

    public Uri BaseAddress { get; }

    public static async Task<ConsoleOnPortalDatabase> StartAsync(PortalServer portal, string provider)
    {
        ArgumentNullException.ThrowIfNull(portal);
        var connectionString = await portal.WithDbAsync(db => Task.FromResult(db.Database.GetConnectionString()
            ?? throw new InvalidOperationException("The portal's context has no connection string")));
        var settings = new OnshiSettings
        {
            DataDirectory = portal.DataDirectory,
            DatabaseProvider = provider,
            ConnectionString = connectionString,
        };
        var app = OperatorApp.Create(settings, 0, services => services.AddSingleton<TimeProvider>(portal.Time));
        await app.StartAsync();
        return new ConsoleOnPortalDatabase(app);
    }

    /// <summary>Creates an operator through <see cref="OperatorCreationService.CreateAsync"/>; returns its temporary password.</summary>
    public async Task<string> CreateOperatorAsync(string userId, OperatorRole role)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<OperatorCreationService>().CreateAsync(userId, "運用 " + userId, role, "test");
        return result.Value ?? throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Message)));
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
