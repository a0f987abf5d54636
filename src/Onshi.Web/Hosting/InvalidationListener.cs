using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Onshi.Core.Data;
using Onshi.Core.Features.Caching;

namespace Onshi.Web.Hosting;

/// <summary>
/// A site's invalidation channel: it receives the invalidations other processes commit and decides whether the site's
/// <see cref="AuthenticationCache"/> may serve. On PostgreSQL one connection of its own holds <c>LISTEN</c> on
/// <see cref="CacheInvalidationInterceptor.PostgresChannel"/>, with a round trip whenever it has been idle for
/// <see cref="AuthenticationCacheOptions.HeartbeatInterval"/>; on SQLite it polls the signal table that often. The cache
/// serves only from the moment the channel is up (cleared then) and while it is proved alive; a lost channel clears it and
/// every read goes to the database until it is back (reconnecting after 0.2 s, doubling up to 5 s). This process's own
/// commits reach the cache at once through <see cref="InvalidationBus"/>, which it subscribes to here.
/// </summary>
public sealed partial class InvalidationListener(IServiceScopeFactory scopes, AuthenticationCache cache, IOptions<AuthenticationCacheOptions> options,
    ILogger<InvalidationListener> logger) : BackgroundService
{
    /// <summary>The PostgreSQL <c>application_name</c> of the listening connection (to find it in <c>pg_stat_activity</c>).</summary>
    public const string ApplicationName = "onshi-cache-listener";

    private readonly AuthenticationCacheOptions opts = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!opts.Enabled)
        {
            return;
        }

        string connectionString;
        bool postgres;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OnshiDbContext>();
            connectionString = db.Database.GetConnectionString() ?? "";
            postgres = db.Database.IsPostgres();
        }

        using var subscription = opts.InProcessInvalidation ? InvalidationBus.Subscribe(InvalidationBus.DatabaseIdentity(connectionString, postgres), cache) : null;
        var delay = opts.MinReconnectDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (postgres)
                {
                    await ListenAsync(connectionString, () => delay = opts.MinReconnectDelay, stoppingToken);
                }
                else
                {
                    await PollAsync(connectionString, () => delay = opts.MinReconnectDelay, stoppingToken);
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                cache.ChannelDown();
                // The type only: a database message could quote values.
                ChannelDown(logger, ex.GetType().Name, (int)delay.TotalMilliseconds);
                try
                {
                    await Task.Delay(delay, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, opts.MaxReconnectDelay.Ticks));
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        cache.ChannelDown();
    }

    /// <summary>PostgreSQL: <c>LISTEN</c> on a connection of its own (not pooled), each notification's keys applied as it arrives.</summary>
    private async Task ListenAsync(string connectionString, Action connected, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            ApplicationName = ApplicationName,
            Pooling = false,
            Multiplexing = false,
            CommandTimeout = Math.Max(1, (int)Math.Ceiling(opts.LivenessTimeout.TotalSeconds)),
        };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        connection.Notification += (_, e) =>
        {
            cache.Invalidate(Keys(e.Payload));
            cache.Alive();
        };
        await using (var listen = new NpgsqlCommand($"LISTEN {CacheInvalidationInterceptor.PostgresChannel}", connection))
        {
            await listen.ExecuteNonQueryAsync(cancellationToken);
        }

        // Listening: whatever was committed before is in the database; the entries read before are dropped.
        cache.ChannelUp();
        connected();
        ChannelUp(logger, "postgres");
        await using var ping = new NpgsqlCommand("SELECT 1", connection);
        while (true)
        {
            if (!await connection.WaitAsync(opts.HeartbeatInterval, cancellationToken))
            {
                await ping.ExecuteScalarAsync(cancellationToken);
            }

            cache.Alive();
        }
    }

    /// <summary>SQLite: the signal rows other processes commit (this process's own reach the cache at once through the bus as well).</summary>
    private async Task PollAsync(string connectionString, Action connected, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        long last;
        await using (var max = connection.CreateCommand())
        {
            max.CommandText = $"SELECT COALESCE(MAX(\"Id\"), 0) FROM \"{CacheInvalidationInterceptor.SqliteSignalTable}\"";
            last = Convert.ToInt64(await max.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }

        cache.ChannelUp();
        connected();
        ChannelUp(logger, "sqlite");
        await using var poll = connection.CreateCommand();
        poll.CommandText = $"SELECT \"Id\", \"Keys\" FROM \"{CacheInvalidationInterceptor.SqliteSignalTable}\" WHERE \"Id\" > $last ORDER BY \"Id\"";
        var after = poll.Parameters.Add("$last", SqliteType.Integer);
        using var timer = new PeriodicTimer(opts.HeartbeatInterval);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            after.Value = last;
            await using (var reader = await poll.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    last = reader.GetInt64(0);
                    cache.Invalidate(Keys(reader.GetString(1)));
                }
            }

            cache.Alive();
        }
    }

    private static string[] Keys(string payload)
    {
        var keys = payload.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return keys.Length == 0 ? [CacheKeys.All] : keys;
    }

    [LoggerMessage(EventId = 7303, Level = LogLevel.Information, Message = "Cache invalidation channel up ({Provider}): the authentication cache serves")]
    private static partial void ChannelUp(ILogger logger, string provider);

    [LoggerMessage(EventId = 7304, Level = LogLevel.Warning,
        Message = "Cache invalidation channel down ({ExceptionType}): the authentication cache is cleared and bypassed; reconnecting in {DelayMs} ms")]
    private static partial void ChannelDown(ILogger logger, string exceptionType, int delayMs);
}
