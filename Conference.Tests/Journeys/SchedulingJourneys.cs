using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Conference.Tests.Infrastructure;
using Conference.Tests.Web;
using Ical.Net.CalendarComponents;
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
        await JourneyFixture.ScreenshotAsync(host.Page, "scheduled-meeting-desktop");

        // The mail Ivy received: a calendar invitation (METHOD:REQUEST) with her personal link.
        var mail = await MailToAsync(invitee);
        Assert.Contains("Quarterly planning", mail.Message.Subject);
        var calendar = Assert.Single(mail.Message.BodyParts.OfType<MimeKit.TextPart>(), part => part.ContentType.MimeType == "text/calendar");
        Assert.Equal("REQUEST", calendar.ContentType.Parameters["method"]);
        var link = PersonalLink().Match(mail.Message.TextBody ?? "");
        Assert.True(link.Success, mail.Message.TextBody);
        Assert.Equal(new Uri(fixture.Site, $"m/{code}").AbsoluteUri, link.Value[..link.Value.IndexOf('?')]);

        // The invitation as a calendar shows it: its .ics read back with Ical.Net, its fields drawn as an event card in
        // Ivy's browser (the README's picture of the invitation).
        var invitation = Ical.Net.Calendar.Load(calendar.Text)!.Events.Single();
        Assert.Equal("Quarterly planning", invitation.Summary);
        Assert.Equal(Ical.Net.FrequencyType.Weekly, invitation.RecurrenceRule!.Frequency);
        Assert.Equal(new Uri($"mailto:{invitee}"), Assert.Single(invitation.Attendees).Value);
        Assert.Equal(link.Value, invitation.Url!.AbsoluteUri);
        var ivy = await fixture.NewPageAsync();
        await ivy.Page.SetContentAsync(InvitationCard(invitation));
        await Assertions.Expect(ivy.Page.Locator("article.event h1")).ToHaveTextAsync("Quarterly planning");
        await JourneyFixture.ScreenshotAsync(ivy.Page, "invitation-calendar-desktop");

        // Ivy opens it: her name is filled in, and she is in the call without waiting in the lobby.
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

    /// <summary>
    /// An HTML event card of the invitation's fields, the way a calendar shows an invitation: summary, start and end in
    /// the event's time zone (TZID), the recurrence rule (RRULE; UNTIL is UTC, RFC 5545 §3.3.10), organizer, attendee
    /// with participation status, location, URL and description. Every value is HTML-encoded.
    /// </summary>
    static string InvitationCard(CalendarEvent invitation)
    {
        static string E(object? value) => WebUtility.HtmlEncode(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "");
        static string When(Ical.Net.DataTypes.CalDateTime? time) => time is null
            ? ""
            : $"{time.Value.ToString("dddd d MMMM yyyy, HH:mm", CultureInfo.InvariantCulture)} ({time.TzId ?? (time.IsUtc ? "UTC" : "floating")})";
        static string Person(Uri? address, string? name) =>
            $"{E(name)} &lt;{E(address?.ToString().Replace("mailto:", "", StringComparison.OrdinalIgnoreCase))}&gt;";
        var rule = invitation.RecurrenceRule;
        var repeats = rule is null
            ? "does not repeat"
            : $"{rule.Frequency.ToString().ToLowerInvariant()}" + (rule.Until is { } until
                ? $" until {until.Value.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC"
                : "") + $" <code>RRULE:{E(rule)}</code>";
        var attendees = string.Join("<br>", invitation.Attendees.Select(a =>
            $"{Person(a.Value, a.CommonName)} · {E(a.Role)} · {E(a.ParticipationStatus)}{(a.Rsvp ? " · RSVP" : "")}"));
        return $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>{{E(invitation.Summary)}}</title><style>
            body { font: 15px/1.45 system-ui, sans-serif; background: #eef1f5; margin: 0; padding: 40px; color: #1c2430; }
            article.event { max-width: 720px; margin: 0 auto; background: #fff; border-radius: 10px; overflow: hidden;
              box-shadow: 0 2px 10px rgba(0,0,0,.12); }
            header { background: #2f6fdb; color: #fff; padding: 18px 24px; }
            header p { margin: 0; opacity: .85; font-size: 13px; text-transform: uppercase; letter-spacing: .05em; }
            h1 { margin: 4px 0 0; font-size: 24px; }
            dl { display: grid; grid-template-columns: 130px 1fr; gap: 10px 16px; padding: 20px 24px; margin: 0; }
            dt { color: #5b6675; font-weight: 600; }
            dd { margin: 0; overflow-wrap: anywhere; }
            dd.description { white-space: pre-wrap; }
            code { font-size: 12px; color: #5b6675; display: block; }
            </style></head><body>
            <article class="event">
              <header><p>Invitation (METHOD:REQUEST) · calendar event</p><h1>{{E(invitation.Summary)}}</h1></header>
              <dl>
                <dt>Starts</dt><dd>{{E(When(invitation.DtStart))}}</dd>
                <dt>Ends</dt><dd>{{E(When(invitation.DtEnd))}}</dd>
                <dt>Repeats</dt><dd>{{repeats}}</dd>
                <dt>Organizer</dt><dd>{{Person(invitation.Organizer?.Value, invitation.Organizer?.CommonName)}}</dd>
                <dt>Attendees</dt><dd>{{attendees}}</dd>
                <dt>Location</dt><dd>{{E(invitation.Location)}}</dd>
                <dt>URL</dt><dd>{{E(invitation.Url)}}</dd>
                <dt>Description</dt><dd class="description">{{E(invitation.Description)}}</dd>
                <dt>Status</dt><dd>{{E(invitation.Status)}} · sequence {{invitation.Sequence}}</dd>
              </dl>
            </article>
            </body></html>
            """;
    }

    [GeneratedRegex(@"https?://[^\s<>""]+/m/[a-z]{3}-[a-z]{4}-[a-z]{3}\?invite=[A-Za-z0-9_-]+")]
    private static partial Regex PersonalLink();
}
