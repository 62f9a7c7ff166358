using System.Net.Http.Json;
using Conference.Api.Data;
using Conference.Tests.Api;
using Conference.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Conference.Tests.Scheduling;

/// <summary>
/// An api on a database of its own (so no other test's mail or schedules), sending to a real SMTP server
/// (<see cref="SmtpCaptureServer"/>), with its admin signed in as the host; optionally on a fake clock.
/// </summary>
public sealed class SchedulingSite
{
    public const string SiteUrl = "https://meet.example.org/";
    public const string HostEmail = "ada@example.org";
    public const string HostPassword = "correct horse battery";

    public required WebApplicationFactory<ConferenceDbContext> Api { get; init; }

    public required HttpClient Host { get; init; }

    public required SmtpCaptureServer Smtp { get; init; }

    public static async Task<SchedulingSite> StartAsync(ApiFixture fixture, SmtpCaptureServer smtp, TimeProvider? clock = null,
        IDictionary<string, string?>? settings = null)
    {
        var connectionString = await fixture.Postgres.CreateDatabaseAsync("sched_" + Guid.NewGuid().ToString("N"));
        var apiSettings = smtp.ApiSettings();
        apiSettings["ConnectionStrings:conference"] = connectionString;
        apiSettings["Mail:SiteUrl"] = SiteUrl;
        apiSettings["Mail:PollInterval"] = "00:00:00.200";
        // Tests run reminder passes themselves (Reminders.RunOnceAsync): the loop looks once at start, then not for an hour.
        apiSettings["Scheduling:ReminderInterval"] = "01:00:00";
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            apiSettings[key] = value;
        }
        var api = fixture.CreateApi(apiSettings, clock is null ? null : services => services.AddSingleton(clock));
        var host = api.CreateClient(); // starts it: migrations run
        string? setupCode;
        await using (var connection = new Npgsql.NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand("SELECT \"AdminSetupCode\" FROM site_settings", connection);
            setupCode = await command.ExecuteScalarAsync() as string;
        }
        (await host.PostAsJsonAsync("/api/accounts/signup",
            new { email = HostEmail, password = HostPassword, displayName = "Ada Host", setupCode })).EnsureSuccessStatusCode();
        await SignInAsync(host, HostEmail, HostPassword);
        return new SchedulingSite { Api = api, Host = host, Smtp = smtp };
    }

    /// <summary>Signs <paramref name="client"/> in with a bearer token; returns the token pair.</summary>
    public static async Task<ApiFixture.BearerToken> SignInAsync(HttpClient client, string email, string password)
    {
        var signIn = await client.PostAsJsonAsync("/api/accounts/signin", new { email, password });
        signIn.EnsureSuccessStatusCode();
        var token = (await signIn.Content.ReadFromJsonAsync<ApiFixture.BearerToken>())!;
        client.DefaultRequestHeaders.Authorization = new("Bearer", token.AccessToken);
        return token;
    }

    /// <summary>Runs a query on the site's database.</summary>
    public async Task<T> DbAsync<T>(Func<ConferenceDbContext, Task<T>> query)
    {
        await using var scope = Api.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<ConferenceDbContext>());
    }

    /// <summary>Every mail queued so far (sent or not): to show that something was not sent, without waiting.</summary>
    public Task<List<Conference.Api.Mail.OutboxMail>> OutboxAsync() => DbAsync(db => db.MailOutbox.AsNoTracking().OrderBy(m => m.CreatedAt).ToListAsync());

    /// <summary>Waits until the outbox has nothing unsent (so the SMTP server has everything queued).</summary>
    public async Task<IReadOnlyList<SmtpCaptureServer.ReceivedMail>> DeliveredAsync()
    {
        var queued = (await OutboxAsync()).Count;
        return await Smtp.WaitForAsync(queued);
    }

    /// <summary>The calendar part of an iMIP mail: its method parameter and its text, decoded.</summary>
    public static (string Method, string Text) CalendarOf(MimeMessage message)
    {
        var alternative = Assert.IsType<MultipartAlternative>(message.Body);
        var part = Assert.IsType<TextPart>(Assert.Single(alternative, p => p.ContentType.MimeType == "text/calendar"));
        using var decoded = new MemoryStream();
        part.Content!.DecodeTo(decoded);
        return (part.ContentType.Parameters["method"] ?? "", System.Text.Encoding.UTF8.GetString(decoded.ToArray()));
    }

    /// <summary>The plain-text part of a mail.</summary>
    public static string TextOf(MimeMessage message) => message.TextBody ?? "";
}
