using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
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

        Assert.Equal(HttpStatusCode.NoContent, (await host.DeleteAsync($"/api/meetings/{slug}")).StatusCode);

        // When the recorder was asked to stop, LiveKit had not yet been asked to delete the room.
        Assert.Equal([false], recorder.StopsSawRoomDeleted(slug));
        Assert.Contains(fixture.LiveKit.Requests, r => r.Method == "DeleteRoom" && JsonDocument.Parse(r.Body).RootElement.GetProperty("room").GetString() == slug);
        Assert.Equal(HttpStatusCode.NotFound, (await host.GetAsync($"/api/meetings/{slug}")).StatusCode);
    }

    [Fact]
    public async Task When_the_recording_cannot_be_stopped_the_meeting_stays()
    {
        await using var recorder = await RecorderStandIn.StartAsync(fixture, StatusCodes.Status500InternalServerError);
        var api = fixture.CreateApi(new Dictionary<string, string?> { ["Recorder:Url"] = recorder.Url });
        using var host = await fixture.SignedInHostAsync(api);
        var slug = await MeetingsApiTests.CreateAsync(host);

        var delete = await host.DeleteAsync($"/api/meetings/{slug}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, delete.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync($"/api/meetings/{slug}")).StatusCode);
        Assert.DoesNotContain(fixture.LiveKit.Requests, r => r.Method == "DeleteRoom" && JsonDocument.Parse(r.Body).RootElement.GetProperty("room").GetString() == slug);
    }

    /// <summary>The recorder's internal stop endpoint, answering with a fixed status.</summary>
    sealed class RecorderStandIn(WebApplication app) : IAsyncDisposable
    {
        readonly System.Collections.Concurrent.ConcurrentQueue<(string Slug, bool RoomDeleted)> stops = new();

        public string Url => app.Urls.First();

        public IEnumerable<bool> StopsSawRoomDeleted(string slug) => stops.Where(s => s.Slug == slug).Select(s => s.RoomDeleted);

        public static async Task<RecorderStandIn> StartAsync(ApiFixture fixture, int status)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var standIn = new RecorderStandIn(app);
            app.MapPost("/internal/meetings/{slug}/recordings/stop", (string slug) =>
            {
                standIn.stops.Enqueue((slug, fixture.LiveKit.Requests.Any(r => r.Method == "DeleteRoom"
                    && JsonDocument.Parse(r.Body).RootElement.GetProperty("room").GetString() == slug)));
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
