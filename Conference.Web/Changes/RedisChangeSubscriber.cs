using StackExchange.Redis;

namespace Conference.Web.Changes;

/// <summary>
/// The web's one subscription to a Redis channel on which the api (or the recorder) publishes changes as JSON, shared by
/// every open page through a notifications service. Redis pub/sub keeps nothing for a subscriber that is away, so when
/// the link comes back after a failure every page is told to catch up. The web starts without Redis too:
/// StackExchange.Redis subscribes once Redis is reachable, and pages meanwhile learn of changes by their own api calls.
/// </summary>
/// <typeparam name="TChange">The message's type, e.g. <see cref="MeetingChange"/>.</typeparam>
public abstract class RedisChangeSubscriber<TChange>(IConnectionMultiplexer redis, string channel, ILogger logger) : IHostedService
    where TChange : class
{
    readonly RedisChannel redisChannel = RedisChannel.Literal(channel);

    /// <summary>The change a message carries; null for anything else (not JSON, not this shape), which is logged and ignored.</summary>
    protected abstract TChange? Read(string message);

    /// <summary>Passes a change to the open pages it concerns.</summary>
    protected abstract Task NotifyAsync(TChange change);

    /// <summary>Has every open page catch up, after the link to Redis came back.</summary>
    protected abstract Task NotifyEveryoneAsync();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionRestored += OnConnectionRestored;
        try
        {
            await redis.GetSubscriber().SubscribeAsync(redisChannel, OnMessage);
        }
        catch (RedisException exception)
        {
            logger.LogWarning(exception, "Could not subscribe to {Channel} yet; pages update once Redis is reachable", channel);
        }
    }

    void OnMessage(RedisChannel from, RedisValue message)
    {
        if (Read(message.ToString()) is { } change)
        {
            _ = NotifyAsync(change);
        }
        else
        {
            logger.LogWarning("Ignored a message on {Channel} that is not a {Change}", channel, typeof(TChange).Name);
        }
    }

    void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            logger.LogInformation("The link to Redis is back; open pages catch up on {Channel}", channel);
            _ = NotifyEveryoneAsync();
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionRestored -= OnConnectionRestored;
        try
        {
            await redis.GetSubscriber().UnsubscribeAsync(redisChannel, OnMessage);
        }
        catch (RedisException)
        {
            // shutting down anyway
        }
    }
}
