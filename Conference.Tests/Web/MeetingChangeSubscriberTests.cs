using System.Collections.Concurrent;
using System.Text.Json;
using Conference.Tests.Infrastructure;
using Conference.Web.Api;
using Conference.Web.Meetings;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Contracts = Conference.Contracts;

namespace Conference.Tests.Web;

/// <summary>
/// The web's one subscriber to the meeting-changes channel, on a real Redis, as the web registers it: what the api
/// and the recorder publish reaches the open pages of that meeting, and after the link to Redis breaks and comes
/// back, every page is told to read again.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class MeetingChangeSubscriberTests(RedisServer redis) : IAsyncLifetime
{
    WebApplicationFactory<ApiClient> web = null!;
    ConnectionMultiplexer publisher = null!;

    MeetingChangeNotifications Notifications => web.Services.GetRequiredService<MeetingChangeNotifications>();

    public async Task InitializeAsync()
    {
        web = new WebApplicationFactory<ApiClient>().WithWebHostBuilder(host =>
        {
            host.UseEnvironment("Testing");
            host.UseSetting("Logging:LogLevel:Default", "Warning");
            host.UseSetting("ConnectionStrings:redis", redis.ConnectionString);
        });
        _ = web.Services; // starts the host and its subscriber
        publisher = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true");
    }

    /// <summary>Publishes exactly as the api's MeetingChanges and the recorder do.</summary>
    Task PublishAsync(string slug, string what) => publisher.GetSubscriber().PublishAsync(
        RedisChannel.Literal(Contracts.MeetingChange.Channel), JsonSerializer.Serialize(new Contracts.MeetingChange(slug, what)));

    static async Task<MeetingChange> NextAsync(ConcurrentQueue<MeetingChange> seen, Func<MeetingChange, bool> match)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!patience.IsCancellationRequested)
        {
            if (seen.FirstOrDefault(match) is { } change)
            {
                return change;
            }
            await Task.Delay(20);
        }
        throw new TimeoutException($"No such change arrived; seen: {string.Join(", ", seen)}");
    }

    [Fact]
    public async Task A_published_change_reaches_the_pages_of_that_meeting_and_the_pages_of_every_meeting()
    {
        var mine = new ConcurrentQueue<MeetingChange>();
        var all = new ConcurrentQueue<MeetingChange>();
        var other = new ConcurrentQueue<MeetingChange>();
        using var a = Notifications.Subscribe("abc-defg-hij", change => { mine.Enqueue(change); return Task.CompletedTask; });
        using var b = Notifications.Subscribe(null, change => { all.Enqueue(change); return Task.CompletedTask; });
        using var c = Notifications.Subscribe("zzz-zzzz-zzz", change => { other.Enqueue(change); return Task.CompletedTask; });

        await publisher.GetSubscriber().PublishAsync(RedisChannel.Literal(MeetingChange.Channel), "not json {");
        await PublishAsync("abc-defg-hij", "lobby");
        await PublishAsync("abc-defg-hij", Contracts.MeetingChange.Recording);

        Assert.Equal(new MeetingChange("abc-defg-hij", "lobby"), await NextAsync(mine, m => m.What == "lobby"));
        await NextAsync(mine, m => m.What == "recording");
        await NextAsync(all, m => m.What == "recording");
        Assert.Empty(other);
    }

    [Fact]
    public async Task When_the_link_to_Redis_breaks_and_comes_back_every_page_reads_again_and_changes_flow_again()
    {
        var seen = new ConcurrentQueue<MeetingChange>();
        using var subscription = Notifications.Subscribe("abc-defg-hij", change => { seen.Enqueue(change); return Task.CompletedTask; });
        await PublishAsync("abc-defg-hij", "lobby");
        await NextAsync(seen, m => m.What == "lobby");

        // Redis drops the web's subscription connection (as a restart or a network cut would).
        await publisher.GetServers().Single().ExecuteAsync("CLIENT", "KILL", "TYPE", "pubsub");

        await NextAsync(seen, m => m.IsResync);
        // Re-subscribed: a change published now arrives again (published until it does: the resubscribe may lag the event).
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!seen.Any(m => m.What == "settings"))
        {
            patience.Token.ThrowIfCancellationRequested();
            await PublishAsync("abc-defg-hij", "settings");
            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        await publisher.DisposeAsync();
        await web.DisposeAsync();
    }
}
