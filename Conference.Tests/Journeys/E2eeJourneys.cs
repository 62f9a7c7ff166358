using Conference.Tests.AppHost;
using Conference.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Conference.Tests.Journeys;

/// <summary>
/// End-to-end encryption as people use it: the passphrase travels in the link's fragment (<c>#passphrase=…</c>),
/// each browser encrypts and decrypts the media itself (livekit-client's e2ee worker) and the media server only
/// relays frames it cannot read.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class E2eeJourneys(JourneyFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public async Task Two_people_with_the_same_passphrase_see_and_hear_each_other_and_a_wrong_passphrase_is_told()
    {
        var passphrase = "correct horse battery staple";
        var host = await fixture.NewPageAsync();
        await Journey.SignUpAsync(host, "Eve Host");
        var code = await Journey.StartMeetingAsync(host, "Private talk");
        var link = $"m/{code}#passphrase={Uri.EscapeDataString(passphrase)}";

        // The host opens the meeting's encrypted link, as she would share it, and joins.
        await OpenEncryptedAndJoinAsync(host, link, "Eve Host");
        var guest = await fixture.NewPageAsync();
        await OpenEncryptedAndJoinAsync(guest, link, "Gil Guest");

        await Journey.ExpectVideoFramesFromAsync(host, "Gil Guest");
        await Journey.ExpectVideoFramesFromAsync(guest, "Eve Host");
        await Journey.ExpectAudioFromOthersAsync(host, 1);
        await Journey.ExpectAudioFromOthersAsync(guest, 1);
        await Assertions.Expect(guest.Page.GetByTestId("call-notice")).ToHaveCountAsync(0);
        foreach (var person in new[] { host, guest })
        {
            await person.ExpectNothingWrongAsync();
        }

        // Someone with a wrong passphrase gets in (the media server cannot tell) but decrypts nothing, and is told why.
        var wrong = await fixture.NewPageAsync();
        await OpenEncryptedAndJoinAsync(wrong, $"m/{code}#passphrase=not-the-passphrase", "Wyn Wrong");
        await Assertions.Expect(wrong.Page.GetByTestId("call-notice"))
            .ToContainTextAsync("Encrypted media could not be decrypted — does everyone use the same link (with the same passphrase)?", new() { Timeout = Journey.MediaStart });
        Assert.False(await DecodesVideoFromAsync(wrong, "Eve Host"), "Wyn decoded Eve's video with the wrong passphrase.");
        // The two who share the passphrase still see each other.
        await Journey.ExpectVideoFramesFromAsync(host, "Gil Guest");

        // From here each e2ee worker logs that it cannot decrypt the other side: that, and only that, is expected.
        foreach (var person in new[] { host, guest, wrong })
        {
            await person.ExpectNothingWrongAsync(DecryptionFailed);
        }
    }

    static readonly System.Text.RegularExpressions.Regex DecryptionFailed = new(@"^console error: InvalidKey: Decryption failed");

    /// <summary>Opens the encrypted link, sees it said on the pre-join page and on the call, and joins.</summary>
    static async Task OpenEncryptedAndJoinAsync(WatchedPage person, string link, string name)
    {
        // From another page, as a link opens: on the meeting's own page only the fragment would change, and the
        // page reloads itself encrypted (passphrase.ts), leaving the first load's script bodies unreadable.
        await person.Page.GotoAsync("about:blank");
        await person.Page.GotoAsync(link);
        await person.WaitForCircuitAsync();
        // The passphrase left the address before Blazor started: the server never saw it.
        Assert.DoesNotContain("passphrase", person.Page.Url);
        await Assertions.Expect(person.Page.GetByTestId("meeting")).ToHaveAttributeAsync("data-encrypted", "true");
        await Journey.JoinFromPreJoinAsync(person, name);
        await Journey.ExpectConnectedAsync(person);
        await Assertions.Expect(person.Page.GetByTestId("e2ee-badge")).ToHaveTextAsync("🔒 End-to-end encrypted");
    }

    /// <summary>Whether <paramref name="viewer"/>'s video of <paramref name="name"/> decodes frames over 3 s.</summary>
    static async Task<bool> DecodesVideoFromAsync(WatchedPage viewer, string name)
    {
        var identity = await Journey.Tile(viewer, name).GetAttributeAsync("data-identity");
        return await viewer.Page.EvaluateAsync<bool>("""
            async identity => {
                const frames = () => {
                    const v = document.querySelector(`[data-video-identity="${identity}"][data-video-source=camera] video`);
                    return v ? v.getVideoPlaybackQuality().totalVideoFrames : 0;
                };
                const before = frames();
                await new Promise(r => setTimeout(r, 3000));
                return frames() > before;
            }
            """, identity);
    }
}
