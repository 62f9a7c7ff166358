using System.Net;
using Bunit;
using Conference.Web.Components.Meetings;
using Conference.Web.Components.Pages;
using Microsoft.AspNetCore.Components;

namespace Conference.Tests.Web;

public sealed class HomeComponentTests : WebComponentTest
{
    public HomeComponentTests()
    {
        RenderInteractively();
        Api.On("GET", "/api/scheduled-meetings", Array.Empty<object>());
    }

    static object MeetingJson(string slug, string title, DateTimeOffset? startedAt = null, DateTimeOffset? endedAt = null) => new
    {
        slug, title, hostName = "Ada Host", createdAt = DateTimeOffset.Parse("2026-11-20T09:00:00Z"), startedAt,
        status = endedAt is not null ? "Idle" : startedAt is not null ? "InProgress" : "NotStarted",
        inProgressSince = endedAt is null ? startedAt : null, lastCallEndedAt = endedAt,
        settings = new { lobbyEnabled = false, locked = false, maxParticipants = 50, autoRecord = false, recordingAccess = "HostOnly" },
    };

    [Fact]
    public void Joining_with_a_pasted_link_opens_the_meeting_page()
    {
        var form = Render<JoinByCodeForm>();

        form.Find("#meeting-code").Input("https://meet.example.org/m/ABC-DEFG-HIJ");
        form.Find("form").Submit();

        Assert.Equal("http://localhost/m/abc-defg-hij", Navigation.Uri);
    }

    [Fact]
    public void A_wrong_code_is_explained_next_to_the_field_and_nothing_happens()
    {
        var form = Render<JoinByCodeForm>();

        form.Find("#meeting-code").Input("hello");
        form.Find("form").Submit();

        Assert.Contains("A code looks like abc-defg-hij", form.Find("#meeting-code-error").TextContent);
        Assert.Equal("true", form.Find("#meeting-code").GetAttribute("aria-invalid"));
        Assert.Equal("http://localhost/", Navigation.Uri);
    }

    [Fact]
    public void Starting_a_meeting_creates_it_with_the_chosen_lobby_and_goes_to_its_page()
    {
        Api.On("POST", "/api/meetings", MeetingJson("new-meet-ing", "Standup"), HttpStatusCode.Created);
        var form = Render<StartMeetingForm>();
        Assert.False(form.Find("fieldset.until-interactive").HasAttribute("disabled"));

        form.Find("#meeting-title").Input("Standup");
        form.Find("#meeting-lobby").Change(true);
        form.Find("form").Submit();

        form.WaitForAssertion(() => Assert.Equal("http://localhost/m/new-meet-ing", Navigation.Uri));
        Assert.Equal("""{"title":"Standup","settings":{"lobbyEnabled":true,"locked":null,"maxParticipants":null,"autoRecord":null,"recordingAccess":null}}""",
            Assert.Single(Api.Seen("POST", "/api/meetings")).Body);
    }

    [Fact]
    public void A_double_click_on_start_meeting_starts_one_meeting()
    {
        Api.On("POST", "/api/meetings", MeetingJson("new-meet-ing", "Standup"), HttpStatusCode.Created);
        var form = Render<StartMeetingForm>();
        form.Find("#meeting-title").Input("Standup");

        // Newcomer 20: the second click reached the circuit before the disabled button reached the page; two meetings.
        var submit = form.Find("form");
        submit.Submit();
        submit.Submit();

        form.WaitForAssertion(() => Assert.Equal("http://localhost/m/new-meet-ing", Navigation.Uri));
        Assert.Single(Api.Seen("POST", "/api/meetings"));
    }

    [Fact]
    public void Before_the_page_is_interactive_the_start_and_join_forms_take_no_typing()
    {
        // A newcomer typed a title into the server's first rendering of the home page on a cold start; the circuit's
        // render replaced the form and the meeting was saved as "Ada Admin's meeting". Nothing can be typed, ticked or
        // sent until the page is interactive, and the form says it is getting ready.
        SetRendererInfo(new RendererInfo("Static", isInteractive: false));
        var start = Render<StartMeetingForm>();
        var join = Render<JoinByCodeForm>();

        foreach (var fields in new[] { start.Find("fieldset.until-interactive"), join.Find("fieldset.until-interactive") })
        {
            Assert.True(fields.HasAttribute("disabled"));
            Assert.Contains("Getting the page ready", fields.TextContent);
        }
        // Every control of the form is inside the disabled fieldset (the browser disables them all).
        Assert.All(start.FindAll("input, button"), control => Assert.NotNull(control.Closest("fieldset[disabled]")));
        Assert.All(join.FindAll("input, button"), control => Assert.NotNull(control.Closest("fieldset[disabled]")));

        // The live form (this class renders interactively otherwise) is on: Starting_a_meeting_… types into it.
    }

