using System.Net;
using Bunit;
using Bunit.TestDoubles;
using Conference.Web.Components.Call;
using Conference.Web.Components.Meetings;

namespace Conference.Tests.Web;

public sealed class MeetingLinkPageTests : WebComponentTest
{
    readonly BunitPersistentComponentState pageState;

    public MeetingLinkPageTests()
    {
        pageState = AddBunitPersistentComponentState();
        ComponentFactories.AddStub<PreJoinAndCall>();
        RenderInteractively();
    }

    [Fact]
    public void Shows_the_meetings_title_and_host()
    {
        Api.On("GET", "/api/meetings/abc-defg-hij", new
        {
            slug = "abc-defg-hij", title = "Board meeting", hostName = "Ada Host", createdAt = DateTimeOffset.UtcNow,
            settings = new { lobbyEnabled = true, locked = false, maxParticipants = 50, autoRecord = false, recordingAccess = "HostOnly" },
        });

        var page = Render<MeetingLinkPage>(parameters => parameters.Add(p => p.Slug, "abc-defg-hij"));

        page.WaitForAssertion(() => Assert.Equal("Board meeting", page.Find("h1").TextContent));
        Assert.Contains("Hosted by Ada Host", page.Markup);
        // ...and hands over to the pre-join and call screens (tested on their own) for this meeting.
        Assert.Equal("abc-defg-hij", page.FindComponent<Stub<PreJoinAndCall>>().Instance.Parameters.Get(p => p.Slug));
    }

    [Fact]
    public void The_host_s_waiting_room_card_is_shown_by_the_pre_join_and_call_outside_the_call_only()
    {
        Api.On("GET", "/api/meetings/abc-defg-hij", BoardMeeting);

        var page = Render<MeetingLinkPage>(parameters => parameters.Add(p => p.Slug, "abc-defg-hij"));

        page.WaitForAssertion(() => Assert.Equal("Board meeting", page.Find("h1").TextContent));
        // Not on the page beside the call (where it stayed under the full-screen call, hidden by a style only)...
        Assert.Empty(page.FindComponents<WaitingRoom>());
        // ...but handed to the pre-join and call, which shows it while nobody is in the call (PreJoinAndCallTests).
        var outsideCall = page.FindComponent<Stub<PreJoinAndCall>>().Instance.Parameters.Get(p => p.OutsideCall);
        Assert.NotNull(outsideCall);
        var card = Render(outsideCall);
        Assert.Single(card.FindComponents<WaitingRoom>());
    }

    [Theory]
    [InlineData("ABC-DEFG-HIJ")]
    [InlineData("abcdefghij")]
    public void A_code_in_another_form_goes_to_the_meeting_s_own_address_keeping_the_invitation(string typed)
    {
        Api.On("GET", "/api/meetings/abc-defg-hij", BoardMeeting);
        Navigation.NavigateTo($"m/{typed}?invite=personal-token");

        var page = Render<MeetingLinkPage>(parameters => parameters.Add(p => p.Slug, typed));

        Assert.Equal("http://localhost/m/abc-defg-hij?invite=personal-token", Navigation.Uri);
        Assert.DoesNotContain("not a meeting link", page.Markup);
        Assert.Empty(Api.Seen("GET", $"/api/meetings/{typed}"));
    }

    /// <summary>The meeting as a page of it last had it, carried into the page's next render (a circuit resumed after a web restart).</summary>
    static readonly Conference.Web.Api.Meeting KeptBoardMeeting = new("abc-defg-hij", "Board meeting", "Ada Host", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow,
        "InProgress", DateTimeOffset.UtcNow, null, new Conference.Web.Api.MeetingSettings(true, false, 50, false, default));

