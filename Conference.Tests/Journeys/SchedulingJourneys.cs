using System.Net;
using System.Text.RegularExpressions;
using Conference.Tests.Infrastructure;
using Conference.Tests.Web;
using Microsoft.Playwright;

namespace Conference.Tests.Journeys;

/// <summary>
/// Scheduled meetings and mail as people live them (issue 17), through the front door with the api sending through a
/// real SMTP server: a host schedules a meeting and invites someone, the invitee opens the personal link from the mail
/// they received and is in the meeting under their name. (The password-reset journey is out of the suite until it
/// passes: every journey browser shares one address and its five account steps meet the api's 10-a-minute limit.)
/// (A revoked link's words are MeetingLinkPageTests'; the lobby an invitee skips, PersonalLinkTests'.)
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed partial class SchedulingJourneys(JourneyFixture fixture) : BrowserTest(fixture)
{
    /// <summary>The outbox is woken by each new mail; this bounds a slow delivery on a loaded machine.</summary>
    static readonly TimeSpan MailArrives = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task An_invitee_opens_the_link_from_the_mail_and_is_in_the_meeting_under_their_name()
    {
        var host = await fixture.NewPageAsync();
        await Journey.SignUpAsync(host, "Sam Host");
        var invitee = $"ivy-{Guid.NewGuid():N}@example.org";

        // The host schedules a meeting for tomorrow in the browser's time zone, inviting Ivy, who skips the lobby.
        await WebJourney.GotoInteractiveAsync(host.Page, "schedule");
        await host.Page.GetByLabel("Title").FillAsync("Quarterly planning");
        await host.Page.GetByLabel("Date").FillAsync(DateTime.Now.AddDays(1).ToString("yyyy-MM-dd"));
        await host.Page.GetByLabel("Start time").FillAsync("10:30");
        await host.Page.GetByLabel("Duration").SelectOptionAsync("45");
        await host.Page.GetByLabel("Repeats").SelectOptionAsync("Weekly");
        await host.Page.GetByLabel("Until").FillAsync(DateTime.Now.AddDays(30).ToString("yyyy-MM-dd"));
        await host.Page.GetByLabel("Description").FillAsync("Numbers first, then plans.");
        await host.Page.GetByLabel("Invite by email").FillAsync($"Ivy Invitee <{invitee}>");
        await host.Page.GetByLabel("Invited people skip the lobby").CheckAsync();
        await Assertions.Expect(host.Page.Locator("#schedule-zone strong")).Not.ToHaveTextAsync("…");
        await JourneyFixture.ScreenshotAsync(host.Page, "scheduling");
        await host.Page.GetByRole(AriaRole.Button, new() { Name = "Schedule and send invitations" }).ClickAsync();

        await WebJourney.WaitForPageAsync(host.Page, path => path == "/");
        await Assertions.Expect(host.Page.GetByText("Meeting scheduled; the invitations are on their way.")).ToBeVisibleAsync();
        var row = host.Page.Locator("li.scheduled-row").Filter(new() { HasTextString = "Quarterly planning" });
        await Assertions.Expect(row).ToContainTextAsync("weekly until");
        await Assertions.Expect(row).ToContainTextAsync($"{invitee} invited");
        var code = (await row.Locator("a.meeting-name").GetAttributeAsync("href"))!["m/".Length..];

        // The mail Ivy received: a calendar invitation (METHOD:REQUEST) with her personal link.
        var mail = await MailToAsync(invitee);
        Assert.Contains("Quarterly planning", mail.Message.Subject);
        var calendar = Assert.Single(mail.Message.BodyParts.OfType<MimeKit.TextPart>(), part => part.ContentType.MimeType == "text/calendar");
        Assert.Equal("REQUEST", calendar.ContentType.Parameters["method"]);
        var link = PersonalLink().Match(mail.Message.TextBody ?? "");
        Assert.True(link.Success, mail.Message.TextBody);
        Assert.Equal(new Uri(fixture.Site, $"m/{code}").AbsoluteUri, link.Value[..link.Value.IndexOf('?')]);

        // Ivy opens it: her name is filled in, and she is in the call without waiting in the lobby.
        var ivy = await fixture.NewPageAsync();
        await Journey.AccountStepsAsync(1); // the page redeems the personal link
        await ivy.Page.GotoAsync(link.Value);
        await WebJourney.WaitForPageAsync(ivy.Page, path => path == $"/m/{code}");
        await Assertions.Expect(ivy.Page.Locator("#display-name")).ToHaveValueAsync("Ivy Invitee", new() { Timeout = Journey.PageLoad });
        Assert.DoesNotContain("invite=", ivy.Page.Url);
        await WebJourney.ExpectCameraPreviewAsync(ivy.Page);
        await ivy.Page.GetByRole(AriaRole.Button, new() { Name = "Join", Exact = true }).ClickAsync();
        await Journey.ExpectConnectedAsync(ivy);
        await Assertions.Expect(Journey.Tile(ivy, "Ivy Invitee")).ToBeVisibleAsync();
        await ivy.ExpectNothingWrongAsync();

        await host.ExpectNothingWrongAsync();
    }

    /// <summary>The first mail the SMTP server received for <paramref name="address"/>.</summary>
    async Task<SmtpCaptureServer.ReceivedMail> MailToAsync(string address)
    {
        using var cancellation = new CancellationTokenSource(MailArrives);
        while (true)
        {
            if (fixture.Mail.Received().FirstOrDefault(m => m.RcptTo.Contains(address, StringComparer.OrdinalIgnoreCase)) is { } mail)
            {
                return mail;
            }
            if (cancellation.IsCancellationRequested)
            {
                throw new TimeoutException($"No mail to {address} within {MailArrives}; the server received {fixture.Mail.Received().Count}.");
            }
            await Task.Delay(200);
        }
    }

    [GeneratedRegex(@"https?://[^\s<>""]+/m/[a-z]{3}-[a-z]{4}-[a-z]{3}\?invite=[A-Za-z0-9_-]+")]
    private static partial Regex PersonalLink();
}
