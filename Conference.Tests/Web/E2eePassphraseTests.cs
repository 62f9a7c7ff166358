using System.Collections.Concurrent;
using System.Text;
using Conference.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Conference.Tests.Web;

/// <summary>
/// End-to-end encryption means no server learns the passphrase. In Chromium against the real web and api: the
/// passphrase from the link's <c>#passphrase=…</c> is used (the page says the meeting is encrypted, the call module
/// joins with it) but appears in no message of the Blazor circuit, no request, and no log of the web or the api.
/// </summary>
[Collection(WebAppCollection.Name)]
public sealed class E2eePassphraseTests(WebAppFixture fixture) : BrowserTest(fixture)
{
    /// <summary>Everything a page sends or receives: circuit frames (text or MessagePack) and requests.</summary>
    sealed class Traffic
    {
        public readonly ConcurrentQueue<string> Frames = new();
        public readonly ConcurrentQueue<string> Requests = new();

        public Traffic(IPage page)
        {
            page.WebSocket += (_, socket) =>
            {
                socket.FrameSent += (_, frame) => Frames.Enqueue(Decode(frame));
                socket.FrameReceived += (_, frame) => Frames.Enqueue(Decode(frame));
            };
            page.Request += (_, request) =>
                Requests.Enqueue($"{request.Method} {request.Url} {string.Join(" ", request.Headers.Select(h => $"{h.Key}: {h.Value}"))} {request.PostData}");
        }

        static string Decode(IWebSocketFrame frame) => frame.Text ?? Encoding.UTF8.GetString(frame.Binary ?? []);
    }