    [Fact]
    public void A_resumed_page_shows_the_meeting_it_had_while_the_api_cannot_answer()
    {
        pageState.Persist("meeting", KeptBoardMeeting);
        Api.OnProblem("GET", "/api/meetings/abc-defg-hij", HttpStatusCode.ServiceUnavailable, "The service is unavailable");

        var page = Render<MeetingLinkPage>(parameters => parameters.Add(p => p.Slug, "abc-defg-hij"));

        // At once, with the call in it (not "Loading the meeting…", nor the api's problem in place of the call).
        Assert.Equal("Board meeting", page.Find("h1").TextContent);
        Assert.Equal("abc-defg-hij", page.FindComponent<Stub<PreJoinAndCall>>().Instance.Parameters.Get(p => p.Slug));
        page.WaitForAssertion(() => Assert.NotEmpty(Api.Seen("GET", "/api/meetings/abc-defg-hij"))); // asked again all the same
        Assert.DoesNotContain("Loading the meeting", page.Markup);
        Assert.Equal("Board meeting", page.Find("h1").TextContent);
    }

    [Fact]
    public void A_resumed_page_whose_meeting_was_deleted_meanwhile_says_so()
    {
        pageState.Persist("meeting", KeptBoardMeeting);
        Api.OnProblem("GET", "/api/meetings/abc-defg-hij", HttpStatusCode.NotFound, "Meeting not found");

        var page = Render<MeetingLinkPage>(parameters => parameters.Add(p => p.Slug, "abc-defg-hij"));

        page.WaitForAssertion(() => Assert.Equal("Meeting not found", page.Find("h1").TextContent));
    }

    [Fact]
    public void What_a_page_kept_of_another_meeting_is_not_shown_for_this_one()
    {
        pageState.Persist("meeting", KeptBoardMeeting with { Slug = "xyz-wxyz-xyz", Title = "Another meeting" });
        Api.On("GET", "/api/meetings/abc-defg-hij", BoardMeeting);

        var page = Render<MeetingLinkPage>(parameters => parameters.Add(p => p.Slug, "abc-defg-hij"));

        page.WaitForAssertion(() => Assert.Equal("Board meeting", page.Find("h1").TextContent));
    }

    static object BoardMeeting => new
    {
        slug = "abc-defg-hij", title = "Board meeting", hostName = "Ada Host", createdAt = DateTimeOffset.UtcNow,
        settings = new { lobbyEnabled = true, locked = false, maxParticipants = 50, autoRecord = false, recordingAccess = "HostOnly" },
    };

    [Fact]
    public void A_personal_link_fills_the_invitees_name_keeps_their_key_and_reopens_the_page_without_the_token()
    {
        Api.On("GET", "/api/meetings/abc-defg-hij", BoardMeeting);
        Api.On("POST", "/api/invitations/redeem", new
        {
            slug = "abc-defg-hij", title = "Board meeting", displayName = "Ivy Invitee", participantKey = "key-of-ivy", skipsLobby = true,
            hostName = "Ada Host", startsAt = new DateTimeOffset(2031, 5, 12, 18, 0, 0, TimeSpan.Zero), durationMinutes = 45, timeZone = "America/New_York",
        });
        var name = JSInterop.SetupVoid("localStorage.setItem", PreJoin.NameKey, "Ivy Invitee");
        name.SetVoidResult();
        var keep = JSInterop.SetupVoid("fetch", _ => true);
        keep.SetVoidResult();
        Navigation.NavigateTo("m/abc-defg-hij?invite=personal-token");

        var page = Render<MeetingLinkPage>(parameters => parameters.Add(p => p.Slug, "abc-defg-hij"));

        page.WaitForAssertion(() => Assert.Equal("http://localhost/m/abc-defg-hij", Navigation.Uri));
        Assert.Equal("""{"token":"personal-token"}""", Assert.Single(Api.Seen("POST", "/api/invitations/redeem")).Body);
        Assert.Single(name.Invocations);
        var fetch = Assert.Single(keep.Invocations);
        Assert.Equal("/m/abc-defg-hij/participant-key", fetch.Arguments[0]);
        Assert.Contains("key-of-ivy", System.Text.Json.JsonSerializer.Serialize(fetch.Arguments[1]));

        // The page says whose invitation it is and when, and the pre-join joins with the invitee's key at once.
        page.WaitForAssertion(() => Assert.Equal("You're invited, Ivy Invitee", page.Find("#invitation h2").TextContent));
        Assert.Equal("Ada Host invited you to Board meeting.", page.Find("#invitation p").TextContent);
        Assert.Equal("Starts Monday 12 May 2031 at 14:00 (America/New_York), for 45 minutes.", page.Find("#invitation-when").TextContent);
        Assert.Contains("without waiting in the lobby", page.Find("#invitation").TextContent);
        var preJoin = page.FindComponent<Stub<PreJoinAndCall>>().Instance.Parameters;
        Assert.Equal("key-of-ivy", preJoin.Get(p => p.InvitedParticipantKey));
        Assert.Single(Api.Seen("POST", "/api/invitations/redeem"));
    }

