using System.Security.Claims;
using Conference.Api.Accounts;
using Conference.Api.Data;
using Conference.Api.Meetings;
using Conference.Api.Participants;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Conference.Api.Analytics;

/// <summary>Figures computed from participant sessions: per meeting, and usage by day for a host or the admin.</summary>
public static class AnalyticsApi
{
    const int MaxDays = 366;

    public static IEndpointRouteBuilder MapAnalyticsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("api/meetings/{slug}/analytics", MeetingAnalytics).WithTags("Analytics").WithName("GetMeetingAnalytics")
            .WithSummary("Participants, peak concurrency, participant-minutes and duration of one meeting (its host or the admin).")
            .RequireAuthorization().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status403Forbidden);
        app.MapGet("api/analytics/usage", Usage).WithTags("Analytics").WithName("GetUsageByDay")
            .WithSummary("Meetings, participants and participant-minutes per day: the caller's meetings, or every meeting (scope=all, admin).")
            .RequireAuthorization().ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden);
        return app;
    }

    public sealed record MeetingFigures(string Slug, int Participants, int PeakConcurrency, double ParticipantMinutes,
        double? DurationMinutes, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt);

    public sealed record DayFigures(DateOnly Day, int Meetings, int Participants, double ParticipantMinutes, int PeakConcurrency);

    static async Task<Results<Ok<MeetingFigures>, ValidationProblem, ProblemHttpResult, ForbidHttpResult>> MeetingAnalytics(
        string slug, ClaimsPrincipal principal, ConferenceDbContext db, UserManager<ConferenceUser> users, TimeProvider clock)
    {
        if (!Validation.IsSlug(slug))
        {
            return MeetingsApi.InvalidSlug();
        }
        var meeting = await db.Meetings.AsNoTracking().SingleOrDefaultAsync(m => m.Slug == slug);
        if (meeting is null)
        {
            return MeetingsApi.MeetingNotFound(slug);
        }
        if (meeting.HostId != users.GetUserId(principal) && !principal.IsInRole(Roles.Admin))
        {
            return TypedResults.Forbid();
        }

        var now = clock.GetUtcNow();
        var sessions = await db.ParticipantSessions.AsNoTracking().Where(s => s.MeetingId == meeting.Id).ToListAsync();
        var duration = meeting.StartedAt is { } started ? ((meeting.EndedAt ?? now) - started).TotalMinutes : (double?)null;
        return TypedResults.Ok(new MeetingFigures(slug, sessions.Count, PeakConcurrency(sessions, now),
            Math.Round(sessions.Sum(s => Minutes(s, now)), 2), duration is null ? null : Math.Round(duration.Value, 2), meeting.StartedAt, meeting.EndedAt));
    }

    static async Task<Results<Ok<List<DayFigures>>, ValidationProblem, ForbidHttpResult>> Usage(
        ClaimsPrincipal principal, ConferenceDbContext db, UserManager<ConferenceUser> users, TimeProvider clock,
        DateOnly? from = null, DateOnly? to = null, string? scope = null)
    {
        var now = clock.GetUtcNow();
        var last = to ?? DateOnly.FromDateTime(now.UtcDateTime);
        var first = from ?? last.AddDays(-29);
        var validation = new Validation();
        if (first > last)
        {
            validation.Add("from", "from must not be after to.");
        }
        else if (last.DayNumber - first.DayNumber >= MaxDays)
        {
            validation.Add("to", $"Ask for at most {MaxDays} days.");
        }
        if (scope is not (null or "mine" or "all"))
        {
            validation.Add("scope", "scope is 'mine' or 'all'.");
        }
        if (!validation.IsValid)
        {
            return TypedResults.ValidationProblem(validation.Errors);
        }
        if (scope == "all" && !principal.IsInRole(Roles.Admin))
        {
            return TypedResults.Forbid();
        }

        var start = new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var end = new DateTimeOffset(last.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var meetings = db.Meetings.AsNoTracking();
        if (scope != "all")
        {
            var hostId = users.GetUserId(principal);
            meetings = meetings.Where(m => m.HostId == hostId);
        }
        var sessions = await db.ParticipantSessions.AsNoTracking()
            .Where(s => s.JoinedAt < end && (s.LeftAt == null || s.LeftAt >= start))
            .Join(meetings, s => s.MeetingId, m => m.Id, (s, m) => s)
            .ToListAsync();

        var days = new List<DayFigures>();
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            var dayStart = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            var dayEnd = dayStart.AddDays(1);
            // Each session counts for the part of it that falls on this day.
            var clipped = sessions
                .Where(s => s.JoinedAt < dayEnd && (s.LeftAt ?? now) > dayStart)
                .Select(s => new ParticipantSession
                {
                    MeetingId = s.MeetingId, Identity = s.Identity, DisplayName = s.DisplayName,
                    JoinedAt = s.JoinedAt < dayStart ? dayStart : s.JoinedAt,
                    LeftAt = (s.LeftAt ?? now) > dayEnd ? dayEnd : s.LeftAt ?? now,
                })
                .ToList();
            days.Add(new DayFigures(day, clipped.Select(s => s.MeetingId).Distinct().Count(), clipped.Count,
                Math.Round(clipped.Sum(s => Minutes(s, now)), 2), PeakConcurrency(clipped, now)));
        }
        return TypedResults.Ok(days);
    }

    static double Minutes(ParticipantSession session, DateTimeOffset now) =>
        Math.Max(0, ((session.LeftAt ?? now) - session.JoinedAt).TotalMinutes);

    /// <summary>The most sessions open at one moment: a sweep over joins (+1) and leaves (-1), leaves first on ties.</summary>
    static int PeakConcurrency(IEnumerable<ParticipantSession> sessions, DateTimeOffset now)
    {
        var peak = 0;
        var open = 0;
        foreach (var (_, change) in sessions
                     .SelectMany(s => new[] { (At: s.JoinedAt, Change: 1), (At: s.LeftAt ?? now, Change: -1) })
                     .OrderBy(e => e.At).ThenBy(e => e.Change))
        {
            open += change;
            peak = Math.Max(peak, open);
        }
        return peak;
    }
}
