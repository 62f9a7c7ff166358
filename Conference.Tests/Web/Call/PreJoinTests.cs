using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components;
using Conference.Web.Components.Call;
using Microsoft.AspNetCore.Components.Authorization;

namespace Conference.Tests.Web.Call;

public class PreJoinTests : CallTestBase
{
    // The pre-join runs in a circuit; one test shows its prerendered form.
    public PreJoinTests() => SetRendererInfo(new RendererInfo("Server", isInteractive: true));

    [Fact]
    public void Remembers_the_name_and_joins_with_the_chosen_devices()
    {
        Preview.Storage[PreJoin.NameKey] = "Ada Lovelace";
        PreJoinChoices? chosen = null;
        var cut = Render<PreJoin>(p => p.Add(x => x.OnJoin, (PreJoinChoices c) => chosen = c));

        cut.WaitForAssertion(() => Assert.Equal("Ada Lovelace", cut.Find("#display-name").GetAttribute("value")));
        DevicesListed(cut);
        Assert.Contains("camera:", Preview.Calls);
        Assert.Contains("microphone:", Preview.Calls);

        cut.Find("#display-name").Input("  Grace Hopper ");
        cut.Find("#camera-select").Change("cam-2");
        cut.Find("form").Submit();

        Assert.NotNull(chosen);
        Assert.Equal("Grace Hopper", chosen.DisplayName);
        Assert.Equal(new MediaChoices(true, true, "mic-1", "cam-2"), chosen.Media);
        Assert.Equal("Grace Hopper", Preview.Storage[PreJoin.NameKey]);
        Assert.Contains("stop-camera", Preview.Calls);
    }

