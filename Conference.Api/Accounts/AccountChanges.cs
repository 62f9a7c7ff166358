using System.Text.Json;
using Conference.Contracts;
using StackExchange.Redis;

namespace Conference.Api.Accounts;

/// <summary>
/// Publishes account changes (<see cref="AccountChange"/>) on Redis, so the web's open pages of an account learn at
/// once that its sign-ins ended. A hint, not the truth: fire-and-forget, so a Redis that is down or slow never holds
/// up or fails the request that ended the sign-in; the pages then find out at their next api call, as before.
/// </summary>
public sealed class AccountChanges(IConnectionMultiplexer redis, ILogger<AccountChanges> logger)
{
    public static readonly RedisChannel Channel = RedisChannel.Literal(AccountChange.Channel);

    /// <summary>Tells the account's open pages that some of its sign-ins ended (<see cref="AccountChangeKind.SignInsEnded"/>).</summary>
    public void SignInsEnded(string accountId)
    {
        try
        {
            redis.GetSubscriber().Publish(Channel, JsonSerializer.Serialize(new AccountChange(accountId, AccountChangeKind.SignInsEnded)),
                CommandFlags.FireAndForget);
        }
        catch (RedisException exception)
        {
            logger.LogWarning(exception, "Could not tell open pages that account {Account}'s sign-ins ended; they learn it at their next request", accountId);
        }
    }
}
