using System.Text.Json;
using StackExchange.Redis;

namespace Conference.Api.Meetings;

/// <summary>
/// Publishes "something changed in meeting X" on Redis so every open page (through any web or api instance)
/// can refresh: participants, lock, lobby, recording state.
/// </summary>
public sealed class MeetingChanges(IConnectionMultiplexer redis)
{
    public static readonly RedisChannel Channel = RedisChannel.Literal("conference:meeting-changes");

    public sealed record Change(string Slug, string What);

    public Task PublishAsync(string slug, string what) =>
        redis.GetSubscriber().PublishAsync(Channel, JsonSerializer.Serialize(new Change(slug, what)));
}
