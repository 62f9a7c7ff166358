using Conference.Tests.LiveKit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Conference.Tests.Api;

/// <summary>
/// The api asks LiveKit once per Twirp call. Every Twirp call is a POST and some must not run twice (a retried
/// RemoveParticipant that went through answers not_found; a retried SendData delivers twice), so the standard
/// resilience's retries are off for the api's RoomService client, as LiveKit's own server SDKs do not retry.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class LiveKitCallRetryTests(ApiFixture fixture)
{
    [Fact]
    public async Task A_LiveKit_answering_503_is_asked_once_not_again()
    {
        await using var livekit = await TwirpCaptureServer.StartAsync();
        livekit.Respond = _ => (503, "application/json", """{"code":"unavailable","msg":"shutting down"}""");
        await using var api = fixture.Api.WithWebHostBuilder(host => host.UseSetting("LiveKit:Url", livekit.Url.ToString()));
        var rooms = api.Services.GetRequiredService<Conference.LiveKit.RoomServiceClient>();

        await Assert.ThrowsAnyAsync<Exception>(() => rooms.RemoveParticipantAsync(new() { Room = "some-room", Identity = "ada" }));

        var asked = Assert.Single(livekit.Requests);
        Assert.Equal("RemoveParticipant", asked.Method);
    }
}
