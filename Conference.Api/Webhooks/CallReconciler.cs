using Conference.Api.Meetings;
using Conference.Api.Participants;
using Conference.LiveKit;
using Microsoft.Extensions.Options;

namespace Conference.Api.Webhooks;

/// <summary>
/// Ends the calls whose LiveKit room is gone without a room_finished. LiveKit keeps rooms in memory: when its process
/// stops mid-call (a crash, a restart, a deploy) no room_finished ever comes, and unless someone joins the meeting again
/// (<c>EndSupersededCallsAsync</c>) it would read "In progress" for good, its people still connected. Every
/// <see cref="WebhookOptions.ReconcileInterval"/> this asks LiveKit (RoomService.ListRooms, by name, 100 a request)
/// about the calls still open that started more than <see cref="Grace"/> ago; a call whose room is not there, or is
/// there with another sid (a later life of the room), is over. It ends through <see cref="WebhookEventStore"/>, which
/// owns calls, at the time it was found gone: when LiveKit died is not known, and the first answer without the room is
/// the latest the end can honestly be (a room_finished that comes after all, with its earlier time, wins). When LiveKit
/// does not answer, or is not configured, nothing is ended: its silence says nothing about the rooms. Every api
/// instance runs it; ending an ended call changes nothing.
/// </summary>
public sealed class CallReconciler(IServiceScopeFactory scopes, IOptions<WebhookOptions> options, TimeProvider clock,
    ILogger<CallReconciler> logger) : BackgroundService
{
    /// <summary>
    /// How long a call is left alone after it started: a room whose room_started was just applied, or one being
    /// created, is never taken for gone by a race between LiveKit's listing and its webhooks.
    /// </summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(1);

    /// <summary>Room names per ListRooms request.</summary>
    const int NamesPerRequest = 100;

    // Whether the last pass could not ask LiveKit: its warning is logged when that starts, not on every pass.
    bool liveKitAway;

    /// <summary>One pass; returns how many calls it ended. Public so tests run a pass without waiting.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<WebhookEventStore>();
        var open = await store.OpenCallsAsync(clock.GetUtcNow() - Grace, cancellationToken);
        if (open.Count == 0)
        {
            return 0;
        }

        var media = scope.ServiceProvider.GetRequiredService<MediaServer>();
        if (!media.IsConfigured)
        {
            NoteAway(null, "No media server (LiveKit) is configured, so calls whose room_finished never came are not ended");
            return 0;
        }
        var live = new Dictionary<string, string>(StringComparer.Ordinal); // room name → sid of its live room
        try
        {
            foreach (var names in open.Select(c => c.RoomName).Distinct(StringComparer.Ordinal).Chunk(NamesPerRequest))
            {
                foreach (var room in await media.Rooms.ListRoomsAsync(new ListRoomsRequest { Names = names }, cancellationToken))
                {
                    live[room.Name] = room.Sid;
                }
            }
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Refused, unreachable, timed out (the resilience handler's TimeoutRejectedException), circuit open: all
            // the same here. Whatever the reason, no answer is no news of the rooms.
            NoteAway(exception, "LiveKit did not answer RoomService.ListRooms, so no call is ended until it does");
            return 0;
        }
        var foundAt = clock.GetUtcNow();
        if (liveKitAway)
        {
            liveKitAway = false;
            logger.LogInformation("LiveKit answers RoomService.ListRooms again; calls whose room is gone are ended again");
        }

        var gone = open.Where(c => !live.TryGetValue(c.RoomName, out var sid) || sid != c.RoomSid).Select(c => c.RoomSid).ToList();
        if (gone.Count == 0)
        {
            return 0;
        }
        var ended = await store.EndGoneCallsAsync(gone, foundAt, cancellationToken);
        if (ended.Count > 0)
        {
            logger.LogInformation("Ended {Count} calls whose LiveKit room is gone without a room_finished", ended.Count);
        }
        var changes = scope.ServiceProvider.GetRequiredService<MeetingChanges>();
        try
        {
            foreach (var change in ended)
            {
                await changes.PublishAsync(change);
            }
        }
        catch (StackExchange.Redis.RedisException exception)
        {
            // The calls are ended: open pages catch up on their next refresh.
            logger.LogWarning(exception, "Ended calls whose LiveKit room is gone, but pages were not told");
        }
        return ended.Count;
    }

    void NoteAway(Exception? exception, string message)
    {
        if (!liveKitAway)
        {
            liveKitAway = true;
            logger.LogWarning(exception, "{Message}", message);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ReconcileInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // The database is away: the next tick tries again. An exception leaving this loop would stop the api.
                logger.LogWarning(exception, "Reconciling calls with LiveKit's rooms failed; trying again in {Interval}", options.Value.ReconcileInterval);
            }
        }
    }
}
