using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Onshi.Web.Operations;

/// <summary>
/// A site's host lifetime (in place of the console lifetime): a stop signal (SIGTERM, SIGINT/Ctrl+C, SIGQUIT) marks the
/// process draining at once (<c>/health/ready</c> and new requests answer 503), then stops the site after
/// <see cref="OperationsOptions.DrainDelay"/>; the host then stops accepting connections and finishes the requests in
/// flight. A second signal stops at once.
/// </summary>
public sealed class DrainingLifetime(IHostApplicationLifetime lifetime, OnshiReadiness readiness, IOptions<OperationsOptions> options) : IHostLifetime, IDisposable
{
    private readonly List<PosixSignalRegistration> registrations = [];
    private int signals;

    public Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT })
        {
            registrations.Add(PosixSignalRegistration.Create(signal, OnSignal));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        foreach (var registration in registrations)
        {
            registration.Dispose();
        }

        registrations.Clear();
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        readiness.BeginDrain();
        var delay = options.Value.DrainDelay;
        if (Interlocked.Increment(ref signals) > 1 || delay <= TimeSpan.Zero)
        {
            lifetime.StopApplication();
            return;
        }

        _ = Task.Delay(delay).ContinueWith(_ => lifetime.StopApplication(), TaskScheduler.Default);
    }
}
