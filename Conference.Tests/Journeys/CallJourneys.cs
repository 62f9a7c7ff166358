using Microsoft.Playwright;

namespace Conference.Tests.Journeys;

/// <summary>
/// Real calls through the front door: people sign up, start a meeting, pass the pre-join page and meet — each in
/// their own Chromium profile with a fake camera and microphone, through Caddy, with media through the emulator.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class CallJourneys(JourneyFixture fixture)
{
    [Fact]
    public async Task Two_then_three_people_meet_and_each_sees_and_hears_the_others()
    {
        var host = await fixture.NewPageAsync();
        await Journey.SignUpAsync(host, "Hana Host");
        var code = await Journey.StartMeetingAsync(host, "Weekly sync");
        await Journey.JoinFromPreJoinAsync(host, "Hana Host");
        await Journey.ExpectConnectedAsync(host);

        var guest = await fixture.NewPageAsync();
        await Journey.OpenAndJoinAsync(guest, code, "Gus Guest");
        await Journey.ExpectConnectedAsync(guest);

        await Journey.ExpectVideoFramesFromAsync(host, "Gus Guest");
        await Journey.ExpectVideoFramesFromAsync(guest, "Hana Host");
        await Journey.ExpectAudioFromOthersAsync(host, 1);
        await Journey.ExpectAudioFromOthersAsync(guest, 1);

        var third = await fixture.NewPageAsync();
        await Journey.OpenAndJoinAsync(third, code, "Tia Third");
        await Journey.ExpectConnectedAsync(third);
        foreach (var (viewer, others) in new[]
                 {
                     (host, new[] { "Gus Guest", "Tia Third" }),
                     (guest, new[] { "Hana Host", "Tia Third" }),
                     (third, new[] { "Hana Host", "Gus Guest" }),
                 })
        {
            foreach (var other in others)
            {
                await Journey.ExpectVideoFramesFromAsync(viewer, other);
            }
            await Journey.ExpectAudioFromOthersAsync(viewer, 2);
            await Assertions.Expect(viewer.Page.Locator("[data-testid=tile]")).ToHaveCountAsync(3);
        }
        await JourneyFixture.ScreenshotAsync(host.Page, "call-grid-desktop");

        foreach (var person in new[] { host, guest, third })
        {
            await person.ExpectNothingWrongAsync();
        }
    }
}
