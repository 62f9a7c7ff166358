using Conference.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Conference.Tests.Web;

/// <summary>End to end in Chromium: what a host and a guest do, against the real api, Postgres and Redis.</summary>
[Collection(WebAppCollection.Name)]
public sealed class MeetingJourneyTests(WebAppFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public async Task A_host_signs_up_starts_a_meeting_sees_the_preview_and_joins_LiveKit_with_a_valid_token_once_it_is_reachable()
    {
        var page = await fixture.NewPageAsync();
        await WebJourney.SignUpAsync(page, "Ada Host");
        await Assertions.Expect(page.GetByText("No meetings yet")).ToBeVisibleAsync();

        var slug = await WebJourney.StartMeetingAsync(page, "Design review");
        await WebJourney.ExpectCameraPreviewAsync(page);
        await WebAppFixture.ScreenshotAsync(page, "prejoin-desktop");

        await page.Locator("#display-name").FillAsync("Ada Host");
        var before = fixture.SignalRequests.Count;
        var cut = await fixture.CutOffMediaServerAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Join", Exact = true }).ClickAsync();

        // The media server cannot be reached, so the call says so and offers to try again.
        var unreachable = page.GetByTestId("media-unreachable");
        await Assertions.Expect(unreachable).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(unreachable.GetByRole(AriaRole.Heading)).ToHaveTextAsync("Cannot connect to the call");
        await WebAppFixture.ScreenshotAsync(page, "call-unreachable-desktop");

        // The browser did open LiveKit's signalling WebSocket, with a token LiveKit would accept for this room, as host.
        var signal = fixture.SignalRequests.Skip(before).First(r => r.IsWebSocket);
        Assert.StartsWith("/rtc", signal.Path);
        var claims = fixture.Platform.LiveKitVerifier.Verify(signal.AccessToken!);
        Assert.Equal("Ada Host", claims.Name);
        Assert.Equal(slug, claims.Video!.Room);
        Assert.True(claims.Video.RoomJoin);
        // No token carries roomAdmin: moderation goes through the api, which checks the role now.
        Assert.Null(claims.Video.RoomAdmin);
        Assert.Null(claims.Video.RoomCreate);
        Assert.Null(claims.Video.RoomRecord);

        // The media server is back: trying again joins the call, and LiveKit has the host in the meeting's room.
        cut.Dispose();
        await unreachable.GetByTestId("media-retry").ClickAsync();
        await fixture.WaitForParticipantAsync(slug, "Ada Host");
        await Assertions.Expect(page.GetByTestId("media-unreachable")).ToHaveCountAsync(0);

        // Back home, the meeting is listed.
        await WebJourney.GotoInteractiveAsync(page, "");
        await Assertions.Expect(page.Locator("li.meeting-row a.meeting-name")).ToHaveTextAsync("Design review");
        await WebAppFixture.ScreenshotAsync(page, "home-desktop");
    }

    [Fact]
    public async Task When_the_media_server_is_down_the_call_page_says_it_is_not_answering_and_joins_once_it_is_back()
    {
        // LiveKit was down and the page told the person to check that they were online: it was our server.
        var page = await fixture.NewPageAsync();
        await WebJourney.SignUpAsync(page, "Mel Host");
        var slug = await WebJourney.StartMeetingAsync(page, "Outage drill");
        await WebJourney.ExpectCameraPreviewAsync(page);
        await page.Locator("#display-name").FillAsync("Mel Host");
        var unreachable = page.GetByTestId("media-unreachable");
        await fixture.LiveKit.StopForNowAsync();
        try
        {
            // The api's answer of a moment ago may stand a few seconds (LiveKitHealthCheck.CacheFor).
            using var api = fixture.Api.CreateClient();
            await Eventually.ReadAsync(() => api.GetStringAsync("/api/health"), health => health.Contains("\"livekit\":\"Degraded\"", StringComparison.Ordinal),
                "the api's health to see LiveKit gone", within: TimeSpan.FromSeconds(15), every: TimeSpan.FromMilliseconds(200));

            await page.GetByRole(AriaRole.Button, new() { Name = "Join", Exact = true }).ClickAsync();
            await Assertions.Expect(unreachable.GetByRole(AriaRole.Heading)).ToHaveTextAsync("The media server is not answering", new() { Timeout = 30_000 });
            await Assertions.Expect(unreachable).ToContainTextAsync("on our side, not your connection");
            await Assertions.Expect(unreachable).Not.ToContainTextAsync("online");
            await Assertions.Expect(unreachable.GetByTestId("failure-detail")).ToBeAttachedAsync();
        }
        finally
        {
            await fixture.LiveKit.StartAgainAsync();
        }

        await unreachable.GetByRole(AriaRole.Button, new() { Name = "Try again" }).ClickAsync();
        await fixture.WaitForParticipantAsync(slug, "Mel Host");
        await Assertions.Expect(page.GetByTestId("call-room")).ToHaveAttributeAsync("data-state", "Connected");
    }

    [Fact]
    public async Task Home_and_the_meeting_page_work_at_phone_width()
    {
        var host = await fixture.NewPageAsync(phone: true);
        await WebJourney.SignUpAsync(host, "Pat Phone");
        await WebJourney.StartMeetingAsync(host, "On the go");
        await WebJourney.GotoInteractiveAsync(host, "");
        await Assertions.Expect(host.Locator("li.meeting-row")).ToHaveCountAsync(1);
        await WebAppFixture.ScreenshotAsync(host, "home-phone");
        await host.Locator("li.meeting-row a.meeting-name").ClickAsync();
        await WebJourney.ExpectCameraPreviewAsync(host);
        await WebAppFixture.ScreenshotAsync(host, "prejoin-phone");

        // Nothing is wider than the phone's screen.
        var overflow = await host.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
        Assert.True(overflow <= 0, $"The page is {overflow}px wider than the phone.");
    }

    [Fact]
    public async Task A_guest_joins_by_code_from_the_home_page_and_a_wrong_code_is_explained()
    {
        var host = await fixture.NewPageAsync();
        await WebJourney.SignUpAsync(host, "Grace Host");
        var slug = await WebJourney.StartMeetingAsync(host, "Open house");

        var guest = await fixture.NewPageAsync();
        await WebJourney.GotoInteractiveAsync(guest, "");
        await guest.GetByLabel("Meeting link or code").FillAsync("not a code");
        await guest.GetByRole(AriaRole.Button, new() { Name = "Join", Exact = true }).ClickAsync();
        await Assertions.Expect(guest.Locator("#meeting-code-error")).ToContainTextAsync("A code looks like abc-defg-hij");

        await guest.GetByLabel("Meeting link or code").FillAsync(slug.ToUpperInvariant().Replace("-", "", StringComparison.Ordinal));
        await guest.GetByRole(AriaRole.Button, new() { Name = "Join", Exact = true }).ClickAsync();
        await Assertions.Expect(guest.GetByRole(AriaRole.Heading, new() { Name = "Open house", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(guest.Locator(".meeting-header")).ToContainTextAsync("Hosted by Grace Host");
        await Assertions.Expect(guest.GetByRole(AriaRole.Heading, new() { Name = "Join the meeting" })).ToBeVisibleAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_guest_in_a_lobby_meeting_waits_until_the_host_lets_them_in(bool phone)
    {
        var guestName = phone ? "Sam Phone" : "Sam Desk";
        var host = await fixture.NewPageAsync();
        await WebJourney.SignUpAsync(host, "Lin Host");
        var slug = await WebJourney.StartMeetingAsync(host, "Interviews", lobby: true);

        var guest = await fixture.NewPageAsync(phone);
        await WebJourney.GotoInteractiveAsync(guest, $"m/{slug}");
        await WebJourney.ExpectCameraPreviewAsync(guest);
        await guest.Locator("#display-name").FillAsync(guestName);
        await guest.GetByRole(AriaRole.Button, new() { Name = "Join", Exact = true }).ClickAsync();

        var waiting = guest.GetByTestId("lobby-waiting");
        await Assertions.Expect(waiting.GetByRole(AriaRole.Heading)).ToHaveTextAsync("Waiting to be let in");
        await WebAppFixture.ScreenshotAsync(guest, phone ? "lobby-phone" : "lobby-desktop");
        Assert.DoesNotContain(fixture.SignalRequests, r => r.AccessToken is { } token && fixture.Platform.LiveKitVerifier.Verify(token).Name == guestName);

        // The host, on the meeting's page in their own browser, sees who waits and lets them in.
        var admit = host.GetByRole(AriaRole.Button, new() { Name = $"Admit {guestName}" });
        await Assertions.Expect(admit).ToBeVisibleAsync();
        if (!phone)
        {
            await WebAppFixture.ScreenshotAsync(host, "waiting-room-host-desktop");
        }
        await admit.ClickAsync();
        await Assertions.Expect(admit).ToHaveCountAsync(0);

        // Let in, the guest goes on to the call (LiveKit has them in the room) with a guest's token: no room admin.
        await fixture.WaitForParticipantAsync(slug, guestName);
        // The page's WebSocket event reaches the test through Playwright's own connection, which has been seen to come
        // after the emulator already listed the guest (a full CI run): wait for it, and say what was seen if it never comes.
        SignalRequest? signal = null;
        for (var deadline = DateTime.UtcNow.AddSeconds(15); signal is null; await Task.Delay(100))
        {
            signal = fixture.SignalRequests.LastOrDefault(r => r.IsWebSocket && r.AccessToken is { } token && fixture.Platform.LiveKitVerifier.Verify(token).Name == guestName);
            Assert.True(signal is not null || DateTime.UtcNow < deadline,
                $"LiveKit has {guestName} in {slug}, but no signalling WebSocket with their token was seen. Seen: " +
                string.Join("; ", fixture.SignalRequests.Select(r => $"{r.Path} ws={r.IsWebSocket} name={(r.AccessToken is { } t ? fixture.Platform.LiveKitVerifier.Verify(t).Name : "(no token)")}")));
        }
        var grants = fixture.Platform.LiveKitVerifier.Verify(signal.AccessToken!).Video!;
        Assert.Equal(slug, grants.Room);
        Assert.Null(grants.RoomAdmin);
    }

    [Fact]
    public async Task A_guest_who_closes_or_reloads_the_waiting_page_leaves_the_hosts_list_and_asks_again_after_a_reload()
    {
        // A newcomer's host still read "1 person is waiting to join — Closer — Admit / Deny" 40 s after Closer closed the tab.
        var host = await fixture.NewPageAsync();
        await WebJourney.SignUpAsync(host, "Kim Host");
        var slug = await WebJourney.StartMeetingAsync(host, "Drop-ins", lobby: true);

        var closer = await AskToJoinAsync(slug, "Closer");
        var admitCloser = host.GetByRole(AriaRole.Button, new() { Name = "Admit Closer" });
        await Assertions.Expect(admitCloser).ToBeVisibleAsync();
        await closer.CloseAsync();
        await Assertions.Expect(admitCloser).ToHaveCountAsync(0);

        // A reload takes the request with the page; the person is back at the pre-join and asks again with one click.
        var reloader = await AskToJoinAsync(slug, "Rey Reload");
        var admitRey = host.GetByRole(AriaRole.Button, new() { Name = "Admit Rey Reload" });
        await Assertions.Expect(admitRey).ToBeVisibleAsync();
        await reloader.ReloadAsync();
        await Assertions.Expect(admitRey).ToHaveCountAsync(0);
        await Assertions.Expect(reloader.GetByRole(AriaRole.Button, new() { Name = "Join", Exact = true })).ToBeEnabledAsync();
        await reloader.GetByRole(AriaRole.Button, new() { Name = "Join", Exact = true }).ClickAsync();
        await Assertions.Expect(reloader.GetByTestId("lobby-waiting").GetByRole(AriaRole.Heading)).ToHaveTextAsync("Waiting to be let in");
        await Assertions.Expect(admitRey).ToBeVisibleAsync();

        // Only a note this web sealed withdraws anyone: anything else is a 400 problem, and Rey still waits.
        using var http = new HttpClient { BaseAddress = fixture.Web.Url };
        foreach (var forged in new[] { "", "not-a-note", new string('A', 5000) })
        {
            using var refused = await http.PostAsync($"m/{slug}/lobby/leave", new StringContent(forged));
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }
        await Assertions.Expect(admitRey).ToBeVisibleAsync();
    }

    async Task<IPage> AskToJoinAsync(string slug, string name)
    {
        var guest = await fixture.NewPageAsync();
        await WebJourney.GotoInteractiveAsync(guest, $"m/{slug}");
        await WebJourney.ExpectCameraPreviewAsync(guest);
        await guest.Locator("#display-name").FillAsync(name);
        await guest.GetByRole(AriaRole.Button, new() { Name = "Join", Exact = true }).ClickAsync();
        await Assertions.Expect(guest.GetByTestId("lobby-waiting").GetByRole(AriaRole.Heading)).ToHaveTextAsync("Waiting to be let in");
        return guest;
    }
}
