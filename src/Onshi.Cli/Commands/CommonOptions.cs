using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Onshi.Core.Data;
using Onshi.Core.Features.Secrets;
using Onshi.Core.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Cli.Commands;

/// <summary>Options every command shares: where the data is and which database holds it.</summary>
internal sealed class CommonOptions
{
    public Option<string> Data { get; } = new("--data") { Description = "データディレクトリ (data directory)", DefaultValueFactory = _ => "data" };

    public Option<string> Db { get; } = new("--db") { Description = "sqlite (default) or postgres", DefaultValueFactory = _ => "sqlite" };

    public Option<string?> Connection { get; } = new("--connection") { Description = "database connection string (default: DATA/onshi.db for SQLite)" };

    public Option<string> Environment { get; } = new("--environment") { Description = "production (本番環境) or verification (接続確認環境)", DefaultValueFactory = _ => "production" };

    public Option<string?> MasterKeyFile { get; } = new("--master-key-file") { Description = "マスター鍵のファイル (default: ONSHI_MASTER_KEY, ONSHI_MASTER_KEY_FILE, or DATA.master-key for a demo)" };

    public void AddTo(Command command)
    {
        command.Options.Add(MasterKeyFile);
        command.Options.Add(Data);
        command.Options.Add(Db);
        command.Options.Add(Connection);
        command.Options.Add(Environment);
    }

    public OnshiSettings Settings(ParseResult r, string? dataOverride = null)
    {
        var env = r.GetValue(Environment)?.ToUpperInvariant() switch
        {
            "VERIFICATION" or "接続確認環境" => OqsEnvironment.Verification,
            _ => OqsEnvironment.Production,
        };
        return new OnshiSettings
        {
            DataDirectory = Path.GetFullPath(dataOverride ?? r.GetValue(Data) ?? "data"),
            DatabaseProvider = r.GetValue(Db) ?? "sqlite",
            ConnectionString = r.GetValue(Connection),
            Environment = env,
            MasterKeyFile = r.GetValue(MasterKeyFile),
        };
    }

    /// <summary>A service provider with the core (no web host), the schema migrated; <paramref name="configure"/> adds more.</summary>
    public static async Task<ServiceProvider> BuildServicesAsync(OnshiSettings settings, CancellationToken cancellationToken,
        Action<IServiceCollection, MasterKey>? configure = null)
    {
        Directory.CreateDirectory(settings.DataDirectory);
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        var masterKey = MasterKey.Resolve(settings.DataDirectory, settings.MasterKeyFile);
        services.AddSingleton(masterKey);
        services.AddOnshiCore(settings.DataDirectory, o => OnshiDatabase.Configure(o, settings));
        configure?.Invoke(services, masterKey);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = false });
        await OnshiDatabase.MigrateAsync(provider, settings, cancellationToken);
        return provider;
    }
}
