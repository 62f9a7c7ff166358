using System.Text.Json;
using StackExchange.Redis;

namespace Conference.Web.Meetings;

/// <summary>
/// The web's one subscription to the meeting-changes channel on Redis, shared by every open page through
/// <see cref="MeetingChangeNotifications"/>. When the link to Redis comes back after a failure, every page is told to
/// read again, since what was published meanwhile is lost.
/// </summary>
public sealed class MeetingChangeSubscriber(
    IConnectionMultiplexer redis, MeetingChangeNotifications notifications, ILogger<MeetingChangeSubscriber> logger) : IHostedService
{
    static readonly RedisChannel Channel = RedisChannel.Literal(MeetingChange.Channel);
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionRestored += OnConnectionRestored;
        try
        {
            await redis.GetSubscriber().SubscribeAsync(Channel, OnMessage);
        }
        catch (RedisException exception)
        {
            // The web starts without Redis too; StackExchange.Redis subscribes when the connection comes up, and
            // ConnectionRestored tells the pages to catch up.
            logger.LogWarning(exception, "Could not subscribe to {Channel} yet; pages update once Redis is reachable", MeetingChange.Channel);
        }
    }

    void OnMessage(RedisChannel channel, RedisValue message)
    {
        MeetingChange? change;
        try
        {
            change = JsonSerializer.Deserialize<MeetingChange>(message.ToString(), Json);
        }
        catch (JsonException exception)
        {
            logger.LogWarning(exception, "Ignored a message on {Channel} that is not a meeting change", MeetingChange.Channel);
            return;
        }
        if (change is { Slug.Length: > 0 })
        {
            _ = notifications.NotifyAsync(change);
        }
    }

    void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            logger.LogInformation("The link to Redis is back; open pages read their data again");
            _ = notifications.NotifyEveryoneAsync();
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionRestored -= OnConnectionRestored;
        try
        {
            await redis.GetSubscriber().UnsubscribeAsync(Channel, OnMessage);
        }
        catch (RedisException)
        {
            // shutting down anyway
        }
    }
}
