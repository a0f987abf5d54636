using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Onshi.Core.Data;

namespace Onshi.Migrations.Postgres;

/// <summary>
/// Lets <c>dotnet ef</c> build the model for PostgreSQL without the app host or a server (adding a migration
/// never connects). Only used at design time: <c>scripts/add-migration.sh NAME</c>.
/// </summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<OnshiDbContext>
{
    /// <inheritdoc />
    public OnshiDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<OnshiDbContext>()
            .UseNpgsql(
                "Host=localhost;Database=design",
                o => o.MigrationsAssembly(typeof(DesignTimeDbContextFactory).Assembly.GetName().Name))
            .Options;
        return new OnshiDbContext(options);
    }
}
