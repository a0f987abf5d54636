using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Onshi.Core.Data;

namespace Onshi.Web.Hosting;

/// <summary>Chooses the database provider and its migrations assembly.</summary>
public static class OnshiDatabase
{
    public static void Configure(DbContextOptionsBuilder options, OnshiSettings settings)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(settings);
        var cs = settings.ResolveConnectionString();
        switch (settings.DatabaseProvider.ToUpperInvariant())
        {
            case "SQLITE":
                options.UseSqlite(cs, o => o.MigrationsAssembly("Onshi.Migrations.Sqlite"))
                    .AddInterceptors(new SqliteBusyTimeout());
                break;
            case "POSTGRES":
            case "POSTGRESQL":
                options.UseNpgsql(cs, o => o.MigrationsAssembly("Onshi.Migrations.Postgres"));
                break;
            default:
                throw new InvalidOperationException($"Unknown database provider '{settings.DatabaseProvider}' (use sqlite or postgres).");
        }
    }

    /// <summary>Creates the data directory and brings the schema up to date.</summary>
    public static async Task MigrateAsync(IServiceProvider services, OnshiSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Directory.CreateDirectory(settings.DataDirectory);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OnshiDbContext>();
        await db.Database.MigrateAsync(cancellationToken);
        if (db.Database.IsSqlite())
        {
            // WAL lets readers proceed while one writer commits.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }
}
