using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Onshi.Core.Data;

namespace Onshi.Migrations.Sqlite;

/// <summary>
/// Lets <c>dotnet ef</c> build the model for SQLite without the app host. Only used at design time:
/// <c>scripts/add-migration.sh NAME</c>.
/// </summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<OnshiDbContext>
{
    /// <inheritdoc />
    public OnshiDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<OnshiDbContext>()
            .UseSqlite(
                "Data Source=design.db",
                o => o.MigrationsAssembly(typeof(DesignTimeDbContextFactory).Assembly.GetName().Name))
            .Options;
        return new OnshiDbContext(options);
    }
}