    [Fact]
    public async Task The_passphrase_from_the_link_is_used_in_the_browser_and_reaches_no_circuit_request_or_log()
    {
        var host = await fixture.NewPageAsync();
        await WebJourney.SignUpAsync(host, "Eve Host");
        var slug = await WebJourney.StartMeetingAsync(host, "Board meeting");
        var passphrase = $"Secret{Guid.NewGuid():N}";

        var guest = await fixture.NewPageAsync();
        var traffic = new Traffic(guest);
        await guest.GotoAsync($"m/{slug}#passphrase={passphrase}");
        await guest.Locator("main[data-interactive=true]").WaitForAsync();

        // The browser has it: the page shows the meeting as encrypted; the address no longer holds it.
        await Assertions.Expect(guest.GetByText("This meeting is end-to-end encrypted.")).ToBeVisibleAsync();
        Assert.DoesNotContain(passphrase, guest.Url);
        await guest.Locator("#display-name").FillAsync("Grace Guest");
        await guest.GetByRole(AriaRole.Button, new() { Name = "Join", Exact = true }).ClickAsync();
        // The call module joined LiveKit with encryption on.
        await fixture.WaitForParticipantAsync(slug, "Grace Guest");

        // A reload in the same tab stays encrypted.
        await guest.ReloadAsync();
        await Assertions.Expect(guest.GetByText("This meeting is end-to-end encrypted.")).ToBeVisibleAsync();

        // The watchers see what they should: the name typed crossed the circuit, the meeting's path was logged.
        Assert.Contains(traffic.Frames, f => f.Contains("Grace Guest", StringComparison.Ordinal));
        Assert.Contains(fixture.Web.Logs.Lines, l => l.Contains(slug, StringComparison.Ordinal));
        Assert.Contains(fixture.ApiLogs.Lines, l => l.Contains(slug, StringComparison.Ordinal));
        // And never the passphrase.
        Assert.DoesNotContain(traffic.Frames, f => f.Contains(passphrase, StringComparison.Ordinal));
        Assert.DoesNotContain(traffic.Requests, r => r.Contains(passphrase, StringComparison.Ordinal));
        Assert.DoesNotContain(fixture.Web.Logs.Lines, l => l.Contains(passphrase, StringComparison.Ordinal));
        Assert.DoesNotContain(fixture.ApiLogs.Lines, l => l.Contains(passphrase, StringComparison.Ordinal));
        Assert.Contains(fixture.SignalRequests, r => r.IsWebSocket);
        Assert.DoesNotContain(fixture.SignalRequests, r => r.Query.Values.Any(v => v.ToString().Contains(passphrase, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Only_a_passphrase_fragment_turns_encryption_on_not_the_skip_link_s_content()
    {
        var host = await fixture.NewPageAsync();
        await WebJourney.SignUpAsync(host, "Sid Host");
        var slug = await WebJourney.StartMeetingAsync(host, "Open call");

        var guest = await fixture.NewPageAsync();
        var traffic = new Traffic(guest);
        await guest.GotoAsync($"m/{slug}#content");
        await guest.Locator("main[data-interactive=true]").WaitForAsync();
        await WebJourney.ExpectCameraPreviewAsync(guest); // pre-join has done its first-render work, the encryption question included
        await Assertions.Expect(guest.GetByTestId("meeting")).ToHaveAttributeAsync("data-encrypted", "false");
        Assert.Equal(0, await guest.GetByText("end-to-end encrypted").CountAsync());
        // Blazor does tell the server the page's address, fragment included: the watcher sees it in the circuit.
        // That is the path a passphrase would take if it stayed in the address.
        Assert.Contains(traffic.Frames, f => f.Contains($"/m/{slug}#content", StringComparison.Ordinal));

        // The passphrase link opened in the same tab: only the fragment changes (no page load) and Blazor reports
        // such navigations to the server; the fragment script takes it out first and loads the page encrypted.
        var passphrase = $"Late{Guid.NewGuid():N}";
        await guest.GotoAsync($"m/{slug}#passphrase={passphrase}");
        await Assertions.Expect(guest.GetByTestId("meeting")).ToHaveAttributeAsync("data-encrypted", "true");
        await guest.Locator("main[data-interactive=true]").WaitForAsync();
        Assert.DoesNotContain(passphrase, guest.Url);
        Assert.DoesNotContain(traffic.Frames, f => f.Contains(passphrase, StringComparison.Ordinal));
        Assert.DoesNotContain(fixture.Web.Logs.Lines, l => l.Contains(passphrase, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_passphrase_link_pasted_on_the_home_page_opens_the_meeting_encrypted_and_the_passphrase_never_crosses_the_circuit()
    {
        var host = await fixture.NewPageAsync();
        await WebJourney.SignUpAsync(host, "Pat Host");
        var slug = await WebJourney.StartMeetingAsync(host, "Pasted link");
        var passphrase = $"Pasted{Guid.NewGuid():N}";

        var guest = await fixture.NewPageAsync();
        var traffic = new Traffic(guest);
        await guest.GotoAsync("");
        await guest.Locator("main[data-interactive=true]").WaitForAsync();
        await guest.GetByLabel("Meeting link or code").FillAsync($"{fixture.Web.Url}m/{slug}#passphrase={passphrase}");
        await guest.GetByRole(AriaRole.Button, new() { Name = "Join", Exact = true }).ClickAsync();

        await WebJourney.WaitForPageAsync(guest, path => path == $"/m/{slug}");
        await Assertions.Expect(guest.GetByTestId("meeting")).ToHaveAttributeAsync("data-encrypted", "true");
        // The link itself crossed (the field is bound as it is typed), without its fragment.
        Assert.Contains(traffic.Frames, f => f.Contains($"m/{slug}", StringComparison.Ordinal));
        Assert.DoesNotContain(traffic.Frames, f => f.Contains(passphrase, StringComparison.Ordinal));
        Assert.DoesNotContain(traffic.Requests, r => r.Contains(passphrase, StringComparison.Ordinal));
        Assert.DoesNotContain(fixture.Web.Logs.Lines, l => l.Contains(passphrase, StringComparison.Ordinal));
    }
}