    [Fact]
    public void A_signed_in_host_without_a_remembered_name_starts_with_the_account_name()
    {
        var host = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "Ada Host")], "cookie"));
        var cut = Render<PreJoin>(p => p.AddCascadingValue(Task.FromResult(new AuthenticationState(host))));

        cut.WaitForAssertion(() => Assert.Equal("Ada Host", cut.Find("#display-name").GetAttribute("value")));

        Preview.Storage[PreJoin.NameKey] = "Ada at home";
        var remembered = Render<PreJoin>(p => p.AddCascadingValue(Task.FromResult(new AuthenticationState(host))));
        remembered.WaitForAssertion(() => Assert.Equal("Ada at home", remembered.Find("#display-name").GetAttribute("value")));
    }

    [Fact]
    public void The_name_takes_no_typing_until_the_remembered_one_is_in_it()
    {
        // The remembered name is a round trip to the browser. Typing allowed meanwhile, the server's writing it into
        // the input moved the cursor behind it, and the typed name landed there too: a journey's host, signed in as
        // "Cam Host" and filling in "Cam Host", joined as "Cam HostCam Host".
        Preview.Storage[PreJoin.NameKey] = "Ada Lovelace";
        Preview.StorageAnswers = new(TaskCreationOptions.RunContinuationsAsynchronously);
        PreJoinChoices? chosen = null;
        var cut = Render<PreJoin>(p => p.Add(x => x.OnJoin, (PreJoinChoices c) => chosen = c));

        Assert.True(cut.Find("#display-name").HasAttribute("disabled"));
        Assert.True(cut.Find("button[type=submit]").HasAttribute("disabled"));

        Preview.StorageAnswers.SetResult();
        cut.WaitForAssertion(() => Assert.False(cut.Find("#display-name").HasAttribute("disabled")));
        Assert.Equal("Ada Lovelace", cut.Find("#display-name").GetAttribute("value"));
        DevicesListed(cut);
        cut.Find("#display-name").Input("Grace Hopper");
        cut.Find("form").Submit();
        Assert.Equal("Grace Hopper", chosen!.DisplayName);
    }

    [Fact]
    public void With_no_name_remembered_the_name_takes_typing_once_the_browser_has_said_so()
    {
        Preview.StorageAnswers = new(TaskCreationOptions.RunContinuationsAsynchronously);
        var cut = Render<PreJoin>();
        Assert.True(cut.Find("#display-name").HasAttribute("disabled"));

        Preview.StorageAnswers.SetResult();
        cut.WaitForAssertion(() => Assert.False(cut.Find("#display-name").HasAttribute("disabled")));
        Assert.Equal("", cut.Find("#display-name").GetAttribute("value") ?? "");
    }

    [Fact]
    public void Before_the_page_is_interactive_the_name_takes_no_typing_and_join_is_off()
    {
        Preview.Storage[PreJoin.NameKey] = "Ada Lovelace";
        SetRendererInfo(new RendererInfo("Static", isInteractive: false));
        var cut = Render<PreJoin>();

        Assert.True(cut.Find("#display-name").HasAttribute("disabled"));
        Assert.True(cut.Find("button[type=submit]").HasAttribute("disabled"));
    }

    [Fact]
    public void The_join_button_says_joining_from_the_click_on_and_takes_no_second_click()
    {
        var joins = 0;
        var cut = Render<PreJoin>(p => p.Add(x => x.OnJoin, (PreJoinChoices _) => joins++));
        DevicesListed(cut);
        cut.Find("#display-name").Input("Ada");
        Preview.CameraStops = new(TaskCreationOptions.RunContinuationsAsynchronously);

        cut.Find("form").Submit();

        var button = cut.Find("button[type=submit]");
        Assert.Equal("Joining…", button.TextContent);
        Assert.True(button.HasAttribute("disabled"));
        cut.Find("form").Submit();
        Preview.CameraStops.SetResult();
        cut.WaitForAssertion(() => Assert.Equal("Join", cut.Find("button[type=submit]").TextContent));
        Assert.Equal(1, joins);
    }

    [Fact]
    public async Task A_join_while_the_camera_is_still_opening_starts_no_microphone_after_the_page_has_gone()
    {
        // The newcomer's Join within 0.8 s: the first preview was still opening; when it answered, the gone page
        // started a microphone preview with no meter, which threw ten times a second for the rest of the call.
        Preview.Storage[PreJoin.NameKey] = "Ada";
        Preview.CameraStarts = new(TaskCreationOptions.RunContinuationsAsynchronously);
        PreJoinChoices? chosen = null;
        var cut = Render<PreJoin>(p => p.Add(x => x.OnJoin, (PreJoinChoices c) => chosen = c));
        cut.WaitForAssertion(() => Assert.Contains("camera:", Preview.Calls));

        cut.Find("form").Submit();
        Assert.NotNull(chosen);
        await DisposeComponentsAsync();
        Preview.CameraStarts.SetResult();

        // The first render's continuation is queued on the renderer's dispatcher; this runs after it.
        await cut.InvokeAsync(() => { });
        Assert.DoesNotContain("microphone:", Preview.Calls);
    }

    [Fact]
    public void Joins_with_camera_and_microphone_off()
    {
        PreJoinChoices? chosen = null;
        var cut = Render<PreJoin>(p => p.Add(x => x.OnJoin, (PreJoinChoices c) => chosen = c));
        DevicesListed(cut);

        cut.Find("#display-name").Input("Ada");
        cut.FindAll(".toggle input")[0].Change(false);
        cut.FindAll(".toggle input")[1].Change(false);
        cut.Find("form").Submit();

        Assert.Equal(new MediaChoices(false, false, "mic-1", "cam-1"), chosen!.Media);
        Assert.True(cut.Find("#camera-select").HasAttribute("disabled"));
    }

    [Fact]
    public void Says_clearly_when_the_browser_has_no_permission_or_no_device_and_joins_without_them()
    {
        Preview.Camera = new PreviewResult(false, Failure: MediaFailure.Permission, Message: "Permission denied");
        Preview.Microphone = new PreviewResult(false, Failure: MediaFailure.NoDevice, Message: "Requested device not found");
        PreJoinChoices? chosen = null;
        var cut = Render<PreJoin>(p => p.Add(x => x.OnJoin, (PreJoinChoices c) => chosen = c));

        cut.WaitForAssertion(() => Assert.Contains("not allowed to use your camera", cut.Find("[data-testid=camera-error]").TextContent));
        Assert.Contains("No microphone was found", cut.Find("[data-testid=microphone-error]").TextContent);
        Assert.Equal("alert", cut.Find("[data-testid=camera-error]").GetAttribute("role"));

        cut.Find("#display-name").Input("Ada");
        cut.Find("form").Submit();
        Assert.False(chosen!.Media.Camera);
        Assert.False(chosen.Media.Microphone);
    }

    [Fact]
    public void Join_needs_a_name()
    {
        var joined = false;
        var cut = Render<PreJoin>(p => p.Add(x => x.OnJoin, (PreJoinChoices _) => joined = true));
        DevicesListed(cut);
        Assert.True(cut.Find("button[type=submit]").HasAttribute("disabled"));
        // Join was simply disabled, and nothing said why: the name field says it.
        cut.WaitForAssertion(() => Assert.Equal("Enter your name to join.", cut.Find("#display-name-needed").TextContent));
        Assert.Contains("display-name-needed", cut.Find("#display-name").GetAttribute("aria-describedby")!.Split(' '));
        cut.Find("#display-name").Input("   ");
        Assert.NotEmpty(cut.FindAll("#display-name-needed"));
        cut.Find("form").Submit();
        Assert.False(joined);

        cut.Find("#display-name").Input("Ada");
        Assert.Empty(cut.FindAll("#display-name-needed"));
        Assert.Equal("display-name-length", cut.Find("#display-name").GetAttribute("aria-describedby"));
        Assert.False(cut.Find("button[type=submit]").HasAttribute("disabled"));
    }

    [Fact]
    public void A_name_over_the_limit_is_kept_whole_and_said_to_be_too_long_instead_of_being_cut()
    {
        var joined = false;
        var cut = Render<PreJoin>(p => p.Add(x => x.OnJoin, (PreJoinChoices _) => joined = true));
        DevicesListed(cut);

        cut.Find("#display-name").Input(new string('n', 500));

        Assert.Equal("Your name is 500 characters long; it can be at most 64. Shorten it by 436.", cut.Find("#display-name-length").TextContent);
        Assert.Equal(500, cut.Find("#display-name").GetAttribute("value")!.Length);
        Assert.Null(cut.Find("#display-name").GetAttribute("maxlength"));
        Assert.True(cut.Find("button[type=submit]").HasAttribute("disabled"));
        cut.Find("form").Submit();
        Assert.False(joined);

        // Counted as a reader sees them: 64 emoji are 64 characters, not the 448 UTF-16 units they take.
        cut.Find("#display-name").Input(string.Concat(Enumerable.Repeat("👩🏽‍💻", 64)));
        Assert.Equal("64 of 64 characters", cut.Find("#display-name-length").TextContent);
        cut.Find("form").Submit();
        Assert.True(joined);
    }

    /// <summary>The preview has started and the device lists are in: the component has finished its first-render work.</summary>
    static void DevicesListed(IRenderedComponent<PreJoin> cut) =>
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("#camera-select option").Count));
}
