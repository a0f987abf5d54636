using Onshi.IntegrationTests.Infrastructure;
using Onshi.Web.Hosting;

namespace Onshi.IntegrationTests.Seeding;

/// <summary>
/// The throwaway targets of the seeding commands' tests (seed-scale, seed-insured): a fresh database of the provider and a
/// data directory each, deleted with the test class.
/// </summary>
public abstract class SeedTargets(string provider) : IAsyncLifetime
{
    private readonly List<string> directories = [];
    private readonly List<TestDatabase> databases = [];

    protected string Provider => provider;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var d in databases)
        {
            await d.DisposeAsync();
        }

        foreach (var d in directories)
        {
            try
            {
                Directory.Delete(d, recursive: true);
            }
            catch (IOException)
            {
            }

            File.Delete(Onshi.Core.Features.Secrets.MasterKey.DefaultKeyFilePath(d));
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>A fresh database and data directory, and the settings that point at them.</summary>
    protected async Task<(OnshiSettings Settings, TestDatabase Database)> TargetAsync()
    {
        var database = await TestDatabase.CreateAsync(provider, TestContext.Current.CancellationToken);
        databases.Add(database);
        var directory = Directory.CreateTempSubdirectory("onshi-seed-test-").FullName;
        directories.Add(directory);
        var settings = new OnshiSettings
        {
            DataDirectory = directory,
            DatabaseProvider = provider,
            ConnectionString = database.ConnectionString,
            OqsPort = 0,
        };
        return (settings, database);
    }
}
