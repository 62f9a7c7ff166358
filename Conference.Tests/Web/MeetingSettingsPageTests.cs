using System.Net;
using Bunit;
using Conference.Web.Components.Meetings;

namespace Conference.Tests.Web;

public sealed class MeetingSettingsPageTests : WebComponentTest
{
    // Its page is interactive in the app (its form is off until then: Shared/UntilInteractive).
    public MeetingSettingsPageTests() => RenderInteractively();

    static object MeetingJson(bool lobby = false, int max = 50, string access = "HostOnly", bool callerIsHost = true) => new
    {
        slug = "abc-defg-hij", title = "Planning", hostName = "Ada Host", createdAt = DateTimeOffset.UtcNow,
        settings = new { lobbyEnabled = lobby, locked = false, maxParticipants = max, autoRecord = false, recordingAccess = access },
        callerIsHost,
    };

    [Fact]
    public void Someone_who_is_not_the_host_is_told_who_can_change_the_settings_and_gets_no_form()
    {
        Api.On("GET", "/api/meetings/abc-defg-hij", MeetingJson(callerIsHost: false));
        var page = Render<MeetingSettingsPage>(parameters => parameters.Add(p => p.Slug, "abc-defg-hij"));

        page.WaitForAssertion(() => Assert.Equal("Only the host can change these settings", page.Find("#not-host h2").TextContent));
        Assert.Contains("Ada Host hosts this meeting", page.Find("#not-host").TextContent);
        Assert.Equal("m/abc-defg-hij", page.Find("#not-host a").GetAttribute("href"));
        Assert.Empty(page.FindAll("form"));
        Assert.Empty(page.FindAll("button"));
    }

    [Fact]
    public void The_host_turns_on_the_lobby_and_lets_participants_see_the_recordings()
    {
        Api.On("GET", "/api/meetings/abc-defg-hij", MeetingJson());
        Api.On("PUT", "/api/meetings/abc-defg-hij/settings", MeetingJson(lobby: true, max: 12, access: "Participants"));
        var page = Render<MeetingSettingsPage>(parameters => parameters.Add(p => p.Slug, "abc-defg-hij"));
        page.WaitForAssertion(() => page.Find("#lobbyEnabled"));

        page.Find("#lobbyEnabled").Change(true);
        page.Find("#maxParticipants").Change("12");
        page.FindAll("input[type=radio]")[1].Change("Participants");
        page.Find("form").Submit();

        page.WaitForAssertion(() => Assert.Contains("Saved.", page.Markup));
        Assert.Equal("""{"lobbyEnabled":true,"locked":false,"maxParticipants":12,"autoRecord":false,"recordingAccess":"Participants"}""",
            Assert.Single(Api.Seen("PUT", "/api/meetings/abc-defg-hij/settings")).Body);
    }

    [Fact]
    public void A_size_the_api_refuses_is_explained_at_the_field()
    {
        Api.On("GET", "/api/meetings/abc-defg-hij", MeetingJson());
        Api.OnProblem("PUT", "/api/meetings/abc-defg-hij/settings", HttpStatusCode.BadRequest, "One or more validation errors occurred.",
            errors: new() { ["settings.maxParticipants"] = ["settings.maxParticipants must be between 2 and 100."] });
        var page = Render<MeetingSettingsPage>(parameters => parameters.Add(p => p.Slug, "abc-defg-hij"));
        page.WaitForAssertion(() => page.Find("#maxParticipants"));

        page.Find("#maxParticipants").Change("1000");
        page.Find("form").Submit();

        page.WaitForAssertion(() => Assert.Equal("The number of people must be between 2 and 100.", page.Find("#settings-maxParticipants-error").TextContent));
    }

    [Theory]
    [InlineData("", "Enter how many people may be in the meeting at once, from 2 to 100.")]
    [InlineData("2.5", "Enter how many people may be in the meeting at once in digits, as a whole number such as 10, from 2 to 100.")]
    [InlineData("1e2", "Enter how many people may be in the meeting at once in digits, as a whole number such as 10, from 2 to 100.")]
    public void An_emptied_or_unreadable_size_is_explained_at_the_field_and_nothing_is_sent(string typed, string message)
    {
        // A newcomer cleared "Most people at once" and pressed Save: nothing happened, no word, no "Saved.". Another
        // typed 2.5 and 1e2 (numbers to the browser, not whole numbers): a red border, no word, and Save did nothing.
        Api.On("GET", "/api/meetings/abc-defg-hij", MeetingJson());
        Api.On("PUT", "/api/meetings/abc-defg-hij/settings", MeetingJson(max: 12));
        var page = Render<MeetingSettingsPage>(parameters => parameters.Add(p => p.Slug, "abc-defg-hij"));
        page.WaitForAssertion(() => page.Find("#maxParticipants"));

        page.Find("#maxParticipants").Change(typed);
        page.Find("form").Submit();

        page.WaitForAssertion(() => Assert.Equal(message, page.Find("#settings-maxParticipants-error").TextContent));
        Assert.DoesNotContain("Saved.", page.Markup);
        Assert.Empty(Api.Seen("PUT", "/api/meetings/abc-defg-hij/settings"));

        // Filled in again, it saves, and the message goes.
        page.Find("#maxParticipants").Change("12");
        page.Find("form").Submit();
        page.WaitForAssertion(() => Assert.Contains("Saved.", page.Markup));
        Assert.Empty(page.FindAll("#settings-maxParticipants-error"));
    }

    [Fact]
    public void Deleting_asks_first_and_then_goes_home()
    {
        Api.On("GET", "/api/meetings/abc-defg-hij", MeetingJson());
        Api.On("DELETE", "/api/meetings/abc-defg-hij", null, HttpStatusCode.NoContent);
        var page = Render<MeetingSettingsPage>(parameters => parameters.Add(p => p.Slug, "abc-defg-hij"));
        page.WaitForAssertion(() => page.Find("button:contains('Delete meeting…')"));

        page.Find("button:contains('Delete meeting…')").Click();
        Assert.Empty(Api.Seen("DELETE", "/api/meetings/abc-defg-hij"));
        page.Find(".confirm-delete .button-danger").Click();

        page.WaitForAssertion(() => Assert.Equal("http://localhost/", Navigation.Uri));
        Assert.Single(Api.Seen("DELETE", "/api/meetings/abc-defg-hij"));
    }
}
