using System.Text.Json;
using Conference.Web.Changes;
using StackExchange.Redis;

namespace Conference.Web.Accounts;

/// <summary>
/// The web's one subscription to the account-changes channel (<see cref="AccountChange.Channel"/>), shared by every open
/// page through <see cref="AccountChangeNotifications"/>; after the link to Redis comes back every page checks its
/// sign-in. Without Redis, pages learn of an ended sign-in at their next api call.
/// </summary>
public sealed class AccountChangeSubscriber(
    IConnectionMultiplexer redis, AccountChangeNotifications notifications, ILogger<AccountChangeSubscriber> logger)
    : RedisChangeSubscriber<AccountChange>(redis, AccountChange.Channel, logger)
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

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

    protected override AccountChange? Read(string message) => Parse(message);

    protected override Task NotifyAsync(AccountChange change) => notifications.NotifyAsync(change);

    protected override Task NotifyEveryoneAsync() => notifications.NotifyEveryoneAsync();
}