    [Fact]
    public void The_apis_complaint_about_the_title_is_shown_under_the_title()
    {
        Api.OnProblem("POST", "/api/meetings", HttpStatusCode.BadRequest, "One or more validation errors occurred.",
            errors: new() { ["title"] = ["The title must not contain control characters."] });
        var form = Render<StartMeetingForm>();

        form.Find("#meeting-title").Input("Board\u0007review");
        form.Find("form").Submit();

        form.WaitForAssertion(() => Assert.Equal("The title must not contain control characters.", form.Find("#title-error").TextContent));
        Assert.Equal("Start meeting", form.Find("button[type=submit]").TextContent);
        // Said by the field, not again above the form.
        Assert.DoesNotContain("control characters", form.Find("[role=alert]").TextContent);
    }

    [Fact]
    public void A_title_over_the_limit_is_kept_whole_and_said_to_be_too_long_instead_of_being_cut()
    {
        var form = Render<StartMeetingForm>();
        form.WaitForAssertion(() => form.Find("#meeting-title"));

        form.Find("#meeting-title").Input(new string('t', 100));
        Assert.Equal("100 of 120 characters", form.Find("#title-length").TextContent);

        form.Find("#meeting-title").Input(new string('t', 300));
        Assert.Equal("The title is 300 characters long; it can be at most 120. Shorten it by 180.", form.Find("#title-length").TextContent);
        Assert.Equal(300, form.Find("#meeting-title").GetAttribute("value")!.Length);
        Assert.Null(form.Find("#meeting-title").GetAttribute("maxlength"));
        Assert.True(form.Find("button[type=submit]").HasAttribute("disabled"));
        form.Find("form").Submit();
        Assert.Empty(Api.Seen("POST", "/api/meetings"));
    }

    [Fact]
    public void A_title_within_its_count_but_of_too_many_emoji_parts_is_refused_here_as_the_api_would()
    {
        var form = Render<StartMeetingForm>();
        form.WaitForAssertion(() => form.Find("#meeting-title"));

        // 👨‍👩‍👧‍👦 is one character of seven code points: 100 of them count 100 (within 120) but are 700 parts (over 480).
        form.Find("#meeting-title").Input(string.Concat(Enumerable.Repeat("👨‍👩‍👧‍👦", 100)));
        Assert.Equal("The title has too many combined characters (emoji sequences, stacked accents) to be kept; shorten it.",
            form.Find("#title-length").TextContent);
        Assert.True(form.Find("button[type=submit]").HasAttribute("disabled"));

        form.Find("#meeting-title").Input(string.Concat(Enumerable.Repeat("👩🏽‍💻", 100)));
        Assert.Equal("100 of 120 characters", form.Find("#title-length").TextContent);
        Assert.False(form.Find("button[type=submit]").HasAttribute("disabled"));
    }

    [Fact]
    public void Recent_meetings_list_title_code_state_and_links()
    {
        Api.On("GET", "/api/meetings", new
        {
            items = new[]
            {
                MeetingJson("abc-defg-hij", "Planning", startedAt: DateTimeOffset.UtcNow),
                MeetingJson("klm-nopq-rst", "Retro", startedAt: DateTimeOffset.UtcNow.AddDays(-1), endedAt: DateTimeOffset.UtcNow.AddDays(-1)),
            },
            page = 1, pageSize = 8, total = 12,
        });

        var list = Render<RecentMeetings>();

        list.WaitForAssertion(() => Assert.Equal(2, list.FindAll("li.meeting-row").Count));
        var rows = list.FindAll("li.meeting-row");
        Assert.Equal("m/abc-defg-hij", rows[0].QuerySelector("a.meeting-name")!.GetAttribute("href"));
        Assert.Contains("In progress", rows[0].TextContent);
        Assert.Contains("Last call ended", rows[1].TextContent);
        Assert.Contains("m/klm-nopq-rst/recordings", rows[1].InnerHtml);
        Assert.Contains("newest 2 of 12", list.Markup);
        Assert.Equal("/api/meetings?page=1&pageSize=8", Assert.Single(Api.Requests).PathAndQuery);
    }

    [Fact]
    public void Until_the_page_is_live_its_buttons_wait_so_nothing_typed_is_lost()
    {
        SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Static", isInteractive: false));

        Assert.True(Render<StartMeetingForm>().Find("button[type=submit]").HasAttribute("disabled"));
        Assert.True(Render<JoinByCodeForm>().Find("button[type=submit]").HasAttribute("disabled"));
    }

    [Fact]
    public void A_guest_sees_how_to_host_instead_of_the_start_form()
    {
        Authorization.SetNotAuthorized();

        var home = Render<Home>();

        Assert.Empty(home.FindAll("#meeting-title"));
        Assert.Contains("Hosts need an account", home.Markup);
        Assert.NotNull(home.Find("#meeting-code"));
    }
}
