using System.Text.RegularExpressions;
using Conference.Tests.AppHost;
using Conference.Tests.Web;
using Microsoft.Playwright;

namespace Conference.Tests.Journeys;

/// <summary>
/// A recording from the call's controls to the library's player: the emulator's egress records a real WebM of what
/// it receives and uploads it to s3rver, the recorder follows LiveKit's egress webhooks, and the page plays the file
/// from the bucket.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class RecordingJourneys(JourneyFixture fixture)
{
    /// <summary>How long the call is recorded: long enough for a file whose playback can be seen to advance.</summary>
    static readonly TimeSpan Recorded = TimeSpan.FromSeconds(6);

    [Fact]
    public async Task A_host_records_everyone_sees_it_and_the_recording_plays_from_the_library()
    {
        var call = await Journey.MeetAsync(fixture, "Design review", "Rae Host", "Ned Guest");
        var host = call.Host;

        await host.Page.GetByTestId("toggle-recording").ClickAsync();
        foreach (var person in call.Everyone)
        {
            await Assertions.Expect(person.Page.GetByTestId("recording-indicator")).ToHaveTextAsync("This meeting is being recorded");
        }
        await Assertions.Expect(host.Page.GetByTestId("toggle-recording")).ToHaveAttributeAsync("aria-pressed", "true");
        await Task.Delay(Recorded);

        await host.Page.GetByTestId("toggle-recording").ClickAsync();
        foreach (var person in call.Everyone)
        {
            await Assertions.Expect(person.Page.GetByTestId("recording-indicator")).ToHaveCountAsync(0);
        }

        // The host opens the meeting's recordings in another tab (the call goes on in the first): the recording
        // moves on by itself to Ready once its file is in the bucket.
        var library = new WatchedPage(await host.Page.Context.NewPageAsync());
        await WebJourney.GotoInteractiveAsync(library.Page, $"m/{call.Code}/recordings");
        var row = library.Page.Locator("li.recording-row");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        try
        {
            await Assertions.Expect(row.Locator(".status-badge")).ToHaveTextAsync("Ready");
        }
        catch (PlaywrightException notReady)
        {
            // The row says why (a failed egress, a file not found in the bucket): that is the news, not the badge.
            throw new PlaywrightException($"{notReady.Message}\nThe row: {await row.InnerTextAsync()}\nThe bucket ({fixture.Bucket.Endpoint}) said:\n{fixture.Bucket.Output}", notReady);
        }

        // Play: the page's <video> gets the file from the bucket, knows its length and plays on.
        await row.GetByRole(AriaRole.Button, new() { Name = $"Play recording of {call.Code}" }).ClickAsync();
        var player = library.Page.GetByLabel("Recording video");
        await Assertions.Expect(player).ToHaveAttributeAsync("src", new Regex("X-Amz-Signature="));
        await library.Page.WaitForFunctionAsync("""
            async () => {
                const v = document.querySelector('video[aria-label="Recording video"]');
                if (!v || v.readyState < 2 || v.videoWidth === 0 || !Number.isFinite(v.duration) || v.duration <= 0) return false;
                const before = v.currentTime;
                await new Promise(r => setTimeout(r, 500));
                return v.currentTime > before;
            }
            """, null, new() { PollingInterval = 250 });
        // Its length as the library tells it (from egress's file results). The <video>'s own duration is not checked:
        // the emulator's WebM (werift's recorder) declares a wrong container duration (an hour for 6 s) — a known
        // difference of the test double (docs/testing.md), not the product's; LiveKit Egress writes the real one.
        var meta = await row.Locator(".recording-meta").InnerTextAsync();
        Assert.True(Enumerable.Range(2, (int)Recorded.TotalSeconds + 9).Any(seconds =>
                meta.StartsWith(Conference.Web.Recordings.RecordingFormat.Duration(TimeSpan.FromSeconds(seconds)), StringComparison.Ordinal)),
            $"The library says \"{meta}\"; {Recorded.TotalSeconds} s were recorded.");

        foreach (var person in (WatchedPage[])[library, .. call.Everyone])
        {
            await person.ExpectNothingWrongAsync();
        }
    }
}
