using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Sends the last telemetry once the host has stopped, within <see cref="Budget"/>, all three signals at once.
/// Without it the providers flush when the host disposes them, one after another, each waiting up to 5 s for its
/// exporter (OpenTelemetry's dispose timeout; the OTLP call itself gives up only after 10 s): with a collector that
/// answers slowly or not at all (the dashboard of a busy AppHost, or one that is itself stopping) a process took 10 s
/// after SIGTERM to exit. Whoever stops a process gives it less than that — Aspire's orchestrator (DCP) kills it 6 s
/// after SIGTERM and then fails the stop, Docker 10 s — so a restart failed and the service stayed down.
/// Once shut down here, the providers' own dispose has nothing left to wait for.
/// </summary>
sealed class TelemetryShutdown(IServiceProvider services, ILogger<TelemetryShutdown> logger) : IHostedLifecycleService
{
    /// <summary>How long a stopped host waits for its last telemetry to be exported.</summary>
    /// <remarks>Half a second: a collector that takes longer is busy (the dashboard of a loaded AppHost did not take a web's last metrics within 1 s), and the web's whole stop must fit in DCP's 6 s (CircuitContinuity.PauseTimeout).</remarks>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(0.5);

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        var budget = (int)Budget.TotalMilliseconds;
        var shutdowns = new List<(string Signal, Func<bool> Shutdown)>();
        if (services.GetService<TracerProvider>() is { } traces)
        {
            shutdowns.Add(("traces", () => traces.Shutdown(budget)));
        }
        if (services.GetService<MeterProvider>() is { } metrics)
        {
            shutdowns.Add(("metrics", () => metrics.Shutdown(budget)));
        }
        if (services.GetService<LoggerProvider>() is { } logs)
        {
            shutdowns.Add(("logs", () => logs.Shutdown(budget)));
        }
        // Each Shutdown blocks its thread until its exporter is done or the budget is spent.
        return Task.WhenAll(shutdowns.Select(signal => Task.Run(() =>
        {
            if (!signal.Shutdown())
            {
                logger.LogWarning("Stopped without exporting the last {Signal}: the collector did not take them within {Budget}.", signal.Signal, Budget);
            }
        }, CancellationToken.None)));
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
