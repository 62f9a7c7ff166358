using Conference.Api.Data;
using Conference.Api.Mail;
using Conference.Tests.Api;
using Conference.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Conference.Tests.Mail;

/// <summary>
/// The outbox against a real SMTP server (smtp-server, <see cref="SmtpCaptureServer"/>) and a database of its own:
/// an outage delays mail and loses none, and each message arrives once, also with two api instances sending.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class MailOutboxTests(ApiFixture fixture) : IAsyncLifetime
{
    readonly SmtpCaptureServer smtp = new();

    public Task InitializeAsync() => smtp.InitializeAsync();

    public Task DisposeAsync() => smtp.DisposeAsync();

    readonly Dictionary<string, string> databases = [];

    /// <summary>An api sending to <see cref="smtp"/>, on a database of its own (created once per name): no other test's mail.</summary>
    async Task<WebApplicationFactory<ConferenceDbContext>> ApiOnOwnDatabaseAsync(string? database = null)
    {
        database ??= "mail_" + Guid.NewGuid().ToString("N");
        if (!databases.TryGetValue(database, out var connectionString))
        {
            databases[database] = connectionString = await fixture.Postgres.CreateDatabaseAsync(database);
        }
        var settings = smtp.ApiSettings();
        settings["ConnectionStrings:conference"] = connectionString;
        // Retries come fast here so the test need not wait; the doubling is checked on its own below.
        settings["Mail:RetryDelay"] = "00:00:00.200";
        settings["Mail:MaxRetryDelay"] = "00:00:00.400";
        settings["Mail:PollInterval"] = "00:00:00.200";
        var api = fixture.CreateApi(settings);
        api.CreateClient().Dispose(); // start it: migrations run
        return api;
    }

    static async Task<List<string>> QueueAsync(WebApplicationFactory<ConferenceDbContext> api, int count, string tag)
    {
        await using var scope = api.Services.CreateAsyncScope();
        var outbox = scope.ServiceProvider.GetRequiredService<MailOutbox>();
        var db = scope.ServiceProvider.GetRequiredService<ConferenceDbContext>();
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var message = new MimeMessage { Subject = $"{tag} {i}" };
            message.To.Add(new MailboxAddress($"Person {i}", $"person{i}@example.org"));
            message.Body = new TextPart("plain") { Text = $"Message {i} of {count}." };
            ids.Add(outbox.Enqueue(message).MessageId);
        }
        await db.SaveChangesAsync();
        outbox.WakeDelivery();
        return ids;
    }

    static async Task<List<OutboxMail>> OutboxAsync(WebApplicationFactory<ConferenceDbContext> api)
    {
        await using var scope = api.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ConferenceDbContext>().MailOutbox.AsNoTracking().ToListAsync();
    }

    [Fact]
    public async Task Mail_queued_while_the_smtp_server_is_down_arrives_once_after_it_is_back()
    {
        await smtp.StopForNowAsync();
        var api = await ApiOnOwnDatabaseAsync();
        var ids = await QueueAsync(api, 3, "Outage");

        // The loop tries, fails and keeps the mail with the reason, again and again while the server is down.
        var waiting = await Eventually.ReadAsync(() => OutboxAsync(api), mails => mails.Count == 3 && mails.All(m => m.Attempts >= 2),
            "every queued mail tried at least twice");
        Assert.Equal(3, waiting.Count);
        Assert.All(waiting, m =>
        {
            Assert.Null(m.SentAt);
            Assert.True(m.Attempts >= 2, $"{m.Attempts} attempts");
            Assert.NotNull(m.LastError);
        });

        await smtp.StartAgainAsync();
        var received = await smtp.WaitForAsync(3);
        // Give the loop more passes: nothing must arrive twice.
        await Task.Delay(1000);
        Assert.Equal(0, await api.Services.GetRequiredService<MailDelivery>().RunOnceAsync());
        received = smtp.Received();
        Assert.Equal(ids.Order(), received.Select(m => m.Message.MessageId).Order());
        Assert.All(received, m =>
        {
            Assert.Equal("meet@conference.test", m.MailFrom);
            Assert.Equal("conference", m.User); // SMTP AUTH with the configured user
            Assert.Equal(m.Message.To.Mailboxes.Single().Address, m.RcptTo.Single());
            Assert.StartsWith("Outage ", m.Message.Subject, StringComparison.Ordinal);
        });
        Assert.All(await OutboxAsync(api), m => Assert.NotNull(m.SentAt));
    }

    [Fact]
    public async Task Two_api_instances_sending_one_outbox_deliver_each_message_once()
    {
        var database = "mail_" + Guid.NewGuid().ToString("N");
        var first = await ApiOnOwnDatabaseAsync(database);
        var second = await ApiOnOwnDatabaseAsync(database);
        // Queue with the server down, so both instances' loops hold the mail at once when it comes back.
        await smtp.StopForNowAsync();
        var ids = await QueueAsync(first, 40, "Race");
        await smtp.StartAgainAsync();
        await Task.WhenAll(
            first.Services.GetRequiredService<MailDelivery>().RunOnceAsync(),
            second.Services.GetRequiredService<MailDelivery>().RunOnceAsync(),
            first.Services.GetRequiredService<MailDelivery>().RunOnceAsync());
        await smtp.WaitForAsync(40);
        await Task.Delay(1000);
        var received = smtp.Received().Select(m => m.Message.MessageId).ToList();
        Assert.Equal(40, received.Count);
        Assert.Equal(ids.Order(), received.Order());
    }

    [Fact]
    public async Task An_invitation_arrives_as_multipart_alternative_with_a_text_calendar_request()
    {
        var api = await ApiOnOwnDatabaseAsync();
        var meeting = new Conference.Api.Scheduling.ScheduledMeeting
        {
            Id = Guid.NewGuid(), HostId = "host", Uid = "invitation-mail-test@conference", Sequence = 0, Title = "Planning",
            StartLocal = new DateTime(2027, 3, 15, 9, 0, 0), TimeZone = "Europe/Berlin", Duration = TimeSpan.FromMinutes(30),
        };
        var link = new Uri("https://meet.example.org/m/abc-defg-hij?invite=secret");
        var ics = Conference.Api.Scheduling.Invitations.Request(meeting, new("host@example.org", "Ada Host"),
            new("bob@example.org", "Bob"), link, DateTimeOffset.UtcNow);
        await using (var scope = api.Services.CreateAsyncScope())
        {
            var outbox = scope.ServiceProvider.GetRequiredService<MailOutbox>();
            outbox.Enqueue(Conference.Api.Scheduling.InvitationMail.Compose(new MailboxAddress("Bob", "bob@example.org"),
                "Invitation: Planning", $"Ada invites you to Planning. Join: {link}", ics, "REQUEST"));
            await scope.ServiceProvider.GetRequiredService<ConferenceDbContext>().SaveChangesAsync();
            outbox.WakeDelivery();
        }

        var mail = Assert.Single(await smtp.WaitForAsync(1)).Message;
        Assert.Equal("Invitation: Planning", mail.Subject);
        Assert.Equal("bob@example.org", mail.To.Mailboxes.Single().Address);
        Assert.Equal("meet@conference.test", mail.From.Mailboxes.Single().Address);
        var alternative = Assert.IsType<MultipartAlternative>(mail.Body);
        Assert.Equal(2, alternative.Count);
        Assert.Equal("text/plain", alternative[0].ContentType.MimeType);
        var calendarPart = Assert.IsType<TextPart>(alternative[1]);
        Assert.Equal("text/calendar", calendarPart.ContentType.MimeType);
        Assert.Equal("REQUEST", calendarPart.ContentType.Parameters["method"]);
        Assert.Equal("utf-8", calendarPart.ContentType.Charset);
        // The calendar part arrives byte for byte as built: CRLF and all, and reads back as the request.
        using var decoded = new MemoryStream();
        await calendarPart.Content!.DecodeToAsync(decoded);
        var received = System.Text.Encoding.UTF8.GetString(decoded.ToArray());
        Assert.Equal(ics, received);
        var calendar = Ical.Net.Calendar.Load(received)!;
        Assert.Equal("REQUEST", calendar.Method);
        Assert.Equal(meeting.Uid, calendar.Events.Single().Uid);
        Assert.Equal(link, calendar.Events.Single().Url);
    }

    [Fact]
    public void Retries_back_off_doubling_up_to_the_limit()
    {
        var options = new MailOptions { RetryDelay = TimeSpan.FromSeconds(30), MaxRetryDelay = TimeSpan.FromMinutes(15) };
        Assert.Equal(TimeSpan.FromSeconds(30), MailDelivery.RetryDelay(options, 1));
        Assert.Equal(TimeSpan.FromSeconds(60), MailDelivery.RetryDelay(options, 2));
        Assert.Equal(TimeSpan.FromSeconds(240), MailDelivery.RetryDelay(options, 4));
        Assert.Equal(TimeSpan.FromMinutes(15), MailDelivery.RetryDelay(options, 7));
        Assert.Equal(TimeSpan.FromMinutes(15), MailDelivery.RetryDelay(options, 1000));
    }
}