    [Fact]
    public void An_invitation_without_a_name_or_a_time_still_says_who_invites()
    {
        Api.On("GET", "/api/meetings/abc-defg-hij", BoardMeeting);
        Api.On("POST", "/api/invitations/redeem", new
        {
            slug = "abc-defg-hij", title = "Board meeting", participantKey = "key-of-someone", skipsLobby = false,
            hostName = "Ada Host", durationMinutes = 30, timeZone = "Europe/Paris",
        });
        JSInterop.SetupVoid("fetch", _ => true).SetVoidResult();
        Navigation.NavigateTo("m/abc-defg-hij?invite=nameless-token");

        var page = Render<MeetingLinkPage>(parameters => parameters.Add(p => p.Slug, "abc-defg-hij"));

        page.WaitForAssertion(() => Assert.Equal("You're invited", page.Find("#invitation h2").TextContent));
        Assert.Equal("Ada Host invited you to Board meeting.", page.Find("#invitation p").TextContent);
        Assert.Empty(page.FindAll("#invitation-when"));
        Assert.DoesNotContain("lobby", page.Find("#invitation").TextContent);
    }

    [Fact]
    public void A_revoked_personal_link_is_told_in_words_and_the_meeting_can_still_be_joined_as_a_guest()
    {
        Api.On("GET", "/api/meetings/abc-defg-hij", BoardMeeting);
        Api.OnProblem("POST", "/api/invitations/redeem", HttpStatusCode.NotFound, "Invitation not found",
            "This invitation link is not valid (any more); the meeting's own link may still work.");
        Navigation.NavigateTo("m/abc-defg-hij?invite=revoked-token");

        var page = Render<MeetingLinkPage>(parameters => parameters.Add(p => p.Slug, "abc-defg-hij"));

        page.WaitForAssertion(() => Assert.Contains("Your personal invitation link no longer works", page.Find("#invite-problem").TextContent));
        Assert.Contains("revoked it", page.Find("#invite-problem").TextContent);
        Assert.Equal("abc-defg-hij", page.FindComponent<Stub<PreJoinAndCall>>().Instance.Parameters.Get(p => p.Slug));
    }

    [Fact]
    public void A_meeting_that_does_not_exist_says_so()
    {
        Api.OnProblem("GET", "/api/meetings/abc-defg-hij", HttpStatusCode.NotFound, "Meeting not found", "There is no meeting abc-defg-hij.");

        var page = Render<MeetingLinkPage>(parameters => parameters.Add(p => p.Slug, "abc-defg-hij"));

        page.WaitForAssertion(() => Assert.Equal("Meeting not found", page.Find("h1").TextContent));
    }

    [Fact]
    public void A_malformed_link_is_explained_without_asking_the_api()
    {
        var page = Render<MeetingLinkPage>(parameters => parameters.Add(p => p.Slug, "<script>alert(1)</script>"));

        Assert.Equal("That is not a meeting link", page.Find("h1").TextContent);
        Assert.Empty(Api.Requests);
    }

