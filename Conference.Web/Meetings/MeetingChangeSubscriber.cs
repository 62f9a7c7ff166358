using System.Text.Json;
using Conference.Web.Changes;
using StackExchange.Redis;

namespace Conference.Web.Meetings;

/// <summary>
/// The web's one subscription to the meeting-changes channel (<see cref="MeetingChange.Channel"/>), shared by every open
/// page through <see cref="MeetingChangeNotifications"/>; after the link to Redis comes back every page reads again.
/// </summary>
public sealed class MeetingChangeSubscriber(
    IConnectionMultiplexer redis, MeetingChangeNotifications notifications, ILogger<MeetingChangeSubscriber> logger)
    : RedisChangeSubscriber<MeetingChange>(redis, MeetingChange.Channel, logger)
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    protected override MeetingChange? Read(string message)
    {
        try
        {
            return JsonSerializer.Deserialize<MeetingChange>(message, Json) is { Slug.Length: > 0 } change ? change : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    protected override Task NotifyAsync(MeetingChange change) => notifications.NotifyAsync(change);

    protected override Task NotifyEveryoneAsync() => notifications.NotifyEveryoneAsync();
}
