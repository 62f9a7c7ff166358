using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.JSInterop;
using StackExchange.Redis;

namespace Conference.Web.Circuits;

/// <summary>
/// Pages keep working across a restart of the web server (a deploy): when this process is told to stop (SIGTERM,
/// Ctrl+C), before it stops, every open page is asked to pause its Blazor circuit (.NET 10: the circuit's state is persisted, protected by the shared key ring,
/// and the circuit closes), and the page resumes it on the server that starts next (scripts/circuit-continuity.js).
/// A call page resumed this way takes over the call its tab is still in (CallSession's resume). The persisted state is
/// kept by HybridCache, in Redis, so the next process finds it; evicted circuits (a tab in the background too long)
/// are persisted the same way by Blazor itself.
/// </summary>
public static class CircuitContinuity
{
    /// <summary>
    /// How long a stopping web waits for its pages to pause before it stops anyway (a page pauses in well under a
    /// second, ~0.6 s on a loaded machine, 2.3 s seen once). Part of the stop's budget: whoever stops the web kills it
    /// soon after SIGTERM — Aspire's orchestrator (DCP) 6 s later (and reports "web exited with code -1"), Docker 10 s
    /// later — so the pause, the host's stop (<see cref="HostStopTimeout"/>) and the last telemetry (ServiceDefaults'
    /// TelemetryShutdown, 0.5 s), 4 s at most, leave 2 s for the process to dispose and exit. With 1.5 s and 1 s for
    /// the last two, a restart in the journeys was "Stopped 4922 ms after SIGTERM" and still killed before it exited.
    /// </summary>
    public static readonly TimeSpan PauseTimeout = TimeSpan.FromSeconds(2.5);

    /// <summary>
    /// How long the host's stop waits for requests still in flight after the pause (HostOptions.ShutdownTimeout,
    /// 30 s by default, far beyond what anyone stopping the web waits). The circuits' connections are closed by then.
    /// </summary>
    public static readonly TimeSpan HostStopTimeout = TimeSpan.FromSeconds(1);

    public static void AddCircuitContinuity(this IHostApplicationBuilder builder, bool redis)
    {
        builder.Services.AddSingleton<OpenCircuits>();
        builder.Services.AddScoped<CircuitHandler, OpenCircuits.Tracker>();
        if (!OperatingSystem.IsWindows())
        {
            builder.Services.AddSingleton<IHostLifetime, PauseCircuitsThenStop>();
        }
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = HostStopTimeout);
        if (redis)
        {
            // HybridCache is where Blazor keeps persisted circuits when it is registered; Redis is its second level.
            builder.Services.AddStackExchangeRedisCache(_ => { });
            builder.Services.AddOptions<RedisCacheOptions>().Configure<IConnectionMultiplexer>((cache, connection) =>
                cache.ConnectionMultiplexerFactory = () => Task.FromResult(connection));
            builder.Services.AddHybridCache();
        }
    }

    /// <summary>
    /// While this process stops, no page may start or resume a circuit on it (it would be lost a moment later):
    /// SignalR's negotiation answers 503 and the page tries again, reaching the next process. <c>/alive</c> answers 503
    /// too: a page whose pause failed waits for it before it reloads (scripts/circuit-continuity.js).
    /// </summary>
    public static IApplicationBuilder UseNoNewCircuitsWhileStopping(this IApplicationBuilder app)
    {
        var stopping = app.ApplicationServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        var circuits = app.ApplicationServices.GetRequiredService<OpenCircuits>();
        return app.Use((context, next) =>
        {
            if ((circuits.RefuseNewCircuits || stopping.IsCancellationRequested) &&
                (context.Request.Path.StartsWithSegments("/_blazor/negotiate") || context.Request.Path.StartsWithSegments(Microsoft.Extensions.Hosting.Extensions.AlivenessEndpointPath)))
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = "1";
                return Task.CompletedTask;
            }
            return next(context);
        });
    }
}

/// <summary>The circuits of this process, by circuit id: those with a page connected, with the way to call their page.</summary>
public sealed class OpenCircuits
{
    readonly ConcurrentDictionary<string, IJSRuntime> connected = new();
    readonly ConcurrentDictionary<string, bool> open = new();

    /// <summary>The circuits with a page connected now, and the way to call each page.</summary>
    public IReadOnlyList<KeyValuePair<string, IJSRuntime>> Connected => connected.ToList();

    /// <summary>Whether the circuit is still open (not yet closed: paused, evicted or ended).</summary>
    public bool IsOpen(string circuitId) => open.ContainsKey(circuitId);

    /// <summary>Set once the web has asked its pages to pause: a page must not start or resume a circuit here now.</summary>
    public bool RefuseNewCircuits { get; set; }

    /// <summary>Time since this process was told to stop (SIGTERM, Ctrl+C); not running before.</summary>
    public System.Diagnostics.Stopwatch SinceStopSignal { get; } = new();

