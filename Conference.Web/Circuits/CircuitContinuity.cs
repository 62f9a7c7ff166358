using System.Collections.Concurrent;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.JSInterop;
using StackExchange.Redis;

namespace Conference.Web.Circuits;

/// <summary>
/// Pages keep working across a restart of the web server (a deploy): before this process stops, every open page is
/// asked to pause its Blazor circuit (.NET 10: the circuit's state is persisted, protected by the shared key ring,
/// and the circuit closes), and the page resumes it on the server that starts next (scripts/circuit-continuity.js).
/// A call page resumed this way takes over the call its tab is still in (CallSession's resume). The persisted state is
/// kept by HybridCache, in Redis, so the next process finds it; evicted circuits (a tab in the background too long)
/// are persisted the same way by Blazor itself.
/// </summary>
public static class CircuitContinuity
{
    /// <summary>How long a stopping web waits for its pages to pause before it stops anyway.</summary>
    public static readonly TimeSpan PauseTimeout = TimeSpan.FromSeconds(10);

    public static void AddCircuitContinuity(this IHostApplicationBuilder builder, bool redis)
    {
        builder.Services.AddSingleton<OpenCircuits>();
        builder.Services.AddScoped<CircuitHandler, OpenCircuits.Tracker>();
        builder.Services.AddHostedService<PauseCircuitsOnStop>();
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
    /// SignalR's negotiation answers 503 and the page tries again, reaching the next process.
    /// </summary>
    public static IApplicationBuilder UseNoNewCircuitsWhileStopping(this IApplicationBuilder app)
    {
        var stopping = app.ApplicationServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        return app.Use((context, next) =>
        {
            if (stopping.IsCancellationRequested && context.Request.Path.StartsWithSegments("/_blazor/negotiate"))
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = "1";
                return Task.CompletedTask;
            }
            return next(context);
        });
    }
}

/// <summary>The circuits with a page connected to this process, by circuit id, with the way to call their page.</summary>
public sealed class OpenCircuits
{
    readonly ConcurrentDictionary<string, IJSRuntime> connected = new();

    public int Count => connected.Count;

    public IReadOnlyList<IJSRuntime> Pages => connected.Values.ToList();

    /// <summary>Notes each circuit's page as it connects and goes.</summary>
    internal sealed class Tracker(OpenCircuits open, IJSRuntime js) : CircuitHandler
    {
        public override Task OnConnectionUpAsync(Circuit circuit, CancellationToken cancellationToken)
        {
            open.connected[circuit.Id] = js;
            return Task.CompletedTask;
        }

        public override Task OnConnectionDownAsync(Circuit circuit, CancellationToken cancellationToken)
        {
            open.connected.TryRemove(circuit.Id, out _);
            return Task.CompletedTask;
        }

        public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
        {
            open.connected.TryRemove(circuit.Id, out _);
            return Task.CompletedTask;
        }
    }
}

/// <summary>
/// When the web stops (before the server stops taking requests: hosted services stop before the web server does),
/// asks every connected page to pause its circuit and waits until they have, at most <see cref="CircuitContinuity.PauseTimeout"/>.
/// </summary>
sealed class PauseCircuitsOnStop(OpenCircuits open, ILogger<PauseCircuitsOnStop> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var pages = open.Pages;
        if (pages.Count == 0)
        {
            return;
        }
        logger.LogInformation("Stopping: asking {Count} pages to pause their circuits, to resume them on the next start.", pages.Count);
        foreach (var page in pages)
        {
            try
            {
                // The page pauses on its own turn (scripts/circuit-continuity.js); a pause closes the connection this
                // call would answer on, so nothing is awaited beyond the sending.
                await page.InvokeVoidAsync("conferenceCircuit.pauseSoon", cancellationToken);
            }
            catch (Exception exception) when (exception is JSException or JSDisconnectedException or TaskCanceledException or InvalidOperationException)
            {
                // That page is gone already.
            }
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CircuitContinuity.PauseTimeout);
        try
        {
            while (open.Count > 0)
            {
                await Task.Delay(100, timeout.Token);
            }
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("Stopping with {Count} circuits not paused: those pages will reload.", open.Count);
        }
    }
}
