using Microsoft.Playwright;

namespace Conference.Tests.Web;

/// <summary>End to end in Chromium: what a host and a guest do, against the real api, Postgres and Redis.</summary>
[Collection(WebAppCollection.Name)]
public sealed class MeetingJourneyTests(WebAppFixture fixture)
{
    [Fact]
    public async Task A_host_signs_up_starts_a_meeting_sees_the_preview_and_joining_reaches_for_LiveKit_with_a_valid_token()
    {
        var page = await fixture.NewPageAsync();
        await WebJourney.SignUpAsync(page, "Ada Host");
        await Assertions.Expect(page.GetByText("No meetings yet")).ToBeVisibleAsync();

        var slug = await WebJourney.StartMeetingAsync(page, "Design review");
        await WebJourney.ExpectCameraPreviewAsync(page);
        await WebAppFixture.ScreenshotAsync(page, "prejoin-desktop");

        await page.Locator("#display-name").FillAsync("Ada Host");
        var before = fixture.LiveKit.Requests.Count;
        await page.GetByRole(AriaRole.Button, new() { Name = "Join", Exact = true }).ClickAsync();

        // Nothing answers at the media server, so the call says so and offers to try again.
        var unreachable = page.GetByTestId("media-unreachable");
        await Assertions.Expect(unreachable).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(unreachable.GetByRole(AriaRole.Heading)).ToHaveTextAsync("Cannot reach the media server");
        await WebAppFixture.ScreenshotAsync(page, "call-unreachable-desktop");

        // The browser did open LiveKit's signalling WebSocket, with a token LiveKit would accept for this room, as host.
        var signal = fixture.LiveKit.Requests.Skip(before).First(r => r.IsWebSocket);
        Assert.StartsWith("/rtc", signal.Path);
        var claims = fixture.Platform.LiveKitVerifier.Verify(signal.AccessToken!);
        Assert.Equal("Ada Host", claims.Name);
        Assert.Equal(slug, claims.Video!.Room);
        Assert.True(claims.Video.RoomJoin);
        // No token carries roomAdmin: moderation goes through the api, which checks the role now.
        Assert.Null(claims.Video.RoomAdmin);
        Assert.Null(claims.Video.RoomCreate);
        Assert.Null(claims.Video.RoomRecord);

        var attempts = fixture.LiveKit.Requests.Count(r => r.IsWebSocket);
        await unreachable.GetByTestId("media-retry").ClickAsync();
        var until = DateTime.UtcNow.AddSeconds(30);
        while (fixture.LiveKit.Requests.Count(r => r.IsWebSocket) == attempts && DateTime.UtcNow < until)
        {
            await Task.Delay(100);
        }
        Assert.True(fixture.LiveKit.Requests.Count(r => r.IsWebSocket) > attempts, "Retry should open the signalling WebSocket again.");
        await Assertions.Expect(page.GetByTestId("media-unreachable")).ToBeVisibleAsync(new() { Timeout = 30_000 });

        // Back home, the meeting is listed.
        await WebJourney.GotoInteractiveAsync(page, "");
        await Assertions.Expect(page.Locator("li.meeting-row a.meeting-name")).ToHaveTextAsync("Design review");
        await WebAppFixture.ScreenshotAsync(page, "home-desktop");
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
        Assert.DoesNotContain(fixture.LiveKit.Requests, r => r.AccessToken is { } token && fixture.Platform.LiveKitVerifier.Verify(token).Name == guestName);

        // The host, on the meeting's page in their own browser, sees who waits and lets them in.
        var admit = host.GetByRole(AriaRole.Button, new() { Name = $"Admit {guestName}" });
        await Assertions.Expect(admit).ToBeVisibleAsync();
        if (!phone)
        {
            await WebAppFixture.ScreenshotAsync(host, "waiting-room-host-desktop");
        }
        await admit.ClickAsync();
        await Assertions.Expect(admit).ToHaveCountAsync(0);

        // Let in, the guest goes on to the call with a guest's token: no room admin.
        await Assertions.Expect(guest.GetByTestId("media-unreachable")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var signal = fixture.LiveKit.Requests.Last(r => r.IsWebSocket && fixture.Platform.LiveKitVerifier.Verify(r.AccessToken!).Name == guestName);
        var grants = fixture.Platform.LiveKitVerifier.Verify(signal.AccessToken!).Video!;
        Assert.Equal(slug, grants.Room);
        Assert.Null(grants.RoomAdmin);
        if (phone)
        {
            await WebAppFixture.ScreenshotAsync(guest, "call-unreachable-phone");
        }
    }
}
