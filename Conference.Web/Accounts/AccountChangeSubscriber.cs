using System.Text.Json;
using StackExchange.Redis;

namespace Conference.Web.Accounts;

/// <summary>
/// The web's one subscription to the account-changes channel on Redis (<see cref="AccountChange.Channel"/>), shared by
/// every open page through <see cref="AccountChangeNotifications"/>. When the link to Redis comes back after a failure,
/// every page checks its sign-in, since what was published meanwhile is lost.
/// </summary>
public sealed class AccountChangeSubscriber(
    IConnectionMultiplexer redis, AccountChangeNotifications notifications, ILogger<AccountChangeSubscriber> logger) : IHostedService
{
    static readonly RedisChannel Channel = RedisChannel.Literal(AccountChange.Channel);
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
            // As for meeting changes: StackExchange.Redis subscribes once Redis is reachable; until then pages learn
            // of an ended sign-in at their next api call.
            logger.LogWarning(exception, "Could not subscribe to {Channel} yet", AccountChange.Channel);
        }
    }

    void OnMessage(RedisChannel channel, RedisValue message)
    {
        if (Parse(message.ToString()) is { } change)
        {
            _ = notifications.NotifyAsync(change);
        }
        else
        {
            logger.LogWarning("Ignored a message on {Channel} that is not an account change", AccountChange.Channel);
        }
    }

    /// <summary>The change a message carries; null for anything else (not JSON, an unknown kind, no account).</summary>
    public static AccountChange? Parse(string message)
    {
        try
        {
            return JsonSerializer.Deserialize<AccountChange>(message, Json) is { Account.Length: > 0 } change && Enum.IsDefined(change.What)
                ? change
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
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
