using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Conference.Api.Scheduling;
using Conference.Tests.Api;
using Conference.Tests.Infrastructure;
using Ical.Net;
using Microsoft.EntityFrameworkCore;

namespace Conference.Tests.Scheduling;

/// <summary>
/// Scheduling through the api, read back from the mail a real SMTP server received: invitations (iTIP REQUEST) with a
/// personal link per invitee, updates with a higher SEQUENCE and the same UID, cancellation for all or for one, and
/// bad input answered with a problem naming the field while nothing is stored or sent.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class SchedulingApiTests(ApiFixture fixture) : SchedulingTests
{
    /// <summary>Tomorrow's date in Berlin at 09:00 would pass a DST change on some days; a fixed future date keeps the expectations exact.</summary>
    static readonly DateTime Start = new(DateTime.UtcNow.Year + 1, 3, 22, 9, 0, 0);

    static object Weekly(params object[] invitees) => new
    {
        title = "Weekly planning",
        description = "Budget; hiring, and \"the rest\"",
        start = Start.ToString("yyyy-MM-ddTHH:mm"),
        timeZone = "Europe/Berlin",
        durationMinutes = 45,
        recurrence = "Weekly",
        recursUntil = Start.AddDays(21).ToString("yyyy-MM-dd"),
        invitees = invitees.Length == 0 ? null : invitees,
    };

    static async Task<SchedulingApi.ScheduledMeetingResponse> ScheduleAsync(SchedulingSite site, object request)
    {
        var created = await site.Host.PostAsJsonAsync("/api/scheduled-meetings", request);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<SchedulingApi.ScheduledMeetingResponse>(Json))!;
    }

    [Fact]
    public async Task Each_invitee_gets_a_request_with_their_own_link_and_only_themselves_as_attendee()
    {
        var site = await SchedulingSite.StartAsync(fixture, Smtp);
        var scheduled = await ScheduleAsync(site, Weekly(new { email = "Bob@Example.org", name = "Bob Müller" }, new { email = "cleo@example.org" }));
        Assert.Equal(0, scheduled.Sequence);
        Assert.Equal(["bob@example.org", "cleo@example.org"], scheduled.Invitees.Select(i => i.Email));

        var mails = await Smtp.WaitForAsync(2);
        Assert.Equal(2, mails.Count);
        var links = new List<Uri>();
        foreach (var received in mails)
        {
            var message = received.Message;
            var to = message.To.Mailboxes.Single().Address;
            Assert.Equal("Invitation: Weekly planning", message.Subject);
            Assert.Equal(SchedulingSite.HostEmail, message.ReplyTo.Mailboxes.Single().Address);
            Assert.Equal([to], received.RcptTo);
            var (method, text) = SchedulingSite.CalendarOf(message);
            Assert.Equal("REQUEST", method);
            var calendar = Calendar.Load(text)!;
            Assert.Equal("REQUEST", calendar.Method);
            Assert.Equal("Europe/Berlin", Assert.Single(calendar.TimeZones).TzId);
            var calendarEvent = Assert.Single(calendar.Events);
            Assert.Equal(scheduled.Uid, calendarEvent.Uid);
            Assert.Equal(0, calendarEvent.Sequence);
            Assert.Equal("Weekly planning", calendarEvent.Summary);
            Assert.Equal(Start, calendarEvent.DtStart!.Value);
            Assert.Equal("Europe/Berlin", calendarEvent.DtStart.TzId);
            Assert.Equal(Start.AddMinutes(45), calendarEvent.DtEnd!.Value);
            Assert.Equal(FrequencyType.Weekly, calendarEvent.RecurrenceRule!.Frequency);
            Assert.Equal(new Uri("mailto:" + SchedulingSite.HostEmail), calendarEvent.Organizer!.Value);
            Assert.Equal(new Uri("mailto:" + to), Assert.Single(calendarEvent.Attendees).Value);
            // The personal link: this meeting's, with a token, in LOCATION, URL and both text parts.
            var link = calendarEvent.Url!;
            Assert.StartsWith($"{SchedulingSite.SiteUrl}m/{scheduled.Slug}?invite=", link.ToString(), StringComparison.Ordinal);
            Assert.Equal(link.ToString(), calendarEvent.Location);
            Assert.Contains(link.ToString(), calendarEvent.Description, StringComparison.Ordinal);
            Assert.Contains($"Join: {link}", SchedulingSite.TextOf(message), StringComparison.Ordinal);
            links.Add(link);
        }
        Assert.NotEqual(links[0], links[1]);
        Assert.Equal("Bob Müller", mails.Select(m => m.Message.To.Mailboxes.Single()).Single(m => m.Address == "bob@example.org").Name);

        // The link's token is stored only as a hash and encrypted.
        var stored = await site.DbAsync(db => db.Invitees.AsNoTracking().ToListAsync());
        foreach (var link in links)
        {
            var token = link.Query.Split('=')[1];
            Assert.DoesNotContain(stored, i => i.ProtectedLinkToken.Contains(token, StringComparison.Ordinal) || i.LinkTokenHash == token);
            Assert.Single(stored, i => i.LinkTokenHash == PersonalLinks.Hash(token));
        }
    }

    [Fact]
    public async Task Changing_the_time_sends_an_update_with_the_same_uid_and_link_and_a_higher_sequence()
    {
        var site = await SchedulingSite.StartAsync(fixture, Smtp);
        var scheduled = await ScheduleAsync(site, Weekly(new { email = "bob@example.org" }));
        var invitation = Calendar.Load(SchedulingSite.CalendarOf(Assert.Single(await Smtp.WaitForAsync(1)).Message).Text)!.Events.Single();

        var moved = await site.Host.PutAsJsonAsync($"/api/scheduled-meetings/{scheduled.Slug}", new
        {
            title = "Weekly planning",
            description = "Budget; hiring, and \"the rest\"",
            start = Start.AddHours(2).ToString("yyyy-MM-ddTHH:mm"),
            timeZone = "Europe/Berlin",
            durationMinutes = 60,
            recurrence = "Weekly",
            recursUntil = Start.AddDays(21).ToString("yyyy-MM-dd"),
        });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Equal(1, (await moved.Content.ReadFromJsonAsync<SchedulingApi.ScheduledMeetingResponse>(Json))!.Sequence);

        var update = (await Smtp.WaitForAsync(2))[1].Message;
        Assert.Equal("Updated invitation: Weekly planning", update.Subject);
        var (method, text) = SchedulingSite.CalendarOf(update);
        Assert.Equal("REQUEST", method);
        var updated = Calendar.Load(text)!.Events.Single();
        Assert.Equal(invitation.Uid, updated.Uid);
        Assert.Equal(1, updated.Sequence);
        Assert.Equal(invitation.Url, updated.Url);
        Assert.Equal(Start.AddHours(2), updated.DtStart!.Value);
        Assert.Equal(Start.AddHours(3), updated.DtEnd!.Value);

        // The lobby choice changes no calendar: no SEQUENCE, no mail.
        var lobbyOnly = await site.Host.PutAsJsonAsync($"/api/scheduled-meetings/{scheduled.Slug}", new
        {
            title = "Weekly planning",
            description = "Budget; hiring, and \"the rest\"",
            start = Start.AddHours(2).ToString("yyyy-MM-ddTHH:mm"),
            timeZone = "Europe/Berlin",
            durationMinutes = 60,
            recurrence = "Weekly",
            recursUntil = Start.AddDays(21).ToString("yyyy-MM-dd"),
            inviteesSkipLobby = true,
        });
        var unchanged = (await lobbyOnly.Content.ReadFromJsonAsync<SchedulingApi.ScheduledMeetingResponse>(Json))!;
        Assert.Equal(1, unchanged.Sequence);
        Assert.True(unchanged.InviteesSkipLobby);
        Assert.Equal(2, (await site.OutboxAsync()).Count);
    }

    [Fact]
    public async Task Removing_one_invitee_cancels_for_them_only_and_cancelling_the_meeting_cancels_for_everyone_left()
    {
        var site = await SchedulingSite.StartAsync(fixture, Smtp);
        var scheduled = await ScheduleAsync(site, Weekly(new { email = "bob@example.org" }, new { email = "cleo@example.org" }));
        await Smtp.WaitForAsync(2);
        var bob = scheduled.Invitees.Single(i => i.Email == "bob@example.org");

        Assert.Equal(HttpStatusCode.NoContent,
            (await site.Host.DeleteAsync($"/api/scheduled-meetings/{scheduled.Slug}/invitees/{bob.Id}")).StatusCode);
        var removal = (await Smtp.WaitForAsync(3))[2];
        Assert.Equal(["bob@example.org"], removal.RcptTo);
        var (method, text) = SchedulingSite.CalendarOf(removal.Message);
        Assert.Equal("CANCEL", method);
        var calendar = Calendar.Load(text)!;
        Assert.Equal("CANCEL", calendar.Method);
        Assert.Equal(scheduled.Uid, calendar.Events.Single().Uid);
        Assert.Equal("CANCELLED", calendar.Events.Single().Status);
        Assert.Equal(new Uri("mailto:bob@example.org"), calendar.Events.Single().Attendees.Single().Value);
        // Removing again: there is no such invitee any more.
        Assert.Equal(HttpStatusCode.NotFound, (await site.Host.DeleteAsync($"/api/scheduled-meetings/{scheduled.Slug}/invitees/{bob.Id}")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await site.Host.DeleteAsync($"/api/scheduled-meetings/{scheduled.Slug}")).StatusCode);
        var cancellation = (await Smtp.WaitForAsync(4))[3];
        Assert.Equal(["cleo@example.org"], cancellation.RcptTo);
        Assert.Equal("Cancelled: Weekly planning", cancellation.Message.Subject);
        var (cancelMethod, cancelText) = SchedulingSite.CalendarOf(cancellation.Message);
        Assert.Equal("CANCEL", cancelMethod);
        var cancelled = Calendar.Load(cancelText)!.Events.Single();
        Assert.Equal(scheduled.Uid, cancelled.Uid);
        Assert.Equal(1, cancelled.Sequence); // a cancellation is a change of the event (RFC 5546 §2.1.4)

        // Cancelling again sends nothing; changing a cancelled meeting is refused.
        Assert.Equal(HttpStatusCode.NoContent, (await site.Host.DeleteAsync($"/api/scheduled-meetings/{scheduled.Slug}")).StatusCode);
        var change = await site.Host.PutAsJsonAsync($"/api/scheduled-meetings/{scheduled.Slug}", Weekly());
        Assert.Equal(HttpStatusCode.Conflict, change.StatusCode);
        Assert.Equal(4, (await site.OutboxAsync()).Count);
        var list = await site.Host.GetFromJsonAsync<List<SchedulingApi.ScheduledMeetingResponse>>("/api/scheduled-meetings", Json);
        Assert.DoesNotContain(list!, s => s.Slug == scheduled.Slug);
    }

    [Fact]
    public async Task Bad_input_is_a_problem_naming_the_field_and_nothing_is_stored_or_sent()
    {
        var site = await SchedulingSite.StartAsync(fixture, Smtp);
        var year = Start.Year;
        object Request(string? title = "Sync", string? start = null, string? timeZone = "Europe/Berlin", int? durationMinutes = 30,
            string? recurrence = null, string? recursUntil = null, object[]? invitees = null) =>
            new { title, start = start ?? Start.ToString("yyyy-MM-ddTHH:mm"), timeZone, durationMinutes, recurrence, recursUntil, invitees };

        var cases = new (string Field, object Body)[]
        {
            ("title", Request(title: null)),
            ("title", Request(title: "a\u202Eb")),
            ("start", Request(start: $"{year}-03-22T09:00:00Z")),
            ("start", Request(start: $"{year}-03-22T09:00:00+01:00")),
            ("start", Request(start: $"{year}-03-28T02:30")), // Berlin's clocks skip 02:00–03:00 on the last Sunday of March
            ("start", Request(start: "2020-01-01T09:00")),
            ("start", Request(start: $"{year + 5}-01-01T09:00")),
            ("timeZone", Request(timeZone: "Mars/Olympus")),
            ("timeZone", Request(timeZone: null)),
            ("durationMinutes", Request(durationMinutes: 2)),
            ("durationMinutes", Request(durationMinutes: null)),
            ("recursUntil", Request(recurrence: "Weekly")),
            ("recursUntil", Request(recurrence: "Weekly", recursUntil: $"{year}-03-01")),
            ("recursUntil", Request(recursUntil: $"{year}-04-01")),
            ("recurrence", Request(recurrence: "Hourly")),
            ("invitees[1].email", Request(invitees: [new { email = "ok@example.org" }, new { email = "not-an-address" }])),
            ("invitees[1].email", Request(invitees: [new { email = "ok@example.org" }, new { email = "OK@example.org" }])),
            ("invitees[0].email", Request(invitees: [new { email = "a@example.org, b@example.org" }])),
            ("invitees[0].name", Request(invitees: [new { email = "a@example.org", name = "\u0007bell" }])),
        };
        foreach (var (field, body) in cases)
        {
            var response = await site.Host.PostAsJsonAsync("/api/scheduled-meetings", body);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{field}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{field} not named in {problem}");
        }

        var scheduled = await ScheduleAsync(site, Weekly(new { email = "bob@example.org" }));
        Assert.Equal(HttpStatusCode.BadRequest, (await site.Host.PutAsJsonAsync($"/api/scheduled-meetings/{scheduled.Slug}",
            Request(timeZone: "Nowhere/Town"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await site.Host.GetAsync("/api/scheduled-meetings/NOT-A-SLUG")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await site.Host.GetAsync("/api/scheduled-meetings/abc-defg-hij")).StatusCode);
        var again = await site.Host.PostAsJsonAsync($"/api/scheduled-meetings/{scheduled.Slug}/invitees", new { email = "BOB@example.org" });
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Contains("\"email\"", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Another host sees none of it.
        var stranger = site.Api.CreateClient();
        var signUp = await stranger.PostAsJsonAsync("/api/accounts/signup", new { email = "eve@example.org", password = "correct horse battery", displayName = "Eve" });
        if (signUp.StatusCode == HttpStatusCode.Forbidden) // sign-up closed by default: the admin opens it
        {
            (await site.Host.PutAsJsonAsync("/api/admin/settings", new { signUpOpen = true })).EnsureSuccessStatusCode();
            (await stranger.PostAsJsonAsync("/api/accounts/signup", new { email = "eve@example.org", password = "correct horse battery", displayName = "Eve" }))
                .EnsureSuccessStatusCode();
        }
        await SchedulingSite.SignInAsync(stranger, "eve@example.org", "correct horse battery");
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/scheduled-meetings/{scheduled.Slug}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.DeleteAsync($"/api/scheduled-meetings/{scheduled.Slug}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PutAsJsonAsync($"/api/scheduled-meetings/{scheduled.Slug}", Weekly())).StatusCode);
        Assert.Empty((await stranger.GetFromJsonAsync<List<SchedulingApi.ScheduledMeetingResponse>>("/api/scheduled-meetings", Json))!);
        Assert.Equal(HttpStatusCode.Unauthorized, (await site.Api.CreateClient().GetAsync("/api/scheduled-meetings")).StatusCode);

        // Only the one good schedule was stored, and only its one invitation queued.
        Assert.Equal(1, await site.DbAsync(db => db.ScheduledMeetings.CountAsync()));
        Assert.Equal(0, (await site.DbAsync(db => db.ScheduledMeetings.SingleAsync())).Sequence);
        Assert.Single(await site.OutboxAsync());
    }
}
