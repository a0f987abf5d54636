using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Onshi.Core.Data;

namespace Onshi.Web.Operations;

/// <summary>
/// <c>/health/ready</c>: ready when every site of the process has started and is not draining, the database answers a
/// query within <see cref="OperationsOptions.CheckTimeout"/>, and the key ring protects and unprotects (a wrong master key
/// or an unreadable ring fails it). One answer is reused for <see cref="OperationsOptions.CheckCacheFor"/>; the phase is
/// read fresh each time, so a stop signal is seen at once.
/// </summary>
public sealed partial class ReadinessCheck(OnshiReadiness readiness, IOptions<OperationsOptions> options, TimeProvider time, ILogger<ReadinessCheck> logger)
    : IHealthCheck, IDisposable
{
    private string? lastAnswer;

    private readonly SemaphoreSlim gate = new(1, 1);
    private (DateTimeOffset At, string? Problem)? last;

    public void Dispose() => gate.Dispose();

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var phase = readiness.Phase;
        var data = new Dictionary<string, object>
        {
            ["phase"] = phase switch { ReadinessPhase.Started => "started", ReadinessPhase.Draining => "draining", _ => "starting" },
            ["sites"] = string.Join(',', readiness.Sites),
        };
        if (phase != ReadinessPhase.Started || readiness.Services is not { } services)
        {
            return Answer(HealthCheckResult.Unhealthy(phase == ReadinessPhase.Draining ? "stopping" : "starting", data: data));
        }

        var problem = await CheckDependenciesAsync(services, cancellationToken);
        data["database"] = problem == "database" ? "unavailable" : "ok";
        data["keyRing"] = problem == "key-ring" ? "unavailable" : problem == "database" ? "unchecked" : "ok";
        return Answer(problem is null ? HealthCheckResult.Healthy("ready", data) : HealthCheckResult.Unhealthy(problem, data: data));
    }

    /// <summary>Logs a change of the answer (ready, starting, stopping, database, key-ring) once, not every check.</summary>
    private HealthCheckResult Answer(HealthCheckResult result)
    {
        var answer = result.Description ?? "";
        if (Interlocked.Exchange(ref lastAnswer, answer) != answer)
        {
            if (result.Status == HealthStatus.Healthy)
            {
                LogReady(logger);
            }
            else if (answer is not ("starting" or "stopping"))
            {
                LogNotReady(logger, answer);
            }
        }

        return result;
    }

    [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "Ready")]
    private static partial void LogReady(ILogger logger);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Warning, Message = "Not ready: {Problem} does not answer")]
    private static partial void LogNotReady(ILogger logger, string problem);

    private async Task<string?> CheckDependenciesAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (last is { } cached && now - cached.At < options.Value.CheckCacheFor)
        {
            return cached.Problem;
        }

        await gate.WaitAsync(cancellationToken);
        try
        {
            if (last is { } again && time.GetUtcNow() - again.At < options.Value.CheckCacheFor)
            {
                return again.Problem;
            }

            var problem = await ProbeAsync(services, cancellationToken);
            last = (time.GetUtcNow(), problem);
            return problem;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<string?> ProbeAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.CheckTimeout);
        try
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<OnshiDbContext>();
            await db.Database.ExecuteSqlRawAsync("SELECT 1", timeout.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException && !cancellationToken.IsCancellationRequested)
        {
            return "database";
        }

        try
        {
            var protector = services.GetRequiredService<IDataProtectionProvider>().CreateProtector("Onshi.Health.KeyRing");
            _ = protector.Unprotect(protector.Protect([1]));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return "key-ring";
        }

        return null;
    }
}
