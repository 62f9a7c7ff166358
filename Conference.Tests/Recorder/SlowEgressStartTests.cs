using System.Net;
using System.Net.Http.Json;
using Conference.LiveKit;
using Conference.Tests.Api;
using Conference.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Polly.Timeout;

namespace Conference.Tests.Recorder;

/// <summary>
/// LiveKit answers StartRoomCompositeEgress once a worker accepts it (EGRESS_STARTING), but an answer can be slow
/// (a busy host, a cold start). The host's Record click must not wait for it into the callers' 10 s timeouts, where
/// the page said "cannot be reached" about a recording that had started: the start is answered "Starting" and
/// LiveKit's late answer is applied when it comes.
/// </summary>
[Collection(RecorderCollection.Name)]
public sealed class SlowEgressStartTests(RecorderFixture fixture)
{
    [Fact]
    public async Task A_start_LiveKit_is_slow_to_answer_is_answered_Starting_and_follows_LiveKits_late_answer()
    {
        using var host = await fixture.Platform.SignedInHostAsync(fixture.Api);
        var slug = await MeetingsApiTests.CreateAsync(host);
        using var held = fixture.Egress.HoldStarts();

        using var start = await host.PostAsJsonAsync($"/api/meetings/{slug}/recordings", new { });

        // Answered while LiveKit had not: created, and truly Starting.
        Assert.False(held.Answered);
        Assert.Equal(HttpStatusCode.Created, start.StatusCode);
        var recording = (await start.Content.ReadFromJsonAsync<RecordingAnswer>())!;
        Assert.Equal("Starting", recording.Status);
        // The start was asked of LiveKit once, and is not asked again.
        Assert.Single(fixture.EgressService.Requests, r => r.Method == "StartRoomCompositeEgress" && System.Text.Encoding.UTF8.GetString(r.Body).Contains(slug, StringComparison.Ordinal));

        held.Answer();
        // LiveKit's late answer ties the egress to the recording: the meeting shows as recorded, and when the egress
        // runs the recording follows it (without that answer the row would wait minutes for the reconciler to adopt it).
        await Eventually.ReadAsync(() => host.IsRecordedAsync(slug), recorded => recorded, "the late answer to mark the meeting recorded");
        var egress = fixture.Egress.Latest(slug);
        fixture.Egress.Set(egress.EgressId, e => e with { Status = EgressStatus.Active, UpdatedAt = DateTimeOffset.UtcNow });
        await Eventually.ReadAsync(() => host.GetRecordingAsync(recording.Id), r => r.Status == "Recording", "the recording to follow its egress");
        Assert.Single(fixture.EgressService.Requests, r => r.Method == "StartRoomCompositeEgress" && System.Text.Encoding.UTF8.GetString(r.Body).Contains(slug, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_start_LiveKit_refuses_late_ends_Failed_with_its_reason_and_frees_the_meeting()
    {
        using var host = await fixture.Platform.SignedInHostAsync(fixture.Api);
        var slug = await MeetingsApiTests.CreateAsync(host);
        using (var held = fixture.Egress.HoldStarts())
        {
            using var start = await host.PostAsJsonAsync($"/api/meetings/{slug}/recordings", new { });
            Assert.False(held.Answered);
            Assert.Equal(HttpStatusCode.Created, start.StatusCode);
            var recording = (await start.Content.ReadFromJsonAsync<RecordingAnswer>())!;

            fixture.Egress.Unavailable = true;
            try
            {
                held.Answer();
                var failed = await Eventually.ReadAsync(() => host.GetRecordingAsync(recording.Id), r => r.Status == "Failed", "the late refusal to fail the recording");
                Assert.Contains("egress not connected", failed.Error);
            }
            finally
            {
                fixture.Egress.Unavailable = false;
            }
        }
        Assert.False(await host.IsRecordedAsync(slug));
        using var again = await host.PostAsJsonAsync($"/api/meetings/{slug}/recordings", new { });
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
    }
}

/// <summary>
/// The api's side of the same timeout: a start or stop the recorder did not answer in time may have happened, so the
/// api does not say the recorder "cannot be reached"; a read that timed out, or a refused connection, still does.
/// </summary>
public sealed class RecorderCallTimeoutTests
{
    static Task<IResult> CallAsync(string method, Exception failure)
    {
        var services = new ServiceCollection().AddLogging()
            .AddSingleton(new Conference.Api.Recordings.RecorderClient(new HttpClient()))
            .AddScoped<Conference.Api.Recordings.RecorderService>()
            .BuildServiceProvider();
        var http = new DefaultHttpContext { RequestServices = services };
        http.Request.Method = method;
        return Conference.Api.Recordings.RecorderCall.CallAsync<Conference.Contracts.RecordingInfo>(http, _ => throw failure, _ => Results.Ok());
    }

    [Fact]
    public async Task A_start_the_recorder_did_not_answer_in_time_may_have_happened()
    {
        var problem = Assert.IsType<ProblemHttpResult>(await CallAsync("POST", new TimeoutRejectedException()));

        Assert.Equal(503, problem.StatusCode);
        Assert.Equal("The recorder did not answer in time, so this may still have happened. Check before trying again.", problem.ProblemDetails.Detail);
    }

    [Theory]
    [InlineData("GET", "timeout")]
    [InlineData("POST", "refused")]
    public async Task A_read_that_timed_out_or_a_refused_connection_says_the_recorder_cannot_be_reached(string method, string failure)
    {
        var problem = Assert.IsType<ProblemHttpResult>(await CallAsync(method,
            failure == "timeout" ? new TimeoutRejectedException() : new HttpRequestException("Connection refused")));

        Assert.Equal(503, problem.StatusCode);
        Assert.Equal("The recorder cannot be reached now; try again shortly.", problem.ProblemDetails.Detail);
    }
}
