using System.Text.RegularExpressions;
using Conference.Tests.AppHost;
using Conference.Tests.Infrastructure;
using Conference.Tests.Web;
using Microsoft.Playwright;

namespace Conference.Tests.Journeys;

/// <summary>
/// A recording from the call's controls to the library's player: the emulator's egress records a real WebM of what
/// it receives and uploads it to s3rver, the recorder follows LiveKit's egress webhooks (and ListEgress), and the page
/// plays the file from the bucket. When the recording does not become Ready, the message carries each party's word:
/// the page's row, the api's (the recorder's) record, the emulator's story of the egress and the bucket's log.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class RecordingJourneys(JourneyFixture fixture, Xunit.Abstractions.ITestOutputHelper output) : BrowserTest(fixture)
{
    /// <summary>How long the call is recorded: long enough for a file whose playback can be seen to advance.</summary>
    static readonly TimeSpan Recorded = TimeSpan.FromSeconds(6);

    [Fact]
    public async Task A_host_records_everyone_sees_it_and_the_recording_plays_from_the_library()
    {
        var host = await fixture.NewPageAsync();
        var email = await Journey.SignUpAsync(host, "Rae Host");
        var code = await Journey.StartMeetingAsync(host, "Design review");
        await Journey.JoinFromPreJoinAsync(host, "Rae Host");
        await Journey.ExpectConnectedAsync(host);
        var guest = await fixture.NewPageAsync();
        await Journey.OpenAndJoinAsync(guest, code, "Ned Guest");
        await Journey.ExpectConnectedAsync(guest);
        WatchedPage[] everyone = [host, guest];
        foreach (var person in everyone)
        {
            await Assertions.Expect(person.Page.Locator("[data-testid=tile]:not(.screen)")).ToHaveCountAsync(2);
        }

        await host.Page.GetByTestId("toggle-recording").ClickAsync();
        foreach (var person in everyone)
        {
            await Assertions.Expect(person.Page.GetByTestId("recording-indicator")).ToHaveTextAsync("This meeting is being recorded");
        }
        await Assertions.Expect(host.Page.GetByTestId("toggle-recording")).ToHaveAttributeAsync("aria-pressed", "true");
        await Task.Delay(Recorded);

        await host.Page.GetByTestId("toggle-recording").ClickAsync();
        foreach (var person in everyone)
        {
            await Assertions.Expect(person.Page.GetByTestId("recording-indicator")).ToHaveCountAsync(0);
        }

        // The host opens the meeting's recordings in another tab (the call goes on in the first): the recording
        // moves on by itself to Ready once its file is in the bucket.
        var library = new WatchedPage(await host.Page.Context.NewPageAsync());
        await WebJourney.GotoInteractiveAsync(library.Page, $"m/{code}/recordings");
        var row = library.Page.Locator("li.recording-row");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        try
        {
            await Assertions.Expect(row.Locator(".status-badge")).ToHaveTextAsync("Ready");
        }
        catch (PlaywrightException notReady)
        {
            // Where it stopped is the news: the page's row against the api's record says whether the page missed the
            // change; the emulator's story says whether the file was written, uploaded and egress_ended answered.
            throw new PlaywrightException($"""
                {notReady.Message}
                The page's row: {await row.InnerTextAsync()}
                The api (the recorder's record): {await ApiRecordingsAsync(email, code)}
                The emulator's egress: {await fixture.EgressStoriesAsync(code)}
                The bucket ({fixture.Bucket.Endpoint}) said:
                {fixture.Bucket.Output}
                """, notReady);
        }

        // What the egress did goes to the test's output either way (how a passing recording looked is the baseline),
        // and into the message when the file does not play as long as it was recorded (ci47: "0 s · 3 kB" for 6 s).
        var story = await fixture.EgressStoriesAsync(code);
        output.WriteLine($"The emulator's egress: {story}");

        // Play: the page's <video> gets the file from the bucket, knows its length and plays on.
        // Named by the meeting's title (the api's) with its code beside it.
        await row.GetByRole(AriaRole.Button, new() { Name = $"Play recording of Design review ({code})" }).ClickAsync();
        var player = library.Page.GetByLabel("Recording video");
        await Assertions.Expect(player).ToHaveAttributeAsync("src", new Regex("X-Amz-Signature="));
        // Synchronous predicates only: WaitForFunctionAsync takes a returned Promise as truthy and stops waiting at once.
        const string Video = "document.querySelector('video[aria-label=\"Recording video\"]')";
        await library.Page.WaitForFunctionAsync($"() => {{ const v = {Video}; return !!v && v.readyState >= 2 && v.videoWidth > 0 && Number.isFinite(v.duration) && v.duration > 0; }}",
            null, new() { PollingInterval = 250 });
        var startedAt = await library.Page.EvaluateAsync<double>($"() => {Video}.currentTime");
        await library.Page.WaitForFunctionAsync($"since => {Video}.currentTime > since + 0.3", startedAt, new() { PollingInterval = 100 });
        var playerSeconds = await library.Page.EvaluateAsync<double>($"() => {Video}.duration");

        // Its length as the library tells it (egress's file results) and as the player reads it from the file's own
        // header: the time recorded (the file starts before the indicator shows, and the stop click takes a moment to
        // reach the egress; the library rounds to whole seconds), and the same length both ways. ci47's "0 s" and a
        // passing "2 s" were a writer that had put a fraction of the media in the file when it was uploaded.
        var meta = await row.Locator(".recording-meta").InnerTextAsync();
        var librarySeconds = Enumerable.Range((int)Recorded.TotalSeconds - 1, 10).Cast<int?>().FirstOrDefault(seconds =>
            meta.StartsWith(Conference.Web.Recordings.RecordingFormat.Duration(TimeSpan.FromSeconds(seconds!.Value)) + " ", StringComparison.Ordinal));
        output.WriteLine($"The library: {meta}; the player: {playerSeconds} s.");
        Assert.True(librarySeconds is not null, $"The library says \"{meta}\"; {Recorded.TotalSeconds} s were recorded. The emulator's egress: {story}");
        Assert.InRange(playerSeconds, librarySeconds.Value - 1, librarySeconds.Value + 1);

        foreach (var person in (WatchedPage[])[library, .. everyone])
        {
            await person.ExpectNothingWrongAsync();
        }
    }

    /// <summary>The meeting's recordings as the api answers the host (only asked when something went wrong).</summary>
    async Task<string> ApiRecordingsAsync(string email, string code)
    {
        try
        {
            using var api = new SiteApi(fixture.Site);
            var bearer = await api.SignInAsync(email);
            using var response = await api.SendAsync(HttpMethod.Get, $"api/meetings/{code}/recordings", bearer: bearer);
            return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
        }
        catch (Exception exception)
        {
            return $"(the api could not be asked: {exception.Message})";
        }
    }
}
