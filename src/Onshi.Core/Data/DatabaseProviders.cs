using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Onshi.Core.Data;

/// <summary>Which provider a context runs on, for the few statements that differ (locks, upserts).</summary>
public static class DatabaseProviders
{
    /// <summary>True on PostgreSQL (Npgsql); false on SQLite.</summary>
    public static bool IsPostgres(this DatabaseFacade database)
    {
        ArgumentNullException.ThrowIfNull(database);
        return database.ProviderName?.Contains("Npgsql", StringComparison.Ordinal) == true;
    }
}
