using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Conference.Api.Scheduling;
using Conference.Tests.Api;
using Conference.Tests.Infrastructure;
using Ical.Net;

namespace Conference.Tests.Scheduling;

/// <summary>
/// The host's calendar feed: a secret URL anyone holding it can read without signing in (as calendar apps do), with
/// the host's scheduled meetings as METHOD:PUBLISH events, cancelled ones marked so; regenerating or revoking ends
/// the old URL.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class CalendarFeedTests(ApiFixture fixture) : SchedulingTests
{
    static readonly DateTime Start = new(DateTime.UtcNow.Year + 1, 10, 25, 9, 30, 0); // the day Berlin leaves summer time

    async Task<SchedulingApi.ScheduledMeetingResponse> ScheduleAsync(SchedulingSite site, string title, string recurrence = "None")
    {
        var created = await site.Host.PostAsJsonAsync("/api/scheduled-meetings", new
        {
            title,
            description = "Line one\nLine two, with; punctuation",
            start = Start.ToString("yyyy-MM-ddTHH:mm"),
            timeZone = "Europe/Berlin",
            durationMinutes = 30,
            recurrence,
            recursUntil = recurrence == "None" ? null : Start.AddDays(14).ToString("yyyy-MM-dd"),
            invitees = new[] { new { email = "bob@example.org" } },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<SchedulingApi.ScheduledMeetingResponse>(Json))!;
    }

    [Fact]
    public async Task The_secret_url_serves_the_hosts_meetings_until_regenerated_or_revoked()
    {
        var site = await SchedulingSite.StartAsync(fixture, Smtp);
        Assert.False((await site.Host.GetFromJsonAsync<CalendarFeedApi.CalendarFeedResponse>("/api/calendar-feed", Json))!.Exists);
        var weekly = await ScheduleAsync(site, "Weekly planning", "Weekly");
        var cancelled = await ScheduleAsync(site, "Called off");
        (await site.Host.DeleteAsync($"/api/scheduled-meetings/{cancelled.Slug}")).EnsureSuccessStatusCode();

        var made = (await (await site.Host.PostAsync("/api/calendar-feed", null)).Content.ReadFromJsonAsync<CalendarFeedApi.CalendarFeedResponse>(Json))!;
        Assert.StartsWith($"{SchedulingSite.SiteUrl}api/calendar-feed/", made.Url!.ToString(), StringComparison.Ordinal);
        Assert.EndsWith(".ics", made.Url.ToString(), StringComparison.Ordinal);
        Assert.True((await site.Host.GetFromJsonAsync<CalendarFeedApi.CalendarFeedResponse>("/api/calendar-feed", Json))!.Exists);

        var anonymous = site.Api.CreateClient();
        var response = await anonymous.GetAsync(made.Url.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/calendar", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType.CharSet);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("\n", text.Replace("\r\n", ""), StringComparison.Ordinal); // CRLF only
        var calendar = Calendar.Load(text)!;
        Assert.Equal("PUBLISH", calendar.Method);
        Assert.Equal(2, calendar.Events.Count);
        var series = calendar.Events.Single(e => e.Uid == weekly.Uid);
        Assert.Equal("Weekly planning", series.Summary);
        Assert.Equal("CONFIRMED", series.Status);
        Assert.Empty(series.Attendees); // invitees' addresses and links stay out of the host's feed
        Assert.Equal(new Uri($"{SchedulingSite.SiteUrl}m/{weekly.Slug}"), series.Url);
        Assert.Equal(new Uri("mailto:" + SchedulingSite.HostEmail), series.Organizer!.Value);
        Assert.Equal(Start, series.DtStart!.Value);
        Assert.Equal("Europe/Berlin", series.DtStart.TzId);
        Assert.Equal(FrequencyType.Weekly, series.RecurrenceRule!.Frequency);
        Assert.Equal("CANCELLED", calendar.Events.Single(e => e.Uid == cancelled.Uid).Status);
        Assert.DoesNotContain("invite=", text, StringComparison.Ordinal);

        // A new URL ends the old one.
        var remade = (await (await site.Host.PostAsync("/api/calendar-feed", null)).Content.ReadFromJsonAsync<CalendarFeedApi.CalendarFeedResponse>(Json))!;
        Assert.NotEqual(made.Url, remade.Url);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(made.Url.PathAndQuery)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(remade.Url!.PathAndQuery)).StatusCode);

        // Revoked: gone; a made-up token is as unknown.
        Assert.Equal(HttpStatusCode.NoContent, (await site.Host.DeleteAsync("/api/calendar-feed")).StatusCode);
        var revoked = await anonymous.GetAsync(remade.Url.PathAndQuery);
        Assert.Equal(HttpStatusCode.NotFound, revoked.StatusCode);
        Assert.Equal("application/problem+json", revoked.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/api/calendar-feed/" + new string('x', 43) + ".ics")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/api/calendar-feed/" + new string('x', 500) + ".ics")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/calendar-feed", null)).StatusCode);
    }
}
