using Conference.Api.Meetings;
using Conference.Api.Participants;
using Conference.Contracts;
using Conference.LiveKit;
using Microsoft.Extensions.Options;

namespace Conference.Api.Webhooks;

/// <summary>How long webhook events are kept, how often unapplied ones are tried again, and how often calls are checked against LiveKit's rooms (section <c>Webhooks</c>).</summary>
public sealed class WebhookOptions
{
    /// <summary>Stored events older than this are deleted; 30 days by default.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often events whose effect failed are applied again.</summary>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often open calls are checked against LiveKit's rooms (<see cref="CallReconciler"/>).</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>What the api does after an event is applied: tell open pages, and remove a connection made with a dead call's token.</summary>
public sealed class WebhookEffects(MeetingChanges changes, MediaServer media, ILogger<WebhookEffects> logger)
{
    public async Task RunAsync(WebhookEffect effect, CancellationToken cancellationToken)
    {
        if (effect.Change is not { } change)
        {
            return;
        }
        await changes.PublishAsync(change);
        if (effect.Remove is { } stale && media.IsConfigured)
        {
            try
            {
                await media.Rooms.RemoveParticipantAsync(new RoomParticipantIdentity { Room = stale.Room, Identity = stale.Identity }, cancellationToken);
            }
            catch (Exception exception) when (exception is LiveKitException or HttpRequestException)
            {
                // Already gone, or LiveKit away: the token it joined with is short-lived either way.
                logger.LogWarning(exception, "Could not remove {Identity}, who joined {Room} with a token of an ended call", stale.Identity, stale.Room);
            }
        }
    }
}

/// <summary>
/// Applies stored events whose effect failed until they apply (each attempt on its own, oldest first), and deletes
/// events older than <see cref="WebhookOptions.Retention"/>. Every api instance runs it; row locks keep one event
/// to one instance.
/// </summary>
public sealed class WebhookMaintenance(IServiceScopeFactory scopes, IOptions<WebhookOptions> options, TimeProvider clock,
    ILogger<WebhookMaintenance> logger) : BackgroundService
{
    static readonly TimeSpan PruneEvery = TimeSpan.FromHours(1);

    /// <summary>One pass: retry the unapplied, prune the old. Public so tests run a pass without waiting.</summary>
    public async Task RunOnceAsync(bool prune, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<WebhookEventStore>();
        var effects = scope.ServiceProvider.GetRequiredService<WebhookEffects>();
        foreach (var effect in await store.ApplyStoredAsync(limit: 100, cancellationToken))
        {
            await effects.RunAsync(effect, cancellationToken);
        }
        if (prune)
        {
            var deleted = await store.PruneAsync(clock.GetUtcNow() - options.Value.Retention, cancellationToken);
            if (deleted > 0)
            {
                logger.LogInformation("Deleted {Count} webhook events older than {Retention}", deleted, options.Value.Retention);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var lastPrune = DateTimeOffset.MinValue;
        using var timer = new PeriodicTimer(options.Value.RetryInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var prune = clock.GetUtcNow() - lastPrune >= PruneEvery;
                await RunOnceAsync(prune, stoppingToken);
                if (prune)
                {
                    lastPrune = clock.GetUtcNow();
                }
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // The database is away (a timed-out command is cancelled too): the next tick tries again. An exception
                // leaving this loop would stop the whole api.
                logger.LogWarning(exception, "Webhook maintenance failed; trying again in {Interval}", options.Value.RetryInterval);
            }
        }
    }
}
