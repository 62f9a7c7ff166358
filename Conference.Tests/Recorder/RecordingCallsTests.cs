using System.Net;
using System.Net.Http.Json;
using Conference.Tests.Api;

namespace Conference.Tests.Recorder;

/// <summary>
/// Reading, downloading or deleting one recording is one call from the api to the recorder: the api authorises what
/// the recorder answered by the recording's meeting, and the recorder deletes only the caller's own.
/// </summary>
[Collection(RecorderCollection.Name)]
public sealed class RecordingCallsTests(RecorderFixture fixture)
{
    [Fact]
    public async Task Reading_downloading_or_deleting_one_recording_costs_one_recorder_call_and_is_still_authorised()
    {
        using var host = await fixture.Platform.SignedInHostAsync(fixture.Api);
        using var stranger = await fixture.Platform.SignedInHostAsync(fixture.Api);
        var slug = await MeetingsApiTests.CreateAsync(host);
        var (id, _, _) = await fixture.ReadyRecordingAsync(host, slug);

        Assert.Equal(id, (await CountingCallsAsync(id, () => host.GetRecordingAsync(id))).Id);
        var download = await CountingCallsAsync(id, () => host.GetFromJsonAsync<DownloadAnswer>($"/api/recordings/{id}/download"));
        Assert.StartsWith(fixture.StorageEndpoint.ToString(), download!.Url);

        // Refused the same way as before, and for the same one call: the stranger learns no link.
        var refusedRead = await CountingCallsAsync(id, () => stranger.GetAsync($"/api/recordings/{id}/download"));
        Assert.Equal(HttpStatusCode.Forbidden, refusedRead.StatusCode);
        Assert.DoesNotContain("url", await refusedRead.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, (await CountingCallsAsync(id, () => stranger.DeleteAsync($"/api/recordings/{id}"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync($"/api/recordings/{id}")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await CountingCallsAsync(id, () => host.DeleteAsync($"/api/recordings/{id}"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await CountingCallsAsync(id, () => host.DeleteAsync($"/api/recordings/{id}"))).StatusCode);
    }

    /// <summary>Runs <paramref name="act"/> and asserts the api called the recorder about recording <paramref name="id"/> exactly once.</summary>
    async Task<T> CountingCallsAsync<T>(Guid id, Func<Task<T>> act)
    {
        var before = fixture.RecorderCalls.Count(call => call.Contains(id.ToString(), StringComparison.OrdinalIgnoreCase));
        var result = await act();
        var calls = fixture.RecorderCalls.Where(call => call.Contains(id.ToString(), StringComparison.OrdinalIgnoreCase)).Skip(before).ToList();
        Assert.True(calls.Count == 1, $"the api called the recorder {calls.Count} times: {string.Join(", ", calls)}");
        return result;
    }
}
