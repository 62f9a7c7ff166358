using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Conference.Tests.Api;

/// <summary>Deleting a meeting whose call is running: its recording is stopped first, then the room deleted, then the meeting.</summary>
[Collection(ApiCollection.Name)]
public sealed class DeleteLiveMeetingTests(ApiFixture fixture)
{
    [Fact]
    public async Task The_recording_is_stopped_and_the_room_deleted_before_the_meeting_goes()
    {
        await using var recorder = await RecorderStandIn.StartAsync(fixture, StatusCodes.Status200OK);
        var api = fixture.CreateApi(new Dictionary<string, string?> { ["Recorder:Url"] = recorder.Url });
        using var host = await fixture.SignedInHostAsync(api);
        var slug = await MeetingsApiTests.CreateAsync(host);
        await using var alice = await Conference.Tests.Infrastructure.LiveKitBot.JoinAsync(fixture.LiveKit, slug, "alice");

        Assert.Equal(HttpStatusCode.NoContent, (await host.DeleteAsync($"/api/meetings/{slug}")).StatusCode);

        // When the recorder was asked to stop, the room was still open; then it was deleted.
        Assert.Equal([true], recorder.StopsSawRoomOpen(slug));
        Assert.False(await fixture.RoomIsOpenAsync(slug));
        Assert.Equal(HttpStatusCode.NotFound, (await host.GetAsync($"/api/meetings/{slug}")).StatusCode);
    }

    [Fact]
    public async Task When_the_recording_cannot_be_stopped_the_meeting_stays()
    {
        await using var recorder = await RecorderStandIn.StartAsync(fixture, StatusCodes.Status500InternalServerError);
        var api = fixture.CreateApi(new Dictionary<string, string?> { ["Recorder:Url"] = recorder.Url });
        using var host = await fixture.SignedInHostAsync(api);
        var slug = await MeetingsApiTests.CreateAsync(host);
        await using var alice = await Conference.Tests.Infrastructure.LiveKitBot.JoinAsync(fixture.LiveKit, slug, "alice");

        var delete = await host.DeleteAsync($"/api/meetings/{slug}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, delete.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync($"/api/meetings/{slug}")).StatusCode);
        Assert.Contains(await fixture.ParticipantsInAsync(slug), p => p.Identity == "alice");
    }

    /// <summary>The recorder's internal stop endpoint, answering with a fixed status.</summary>
    sealed class RecorderStandIn(WebApplication app) : IAsyncDisposable
    {
        readonly System.Collections.Concurrent.ConcurrentQueue<(string Slug, bool RoomOpen)> stops = new();

        public string Url => app.Urls.First();

        public IEnumerable<bool> StopsSawRoomOpen(string slug) => stops.Where(s => s.Slug == slug).Select(s => s.RoomOpen);

        public static async Task<RecorderStandIn> StartAsync(ApiFixture fixture, int status)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var standIn = new RecorderStandIn(app);
            app.MapPost("/internal/meetings/{slug}/recordings/stop", async (string slug) =>
            {
                standIn.stops.Enqueue((slug, await fixture.RoomIsOpenAsync(slug)));
                return status == StatusCodes.Status200OK
                    ? Results.Json(new
                    {
                        id = Guid.NewGuid(), meetingSlug = slug, hostId = "h", status = "Processing", layout = "grid", audioOnly = false,
                        startedAt = DateTimeOffset.UtcNow.AddMinutes(-5), endedAt = DateTimeOffset.UtcNow,
                    })
                    : Results.Problem("boom", statusCode: status);
            });
            await app.StartAsync();
            return standIn;
        }

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }
}
