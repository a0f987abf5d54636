using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Onshi.Core.Data;
using Onshi.Migrations.Postgres;
using Onshi.Migrations.Sqlite;

namespace Onshi.IntegrationTests.Infrastructure;

/// <summary>
/// A fresh database of its own for one test, on SQLite (a file in a temp directory) or PostgreSQL (a uniquely
/// named database on the server of <c>ONSHI_TEST_POSTGRES</c>, which <c>scripts/test.sh</c> starts), migrated
/// with the provider's migrations assembly. Dropped or deleted on dispose.
/// <code>
/// [Theory, MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
/// public async Task Something(string provider)
/// {
///     await using var db = await TestDatabase.CreateAsync(provider, TestContext.Current.CancellationToken);
///     await using var context = db.CreateDbContext();
/// }
/// </code>
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string Sqlite = "sqlite";

    public const string Postgres = "postgres";

    /// <summary>The environment variable with the PostgreSQL server's connection string (its <c>postgres</c> database).</summary>
    public const string PostgresVariable = "ONSHI_TEST_POSTGRES";

    private readonly string? _directory;
    private readonly string? _serverConnectionString;
    private readonly string? _databaseName;

    private TestDatabase(string provider, string connectionString, string? directory, string? serverConnectionString, string? databaseName)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _directory = directory;
        _serverConnectionString = serverConnectionString;
        _databaseName = databaseName;
        var builder = new DbContextOptionsBuilder<OnshiDbContext>();
        Configure(builder, provider, connectionString);
        Options = builder.Options;
    }

    /// <summary>Every provider a data test should run on; use with <c>MemberData</c>.</summary>
    public static TheoryData<string> Providers => new(Sqlite, Postgres);

    /// <summary><see cref="Sqlite"/> or <see cref="Postgres"/>.</summary>
    public string Provider { get; }

    /// <summary>The connection string of this test's database.</summary>
    public string ConnectionString { get; }

    /// <summary>Options for <see cref="OnshiDbContext"/> on this database, with the provider's migrations assembly.</summary>
    public DbContextOptions<OnshiDbContext> Options { get; }

    /// <summary>A new context on this database; the caller disposes it.</summary>
    public OnshiDbContext CreateDbContext() => new(Options);

    /// <summary>
    /// Configures <paramref name="builder"/> for <paramref name="provider"/> the way the app host must: the provider
    /// and its migrations assembly. Use it to point a <c>WebApplicationFactory</c> at a test database.
    /// </summary>
    public static void Configure(DbContextOptionsBuilder<OnshiDbContext> builder, string provider, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        _ = provider switch
        {
            Sqlite => builder.UseOnshiSqlite(connectionString),
            Postgres => builder.UseOnshiPostgres(connectionString),
            _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Expected \"sqlite\" or \"postgres\"."),
        };
    }

    /// <summary>Creates a fresh database for <paramref name="provider"/> and applies every migration.</summary>
    public static async Task<TestDatabase> CreateAsync(string provider, CancellationToken cancellationToken = default)
    {
        var database = await CreateEmptyAsync(provider, cancellationToken);
        try
        {
            await using var context = database.CreateDbContext();
            await context.Database.MigrateAsync(cancellationToken);
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }

        return database;
    }

    /// <summary>Creates a fresh, empty database for <paramref name="provider"/>, without migrating it.</summary>
    public static async Task<TestDatabase> CreateEmptyAsync(string provider, CancellationToken cancellationToken = default) => provider switch
    {
        Sqlite => CreateSqlite(),
        Postgres => await CreatePostgresAsync(cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Expected \"sqlite\" or \"postgres\"."),
    };

    private static TestDatabase CreateSqlite()
    {
        var directory = Path.Combine(Path.GetTempPath(), "onshi-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(directory, "onshi.db") }.ToString();
        return new TestDatabase(Sqlite, connectionString, directory, null, null);
    }

    private static async Task<TestDatabase> CreatePostgresAsync(CancellationToken cancellationToken)
    {
        var server = Environment.GetEnvironmentVariable(PostgresVariable);
        if (string.IsNullOrWhiteSpace(server))
        {
            throw new InvalidOperationException($"PostgreSQL tests need {PostgresVariable}; run scripts/test.sh");
        }

        // Lower case and at most 63 bytes: PostgreSQL's identifier rules without quoting surprises.
        var name = "onshi_test_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name, IncludeErrorDetail = true }.ToString();
        return new TestDatabase(Postgres, connectionString, null, server, name);
    }

    /// <summary>Drops the PostgreSQL database or deletes the SQLite file; never throws for a cleanup failure.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Provider == Sqlite)
        {
            using (var connection = new SqliteConnection(ConnectionString))
            {
                SqliteConnection.ClearPool(connection);
            }

            try
            {
                Directory.Delete(_directory!, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp file is harmless.
            }
        }
        else
        {
            await using (var connection = new NpgsqlConnection(ConnectionString))
            {
                NpgsqlConnection.ClearPool(connection);
            }

            await using var server = new NpgsqlConnection(_serverConnectionString);
            await server.OpenAsync();
            // FORCE ends connections a test left open (PostgreSQL 13+).
            await using var command = new NpgsqlCommand(
                string.Create(CultureInfo.InvariantCulture, $"DROP DATABASE IF EXISTS \"{_databaseName}\" WITH (FORCE)"),
                server);
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <inheritdoc />
    public override string ToString() => Provider;
}
