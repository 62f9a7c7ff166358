using System.Collections.Concurrent;
using System.Text.Json;
using Conference.Tests.Infrastructure;
using Conference.Web.Meetings;

namespace Conference.Tests.Web;

/// <summary>
/// The web's one subscriber to the meeting-changes channel, on a real Redis, as the web registers it: what the api
/// and the recorder publish reaches the open pages of that meeting, and after the link to Redis breaks and comes
/// back, every page is told to read again.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class MeetingChangeSubscriberTests(RedisServer redis) : WebWithRedis(redis)
{
    MeetingChangeNotifications Notifications => Service<MeetingChangeNotifications>();


    /// <summary>Publishes exactly as the api's MeetingChanges and the recorder do.</summary>
    Task PublishAsync(string slug, MeetingChangeKind what) => PublishJsonAsync(JsonSerializer.Serialize(new MeetingChange(slug, what)));

    Task PublishJsonAsync(string json) => PublishJsonAsync(MeetingChange.Channel, json);

    static async Task<MeetingChange> NextAsync(ConcurrentQueue<MeetingChange> seen, Func<MeetingChange, bool> match) =>
        (await Eventually.ReadAsync(() => Task.FromResult(seen.ToArray()), heard => heard.Any(match), "the change to reach the page",
            within: TimeSpan.FromSeconds(30), every: TimeSpan.FromMilliseconds(20))).First(match);

    [Fact]
    public async Task A_published_change_reaches_the_pages_of_that_meeting_and_the_pages_of_every_meeting()
    {
        var mine = new ConcurrentQueue<MeetingChange>();
        var all = new ConcurrentQueue<MeetingChange>();
        var other = new ConcurrentQueue<MeetingChange>();
        using var a = Notifications.Subscribe("abc-defg-hij", change => { mine.Enqueue(change); return Task.CompletedTask; });
        using var b = Notifications.Subscribe(null, change => { all.Enqueue(change); return Task.CompletedTask; });
        using var c = Notifications.Subscribe("zzz-zzzz-zzz", change => { other.Enqueue(change); return Task.CompletedTask; });

        await PublishJsonAsync("not json {");
        await PublishJsonAsync("""{"Slug":"abc-defg-hij","What":"no_such_change"}"""); // a newer publisher's kind: ignored, as not json is
        await PublishAsync("abc-defg-hij", MeetingChangeKind.Lobby);
        await PublishAsync("abc-defg-hij", MeetingChangeKind.Recording);

        Assert.Equal(new MeetingChange("abc-defg-hij", MeetingChangeKind.Lobby), await NextAsync(mine, m => m.What == MeetingChangeKind.Lobby));
        await NextAsync(mine, m => m.What == MeetingChangeKind.Recording);
        await NextAsync(all, m => m.What == MeetingChangeKind.Recording);
        Assert.Empty(other);
        Assert.Equal(2, mine.Count);
    }

    /// <summary>Every kind and its name on the channel: the strings published while <c>What</c> was a string.</summary>
    static readonly (MeetingChangeKind Kind, string Name)[] Names =
    [
        (MeetingChangeKind.Lobby, "lobby"), (MeetingChangeKind.Participants, "participants"), (MeetingChangeKind.Muted, "muted"),
        (MeetingChangeKind.Lock, "lock"), (MeetingChangeKind.Settings, "settings"), (MeetingChangeKind.Ended, "ended"),
        (MeetingChangeKind.Deleted, "deleted"), (MeetingChangeKind.Recording, "recording"),
        // The LiveKit ones are the webhook events' own names, as the api passed them on.
        (MeetingChangeKind.RoomStarted, "room_started"), (MeetingChangeKind.RoomFinished, "room_finished"),
        (MeetingChangeKind.ParticipantJoined, "participant_joined"), (MeetingChangeKind.ParticipantLeft, "participant_left"),
        (MeetingChangeKind.ParticipantConnectionAborted, "participant_connection_aborted"),
    ];

    [Fact]
    public async Task A_change_is_published_by_the_name_it_had_as_a_string_and_read_back_as_its_kind()
    {
        Assert.Equal(Enum.GetValues<MeetingChangeKind>().Except([MeetingChangeKind.Resync]), Names.Select(n => n.Kind));
        var seen = new ConcurrentQueue<MeetingChange>();
        using var subscription = Notifications.Subscribe("abc-defg-hij", change => { seen.Enqueue(change); return Task.CompletedTask; });
        foreach (var (kind, name) in Names)
        {
            // Written as the services wrote it before the type: default options, PascalCase property names.
            var published = $$"""{"Slug":"abc-defg-hij","What":"{{name}}","Participant":"ada","By":"Jo Host","Track":"TR_mic"}""";
            Assert.Equal(published, JsonSerializer.Serialize(new MeetingChange("abc-defg-hij", kind, "ada", "Jo Host", "TR_mic")));
            await PublishJsonAsync(published);
        }
        foreach (var (kind, _) in Names)
        {
            Assert.Equal(new MeetingChange("abc-defg-hij", kind, "ada", "Jo Host", "TR_mic"), await NextAsync(seen, m => m.What == kind));
        }
    }

    [Fact]
    public async Task When_the_link_to_Redis_breaks_and_comes_back_every_page_reads_again_and_changes_flow_again()
    {
        var seen = new ConcurrentQueue<MeetingChange>();
        using var subscription = Notifications.Subscribe("abc-defg-hij", change => { seen.Enqueue(change); return Task.CompletedTask; });
        await PublishAsync("abc-defg-hij", MeetingChangeKind.Lobby);
        await NextAsync(seen, m => m.What == MeetingChangeKind.Lobby);

        // Redis drops the web's subscription connection (as a restart or a network cut would).
        await KillSubscriptionLinkAsync();

        await NextAsync(seen, m => m.IsResync);
        // Re-subscribed: a change published now arrives again (published until it does: the resubscribe may lag the event).
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!seen.Any(m => m.What == MeetingChangeKind.Settings))
        {
            patience.Token.ThrowIfCancellationRequested();
            await PublishAsync("abc-defg-hij", MeetingChangeKind.Settings);
            await Task.Delay(100);
        }
    }
}
