using Microsoft.EntityFrameworkCore;
using Onshi.Core.Data;

namespace Onshi.Migrations.Postgres;

/// <summary>The PostgreSQL migrations of <see cref="OnshiDbContext"/>; pass to <c>MigrationsAssembly</c>.</summary>
public static class PostgresMigrations
{
    /// <summary>The name of the assembly that holds the PostgreSQL migrations.</summary>
    public const string AssemblyName = "Onshi.Migrations.Postgres";

    /// <summary>Configures <paramref name="builder"/> for PostgreSQL with this assembly's migrations.</summary>
    public static DbContextOptionsBuilder<OnshiDbContext> UseOnshiPostgres(
        this DbContextOptionsBuilder<OnshiDbContext> builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.UseNpgsql(connectionString, o => o.MigrationsAssembly(AssemblyName));
    }
}
