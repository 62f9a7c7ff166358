using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Conference.Api.Scheduling;
using Conference.Tests.Api;
using Conference.Tests.Infrastructure;
using Ical.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NodaTime;

namespace Conference.Tests.Scheduling;

/// <summary>
/// Reminders on a fake clock: one mail per invitee <see cref="SchedulingOptions.ReminderLead"/> (10 minutes by
/// default) before each occurrence of a series, once however often the loop looks, none for a cancelled meeting,
/// none after the series ends; the reminder carries the invitee's personal link.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class RemindersTests(ApiFixture fixture) : SchedulingTests
{
    [Fact]
    public async Task Each_occurrence_gets_one_reminder_ten_minutes_before_and_a_cancelled_meeting_none()
    {
        // The fake clock starts at a whole minute of real time (the key ring and tokens stay valid) and moves only when told.
        var realNow = DateTimeOffset.UtcNow;
        var clock = new FakeTimeProvider(new DateTimeOffset(realNow.Year, realNow.Month, realNow.Day, realNow.Hour, realNow.Minute, 0, TimeSpan.Zero));
        var site = await SchedulingSite.StartAsync(fixture, Smtp, clock);
        var zone = DateTimeZoneProviders.Tzdb["Europe/Berlin"];
        var t0 = clock.GetUtcNow();
        var firstLocal = Instant.FromDateTimeOffset(t0.AddMinutes(60)).InZone(zone).LocalDateTime;
        var secondStart = zone.AtLeniently(firstLocal.PlusDays(7)).ToDateTimeOffset().ToUniversalTime();

        var weekly = await site.Host.PostAsJsonAsync("/api/scheduled-meetings", new
        {
            title = "Weekly planning",
            start = firstLocal.ToDateTimeUnspecified().ToString("yyyy-MM-ddTHH:mm"),
            timeZone = "Europe/Berlin",
            durationMinutes = 30,
            recurrence = "Weekly",
            recursUntil = firstLocal.Date.PlusDays(7).ToDateOnly().ToString("yyyy-MM-dd"),
            invitees = new[] { new { email = "bob@example.org" }, new { email = "cleo@example.org" } },
        });
        Assert.Equal(HttpStatusCode.Created, weekly.StatusCode);
        var oneOffStart = Instant.FromDateTimeOffset(t0.AddMinutes(58)).InZone(zone).LocalDateTime;
        var oneOff = (await (await site.Host.PostAsJsonAsync("/api/scheduled-meetings", new
        {
            title = "Called off",
            start = oneOffStart.ToDateTimeUnspecified().ToString("yyyy-MM-ddTHH:mm"),
            timeZone = "Europe/Berlin",
            durationMinutes = 30,
            invitees = new[] { new { email = "dan@example.org" } },
        })).Content.ReadFromJsonAsync<SchedulingApi.ScheduledMeetingResponse>(Json))!;
        (await site.Host.DeleteAsync($"/api/scheduled-meetings/{oneOff.Slug}")).EnsureSuccessStatusCode();
        var invitations = await Smtp.WaitForAsync(4); // bob, cleo, dan; dan's cancellation
        var bobsLink = Calendar.Load(SchedulingSite.CalendarOf(invitations.Single(m => m.RcptTo.Single() == "bob@example.org").Message).Text)!
            .Events.Single().Url!;

        var reminders = site.Api.Services.GetRequiredService<Reminders>();
        clock.Advance(TimeSpan.FromMinutes(49)); // 11 minutes before: not yet
        Assert.Equal(0, await reminders.RunOnceAsync());
        clock.Advance(TimeSpan.FromMinutes(2)); // 9 minutes before
        Assert.Equal(1, await reminders.RunOnceAsync());
        Assert.Equal(0, await reminders.RunOnceAsync()); // once
        var received = await Smtp.WaitForAsync(6);
        var first = received.Skip(4).ToList();
        Assert.Equal(["bob@example.org", "cleo@example.org"], first.SelectMany(m => m.RcptTo).Order());
        var toBob = first.Single(m => m.RcptTo.Single() == "bob@example.org").Message;
        Assert.Equal($"Reminder: Weekly planning at {firstLocal:HH:mm}", toBob.Subject);
        Assert.Contains($"Join: {bobsLink}", toBob.TextBody ?? "", StringComparison.Ordinal);
        Assert.Equal(SchedulingSite.HostEmail, toBob.ReplyTo.Mailboxes.Single().Address);

        // During the meeting and until 10 minutes before the next one: nothing.
        clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(0, await reminders.RunOnceAsync());
        clock.SetUtcNow(secondStart.AddMinutes(-10).AddSeconds(-1));
        Assert.Equal(0, await reminders.RunOnceAsync());
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, await reminders.RunOnceAsync());
        Assert.Equal(0, await reminders.RunOnceAsync());
        await Smtp.WaitForAsync(8);

        // The series ended with that occurrence.
        clock.Advance(TimeSpan.FromDays(7));
        Assert.Equal(0, await reminders.RunOnceAsync());
        await Task.Delay(500);
        Assert.Equal(8, (await site.OutboxAsync()).Count);
        Assert.DoesNotContain(Smtp.Received(), m => m.RcptTo.Contains("dan@example.org") && (m.Message.Subject ?? "").StartsWith("Reminder", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_api_instances_remind_of_an_occurrence_once()
    {
        var realNow = DateTimeOffset.UtcNow;
        var clock = new FakeTimeProvider(new DateTimeOffset(realNow.Year, realNow.Month, realNow.Day, realNow.Hour, realNow.Minute, 0, TimeSpan.Zero));
        var site = await SchedulingSite.StartAsync(fixture, Smtp, clock);
        var zone = DateTimeZoneProviders.Tzdb["Europe/Berlin"];
        var start = Instant.FromDateTimeOffset(clock.GetUtcNow().AddMinutes(30)).InZone(zone).LocalDateTime;
        (await site.Host.PostAsJsonAsync("/api/scheduled-meetings", new
        {
            title = "Race",
            start = start.ToDateTimeUnspecified().ToString("yyyy-MM-ddTHH:mm"),
            timeZone = "Europe/Berlin",
            durationMinutes = 30,
            invitees = new[] { new { email = "bob@example.org" } },
        })).EnsureSuccessStatusCode();
        await Smtp.WaitForAsync(1);
        // A second instance on the same database (its own loop idle for an hour, like the first).
        var connectionString = Microsoft.Extensions.Configuration.ConfigurationExtensions.GetConnectionString(site.Api.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>(), "conference");
        var settings = Smtp.ApiSettings();
        settings["ConnectionStrings:conference"] = connectionString;
        settings["Scheduling:ReminderInterval"] = "01:00:00";
        var second = fixture.CreateApi(settings, services => services.AddSingleton<TimeProvider>(clock));
        second.CreateClient().Dispose();

        clock.Advance(TimeSpan.FromMinutes(21));
        var passes = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            (i % 2 == 0 ? site.Api : second).Services.GetRequiredService<Reminders>().RunOnceAsync()));
        // The second instance's own loop makes its first pass on a thread-pool thread (.NET 10's BackgroundService),
        // which under load can come after the clock moved and take the claim itself (stop 25's CI): so these six
        // passes claim at most one, and the mails show that exactly one reminder went out.
        Assert.InRange(passes.Sum(), 0, 1);
        await Smtp.WaitForAsync(2);
        await Task.Delay(500);
        Assert.Equal(2, Smtp.Received().Count);
        Assert.Single(Smtp.Received(), m => (m.Message.Subject ?? "").StartsWith("Reminder", StringComparison.Ordinal));
    }
}