    [Fact]
    public void A_meeting_whose_last_call_ended_still_lets_people_in()
    {
        var lastEnded = DateTimeOffset.UtcNow.AddHours(-20);
        Api.On("GET", "/api/meetings/abc-defg-hij", new
        {
            slug = "abc-defg-hij", title = "Yesterday", hostName = "Ada Host", createdAt = DateTimeOffset.UtcNow.AddDays(-1),
            startedAt = DateTimeOffset.UtcNow.AddDays(-1), status = "Idle", lastCallEndedAt = lastEnded,
            settings = new { lobbyEnabled = false, locked = false, maxParticipants = 50, autoRecord = false, recordingAccess = "HostOnly" },
        });

        var page = Render<MeetingLinkPage>(parameters => parameters.Add(p => p.Slug, "abc-defg-hij"));

        page.WaitForAssertion(() => Assert.Contains("Last call ended", page.Markup));
        Assert.Single(page.FindComponents<Stub<PreJoinAndCall>>());
    }

    [Fact]
    public void An_expired_meeting_offers_no_way_in()
    {
        Api.On("GET", "/api/meetings/abc-defg-hij", new
        {
            slug = "abc-defg-hij", title = "Old", hostName = "Ada Host", createdAt = DateTimeOffset.UtcNow.AddDays(-3), status = "NotStarted",
            settings = new { lobbyEnabled = false, locked = false, maxParticipants = 50, autoRecord = false, recordingAccess = "HostOnly",
                expiresAt = DateTimeOffset.UtcNow.AddDays(-1) },
        });

        var page = Render<MeetingLinkPage>(parameters => parameters.Add(p => p.Slug, "abc-defg-hij"));

        page.WaitForAssertion(() => Assert.Contains("link has expired", page.Markup));
        Assert.Empty(page.FindComponents<Stub<PreJoinAndCall>>());
    }

    [Fact]
    public void When_the_api_is_down_the_page_says_so_and_offers_a_retry()
    {
        Api.OnThrow("GET", "/api/meetings/abc-defg-hij", new HttpRequestException("refused"));

        var page = Render<MeetingLinkPage>(parameters => parameters.Add(p => p.Slug, "abc-defg-hij"));

        page.WaitForAssertion(() => Assert.Contains("cannot be reached", page.Find("[role=alert]").TextContent));
        Assert.Equal("Try again", page.Find("[role=alert] button").TextContent);
    }

    [Fact]
    public async Task The_meeting_s_state_follows_what_the_api_announces()
    {
        object Meeting(string status, DateTimeOffset? inProgressSince, DateTimeOffset? lastCallEndedAt) => new
        {
            slug = "abc-defg-hij", title = "Standup", hostName = "Ada Host", createdAt = DateTimeOffset.UtcNow, status, inProgressSince, lastCallEndedAt,
            settings = new { lobbyEnabled = false, locked = false, maxParticipants = 50, autoRecord = false, recordingAccess = "HostOnly" },
        };
        Api.On("GET", "/api/meetings/abc-defg-hij", Meeting("NotStarted", null, null));
        var page = Render<MeetingLinkPage>(parameters => parameters.Add(p => p.Slug, "abc-defg-hij"));
        page.WaitForAssertion(() => Assert.Equal("Nobody has joined yet", page.Find(".status-badge").TextContent));

        Api.On("GET", "/api/meetings/abc-defg-hij", Meeting("InProgress", DateTimeOffset.UtcNow, null));
        await Notifications.NotifyAsync(new MeetingChange("abc-defg-hij", MeetingChangeKind.RoomStarted));
        page.WaitForAssertion(() => Assert.Equal("In progress", page.Find(".status-badge").TextContent));

        // The call ended for everyone while the page was open: the badge says so, the link still works, and the
        // call (its own end screen) stays on the page.
        Api.On("GET", "/api/meetings/abc-defg-hij", Meeting("Idle", null, DateTimeOffset.UtcNow));
        await Notifications.NotifyAsync(new MeetingChange("abc-defg-hij", MeetingChangeKind.Ended));
        page.WaitForAssertion(() => Assert.Equal("Last call ended", page.Find(".status-badge").TextContent));
        Assert.Single(page.FindComponents<Stub<PreJoinAndCall>>());
    }
}