    /// <summary>Notes each circuit's page as it connects and goes; while stopping, logs when each went (a stop's timeline).</summary>
    internal sealed class Tracker(OpenCircuits open, IJSRuntime js, ILogger<Tracker> logger) : CircuitHandler
    {
        public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
        {
            open.open[circuit.Id] = true;
            return Task.CompletedTask;
        }

        public override Task OnConnectionUpAsync(Circuit circuit, CancellationToken cancellationToken)
        {
            open.connected[circuit.Id] = js;
            return Task.CompletedTask;
        }

        public override Task OnConnectionDownAsync(Circuit circuit, CancellationToken cancellationToken)
        {
            open.connected.TryRemove(circuit.Id, out _);
            LogWhileStopping("disconnected", circuit);
            return Task.CompletedTask;
        }

        public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
        {
            open.connected.TryRemove(circuit.Id, out _);
            open.open.TryRemove(circuit.Id, out _);
            LogWhileStopping("closed", circuit);
            return Task.CompletedTask;
        }

        void LogWhileStopping(string what, Circuit circuit)
        {
            if (open.SinceStopSignal.IsRunning)
            {
                logger.LogInformation("Stopping: circuit {Circuit} {What} {Elapsed} ms after the signal.", circuit.Id[..8], what, open.SinceStopSignal.ElapsedMilliseconds);
            }
        }
    }
}

/// <summary>
/// The web's lifetime: like the console's (SIGTERM or Ctrl+C stops the host), except that the pages' circuits are
/// paused first. It must come before the host's stopping: when the application starts stopping, SignalR closes every
/// connection at once (HttpConnectionManager), and a page whose connection is gone can no longer be asked to pause.
/// Waits for the asked circuits to close (their state persisted) at most <see cref="CircuitContinuity.PauseTimeout"/>.
/// </summary>
sealed class PauseCircuitsThenStop(IHostApplicationLifetime lifetime, OpenCircuits open, ILogger<PauseCircuitsThenStop> logger)
    : IHostLifetime, IDisposable
{
    readonly List<PosixSignalRegistration> signals = [];
    int stopping;

    public Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnStopSignal));
        signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, OnStopSignal));
        signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnStopSignal));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    void OnStopSignal(PosixSignalContext context)
    {
        context.Cancel = true; // the host stops itself, once the pages have paused
        if (Interlocked.Exchange(ref stopping, 1) == 0)
        {
            open.SinceStopSignal.Start();
            var signal = context.Signal;
            // How long the stop took, for whoever wonders why a restart failed (see PauseTimeout).
            lifetime.ApplicationStopped.Register(() =>
                logger.LogInformation("Stopped {Elapsed} ms after {Signal}.", open.SinceStopSignal.ElapsedMilliseconds, signal));
            _ = Task.Run(async () =>
            {
                try
                {
                    await PausePagesAsync();
                }
                finally
                {
                    lifetime.StopApplication();
                }
            });
        }
    }

    async Task PausePagesAsync()
    {
        var pages = open.Connected;
        if (pages.Count == 0)
        {
            return;
        }
        logger.LogInformation("Stopping: asking {Count} pages to pause their circuits, to resume them on the next start ({Elapsed} ms after the signal).",
            pages.Count, open.SinceStopSignal.ElapsedMilliseconds);
        open.RefuseNewCircuits = true;
        // All at once, and all within the timeout: one page that does not answer (closed while its connection still
        // looks up, or frozen in the background) would otherwise hold the stop for the interop call's own timeout,
        // a minute, for each such page — a dashboard restart in the journeys found the web still stopping minutes on.
        using var timeout = new CancellationTokenSource(CircuitContinuity.PauseTimeout);
        await Task.WhenAll(pages.Select(async page =>
        {
            try
            {
                // The page pauses on its own turn (scripts/circuit-continuity.js), so the call is answered at once.
                await page.Value.InvokeVoidAsync("conferenceCircuit.pauseSoon", timeout.Token);
                logger.LogInformation("Stopping: circuit {Circuit}'s page was asked to pause {Elapsed} ms after the signal.", page.Key[..8], open.SinceStopSignal.ElapsedMilliseconds);
            }
            catch (Exception exception) when (exception is JSException or JSDisconnectedException or OperationCanceledException or InvalidOperationException)
            {
                // That page is gone already, or did not answer in time: it reloads when it reconnects.
            }
        }));
        try
        {
            while (pages.Any(page => open.IsOpen(page.Key)))
            {
                await Task.Delay(100, timeout.Token);
            }
            logger.LogInformation("Stopping: {Count} pages paused their circuits within {Elapsed} ms.", pages.Count, open.SinceStopSignal.ElapsedMilliseconds);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("Stopping with {Count} of {Total} circuits not paused after {Elapsed} ms: those pages will reload.",
                pages.Count(page => open.IsOpen(page.Key)), pages.Count, open.SinceStopSignal.ElapsedMilliseconds);
        }
    }

    public void Dispose() => signals.ForEach(signal => signal.Dispose());
}
