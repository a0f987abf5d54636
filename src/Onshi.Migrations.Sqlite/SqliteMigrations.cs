using Microsoft.EntityFrameworkCore;
using Onshi.Core.Data;

namespace Onshi.Migrations.Sqlite;

/// <summary>The SQLite migrations of <see cref="OnshiDbContext"/>; pass to <c>MigrationsAssembly</c>.</summary>
public static class SqliteMigrations
{
    /// <summary>The name of the assembly that holds the SQLite migrations.</summary>
    public const string AssemblyName = "Onshi.Migrations.Sqlite";

    /// <summary>Configures <paramref name="builder"/> for SQLite with this assembly's migrations.</summary>
    public static DbContextOptionsBuilder<OnshiDbContext> UseOnshiSqlite(
        this DbContextOptionsBuilder<OnshiDbContext> builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.UseSqlite(connectionString, o => o.MigrationsAssembly(AssemblyName));
    }
}
