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
        app.MapGet("api/analytics/usage", Usage).WithTags("Analytics").WithName("GetUsageByDay")
            .WithSummary("Meetings, participants and participant-minutes per day: the caller's meetings, or every meeting (scope=all, admin).")
            .RequireAuthorization().ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden);
        return app;
    }

    /// <summary>The meeting's analytics route, on the meetings group.</summary>
    public static RouteGroupBuilder MapMeetingAnalytics(this RouteGroupBuilder meeting)
    {
        meeting.MapGet("/analytics", MeetingAnalytics).WithTags("Analytics").WithName("GetMeetingAnalytics")
            .WithSummary("People, peak concurrency, participant-minutes and duration of one meeting and of each of its calls (its host or the admin).")
            .RequireAuthorization().ProducesProblem(StatusCodes.Status403Forbidden);
        return meeting;
    }

    /// <summary>A meeting's figures over all its calls; recorders and agents are never counted.</summary>
    /// <param name="Slug">The meeting.</param>
    /// <param name="Participants">People (distinct participant identities).</param>
    /// <param name="Connections">Their connections (participant sids): a reconnect or second tab counts again.</param>
    /// <param name="PeakConcurrency">The most people connected at once.</param>
    /// <param name="ParticipantMinutes">Minutes summed over every connection (two people for 10 minutes: 20), 2 decimals.</param>
    /// <param name="DurationMinutes">Minutes its calls lasted, summed; null before the first call.</param>
    /// <param name="StartedAt">When its first call started (UTC).</param>
    /// <param name="LastCallEndedAt">When its last call ended (UTC); null while one runs or before the first.</param>
    /// <param name="Calls">Each call, oldest first.</param>
    public sealed record MeetingFigures(string Slug, int Participants, int Connections, int PeakConcurrency, double ParticipantMinutes,
        double? DurationMinutes, DateTimeOffset? StartedAt, DateTimeOffset? LastCallEndedAt, IReadOnlyList<CallFigures> Calls);

    /// <summary>One call (one life of the LiveKit room, by room sid).</summary>
    /// <param name="RoomSid">LiveKit's room sid (<c>RM_…</c>) of this life of the room.</param>
    /// <param name="StartedAt">room_started (UTC).</param>
    /// <param name="EndedAt">room_finished (UTC); null while it runs.</param>
    /// <param name="DurationMinutes">Minutes from start to end (to now while it runs).</param>
    /// <param name="Participants">People in this call.</param>
    /// <param name="PeakConcurrency">The most people connected at once.</param>
    /// <param name="ParticipantMinutes">Minutes summed over every connection, 2 decimals.</param>
    public sealed record CallFigures(string RoomSid, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, double? DurationMinutes,
        int Participants, int PeakConcurrency, double ParticipantMinutes);

    /// <summary>One UTC day of usage; a session across midnight counts on both days for its part of each.</summary>
    /// <param name="Day">The UTC date (yyyy-mm-dd).</param>
    /// <param name="Meetings">Meetings with anyone connected that day.</param>
    /// <param name="Participants">People (meeting, identity) connected that day.</param>
    /// <param name="ParticipantMinutes">Minutes summed over every connection that day, 2 decimals.</param>
    /// <param name="PeakConcurrency">The most people connected at once that day, across meetings.</param>
    public sealed record DayFigures(DateOnly Day, int Meetings, int Participants, double ParticipantMinutes, int PeakConcurrency);

    static async Task<Results<Ok<MeetingFigures>, ForbidHttpResult>> MeetingAnalytics(
        MeetingRequest target, ClaimsPrincipal principal, ConferenceDbContext db, UserManager<ConferenceUser> users, TimeProvider clock)
    {
        var meeting = target.Meeting;
        if (meeting.HostId != users.GetUserId(principal) && !principal.IsInRole(Roles.Admin))
        {
            return TypedResults.Forbid();
        }

        var now = clock.GetUtcNow();
        var sessions = await db.ParticipantSessions.AsNoTracking().Where(s => s.MeetingId == meeting.Id).ToListAsync();
        var calls = await db.MeetingCalls.AsNoTracking().Where(c => c.MeetingId == meeting.Id).OrderBy(c => c.StartedAt).ThenBy(c => c.Id).ToListAsync();
        var callFigures = calls.Select(call =>
        {
            var of = sessions.Where(s => s.RoomSid == call.RoomSid).ToList();
            var started = call.StartedAt ?? (of.Count > 0 ? of.Min(s => s.JoinedAt) : null);
            return new CallFigures(call.RoomSid, started, call.EndedAt,
                // The start is LiveKit's millisecond, the end its webhook's whole second: a call under a second is 0, not less.
                started is { } from ? Math.Round(Math.Max(0, ((call.EndedAt ?? now) - from).TotalMinutes), 2) : null,
                of.Select(s => s.Identity).Distinct().Count(), PeakConcurrency(of, now), Math.Round(of.Sum(s => Minutes(s, now)), 2));
        }).ToList();
        double? duration = callFigures.Count == 0 ? null : Math.Round(callFigures.Sum(c => c.DurationMinutes ?? 0), 2);
        return TypedResults.Ok(new MeetingFigures(meeting.Slug, sessions.Select(s => s.Identity).Distinct().Count(), sessions.Count,
            PeakConcurrency(sessions, now), Math.Round(sessions.Sum(s => Minutes(s, now)), 2), duration, meeting.StartedAt,
            calls.Max(c => c.EndedAt), callFigures));
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
                    MeetingId = s.MeetingId, Identity = s.Identity, DisplayName = s.DisplayName, ParticipantSid = s.ParticipantSid, RoomSid = s.RoomSid,
                    JoinedAt = s.JoinedAt < dayStart ? dayStart : s.JoinedAt,
                    LeftAt = (s.LeftAt ?? now) > dayEnd ? dayEnd : s.LeftAt ?? now,
                })
                .ToList();
            days.Add(new DayFigures(day, clipped.Select(s => s.MeetingId).Distinct().Count(), clipped.Select(s => (s.MeetingId, s.Identity)).Distinct().Count(),
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
