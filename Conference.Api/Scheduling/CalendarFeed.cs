using System.Buffers.Text;
using System.Security.Claims;
using System.Security.Cryptography;
using Conference.Api.Accounts;
using Conference.Api.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Conference.Api.Scheduling;

/// <summary>
/// A host's calendar subscription: a secret URL (<c>…/api/calendar-feed/{token}.ics</c>) that Google Calendar,
/// Outlook and Thunderbird poll without signing in. Only the token's SHA-256 is kept, so the URL is shown once, when
/// made; making a new one ends the old one, and so does revoking.
/// </summary>
public sealed class CalendarFeed
{
    public required string UserId { get; set; }

    /// <summary>SHA-256 (hex) of the URL's token.</summary>
    public required string TokenHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>The calendar feed's endpoints: manage it (signed in) and read it (by its secret URL).</summary>
public static class CalendarFeedApi
{
    /// <summary>How long after its time a meeting (or a cancelled one) stays in the feed: calendars keep the past on their own.</summary>
    public static readonly TimeSpan KeepPast = TimeSpan.FromDays(31);

    public static IEndpointRouteBuilder MapCalendarFeedApi(this IEndpointRouteBuilder app)
    {
        var feed = app.MapGroup("api/calendar-feed").WithTags("Scheduling");
        feed.MapGet("/", Describe).RequireAuthorization().WithName("GetCalendarFeed")
            .WithSummary("Whether the caller has a calendar feed, and since when (its URL is shown only when made).");
        feed.MapPost("/", Regenerate).RequireAuthorization().WithName("CreateCalendarFeed")
            .WithSummary("Make a new secret feed URL for the caller's scheduled meetings; an older URL stops working.");
        feed.MapDelete("/", Revoke).RequireAuthorization().WithName("RevokeCalendarFeed").WithSummary("End the caller's feed URL.");
        feed.MapGet("/{token}.ics", Read).AllowAnonymous().WithName("ReadCalendarFeed")
            .WithSummary("The feed: text/calendar (RFC 5545, METHOD:PUBLISH) with the host's scheduled meetings.")
            .Produces(StatusCodes.Status200OK, contentType: "text/calendar")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public sealed record CalendarFeedResponse(bool Exists, DateTimeOffset? CreatedAt, Uri? Url = null);

    static async Task<Ok<CalendarFeedResponse>> Describe(ClaimsPrincipal principal, UserManager<ConferenceUser> users, ConferenceDbContext db)
    {
        var userId = users.GetUserId(principal)!;
        var feed = await db.CalendarFeeds.AsNoTracking().SingleOrDefaultAsync(f => f.UserId == userId);
        return TypedResults.Ok(new CalendarFeedResponse(feed is not null, feed?.CreatedAt));
    }

    static async Task<Ok<CalendarFeedResponse>> Regenerate(ClaimsPrincipal principal, UserManager<ConferenceUser> users, ConferenceDbContext db,
        PersonalLinks links, TimeProvider clock)
    {
        var userId = users.GetUserId(principal)!;
        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow();
        var hash = PersonalLinks.Hash(token);
        // One row per host, replaced in one statement: two clicks at once leave one working URL.
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO calendar_feeds ("UserId", "TokenHash", "CreatedAt") VALUES ({userId}, {hash}, {now})
            ON CONFLICT ("UserId") DO UPDATE SET "TokenHash" = EXCLUDED."TokenHash", "CreatedAt" = EXCLUDED."CreatedAt"
            """);
        return TypedResults.Ok(new CalendarFeedResponse(true, now, links.SiteLink($"api/calendar-feed/{token}.ics")));
    }

    static async Task<NoContent> Revoke(ClaimsPrincipal principal, UserManager<ConferenceUser> users, ConferenceDbContext db)
    {
        var userId = users.GetUserId(principal)!;
        await db.CalendarFeeds.Where(f => f.UserId == userId).ExecuteDeleteAsync();
        return TypedResults.NoContent();
    }

    static async Task<Results<ContentHttpResult, ProblemHttpResult>> Read(string token, ConferenceDbContext db, PersonalLinks links,
        TimeProvider clock, HttpContext http)
    {
        var hash = token.Length is > 0 and <= 64 ? PersonalLinks.Hash(token) : "";
        var feed = await db.CalendarFeeds.AsNoTracking().SingleOrDefaultAsync(f => f.TokenHash == hash, http.RequestAborted);
        var host = feed is null ? null : await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == feed.UserId && u.DisabledAt == null, http.RequestAborted);
        if (host is null)
        {
            return TypedResults.Problem("There is no calendar feed at this address (any more).", statusCode: StatusCodes.Status404NotFound);
        }
        var now = clock.GetUtcNow();
        var since = now - KeepPast;
        var sinceDate = DateOnly.FromDateTime(since.UtcDateTime);
        var rows = await db.ScheduledMeetings.AsNoTracking()
            .Where(s => s.HostId == host.Id
                && (s.Recurrence == Recurrence.None ? s.StartsAt > since : s.RecursUntil >= sinceDate)
                && (s.CancelledAt == null || s.CancelledAt > since))
            .Join(db.Meetings, s => s.MeetingId, m => m.Id, (s, m) => new { Scheduled = s, m.Slug })
            .OrderBy(r => r.Scheduled.StartsAt)
            .Take(500)
            .ToListAsync(http.RequestAborted);
        var calendar = Invitations.Feed(rows.Select(r => (r.Scheduled, links.MeetingLink(r.Slug))), SchedulingApi.Organizer(host), now);
        // Calendar clients poll; a few minutes of caching is what they expect, and the URL is the secret, so private.
        http.Response.Headers.CacheControl = "private, max-age=300";
        return TypedResults.Text(calendar, "text/calendar; charset=utf-8");
    }
}
