using System.Text.Json;
using Conference.Contracts;
using StackExchange.Redis;

namespace Conference.Api.Meetings;

/// <summary>
/// Publishes "something changed in meeting X" on Redis so every open page (through any web or api instance)
/// can refresh: participants, lock, lobby, recording state. This instance forgets its cached copy at once;
/// the others when the message reaches them.
/// </summary>
public sealed class MeetingChanges(IConnectionMultiplexer redis, MeetingCache cache)
{
    public static readonly RedisChannel Channel = RedisChannel.Literal(MeetingChange.Channel);

    public Task PublishAsync(string slug, MeetingChangeKind what) => PublishAsync(new MeetingChange(slug, what));

    /// <summary>Publishes a change with its details (who it concerns, who made it).</summary>
    public Task PublishAsync(MeetingChange change)
    {
        cache.Evict(change.Slug);
        return redis.GetSubscriber().PublishAsync(Channel, JsonSerializer.Serialize(change));
    }
}
