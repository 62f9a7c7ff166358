using Conference.Api.Data;
using Conference.Api.Participants;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Conference.Api.Scheduling;

/// <summary>
/// What an invitee's personal link is worth: the web trades its token for the invitee's participant key in that
/// meeting (the same identity every time, their name filled in) and learns whether they skip the lobby. A link that
/// was revoked, whose invitee was taken off, or whose meeting was cancelled is worth nothing; the meeting's plain link
/// still admits them as anyone else.
/// </summary>
public static class InvitationsApi
{
    public static IEndpointRouteBuilder MapInvitationsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("api/invitations/redeem", Redeem).WithTags("Scheduling").WithName("RedeemInvitation").AllowAnonymous()
            .WithSignInRateLimit()
            .WithSummary("Trade a personal link's token for the invitee's meeting, name, participant key and lobby choice.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public sealed record RedeemRequest(string? Token);

    /// <summary>
    /// <paramref name="ParticipantKey"/>: send it with the join of <paramref name="Slug"/> (as any participant key);
    /// <paramref name="SkipsLobby"/>: the host lets invitees past the lobby. The rest is for the invitee to read.
    /// </summary>
    /// <param name="Slug">The meeting's code.</param>
    /// <param name="Title">The meeting's title.</param>
    /// <param name="DisplayName">The invitee's name as the host wrote it; null when the host gave only an address.</param>
    /// <param name="ParticipantKey">The invitee's participant key in this meeting.</param>
    /// <param name="SkipsLobby">Whether invitees skip the lobby.</param>
    /// <param name="HostName">Who invited them: the host's display name.</param>
    /// <param name="StartsAt">The occurrence running now or next (UTC, ISO 8601); null when the series is over.</param>
    /// <param name="DurationMinutes">How long each occurrence is planned to last.</param>
    /// <param name="TimeZone">The IANA time zone the host scheduled it in.</param>
    public sealed record InvitationResponse(string Slug, string Title, string? DisplayName, string ParticipantKey, bool SkipsLobby,
        string HostName, DateTimeOffset? StartsAt, int DurationMinutes, string TimeZone);

    static async Task<Results<Ok<InvitationResponse>, ValidationProblem, ProblemHttpResult>> Redeem(RedeemRequest request, ConferenceDbContext db,
        ParticipantKeys keys, HttpContext http, TimeProvider clock)
    {
        if (string.IsNullOrWhiteSpace(request.Token) || request.Token.Length > 128)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["token"] = ["The token from the invitation link is required."] });
        }
        var hash = PersonalLinks.Hash(request.Token);
        var found = await (
                from invitee in db.Invitees
                join scheduled in db.ScheduledMeetings on invitee.ScheduledMeetingId equals scheduled.Id
                join meeting in db.Meetings on scheduled.MeetingId equals meeting.Id
                join host in db.Users on scheduled.HostId equals host.Id
                where invitee.LinkTokenHash == hash && invitee.RemovedAt == null && invitee.LinkRevokedAt == null && scheduled.CancelledAt == null
                select new { invitee.Identity, invitee.Name, meeting.Id, meeting.Slug, meeting.Title, Scheduled = scheduled, HostName = host.DisplayName })
            .AsNoTracking().SingleOrDefaultAsync(http.RequestAborted);
        if (found is null)
        {
            return TypedResults.Problem("This invitation link is not valid (any more); the meeting's own link may still work.",
                statusCode: StatusCodes.Status404NotFound, title: "Invitation not found");
        }
        var series = found.Scheduled;
        return TypedResults.Ok(new InvitationResponse(found.Slug, found.Title, found.Name, keys.Issue(found.Id, found.Identity),
            series.InviteesSkipLobby, found.HostName, Occurrences.CurrentOrNextStart(series, clock.GetUtcNow()),
            (int)series.Duration.TotalMinutes, series.TimeZone));
    }

    /// <summary>
    /// Whether <paramref name="identity"/> is an invitee of <paramref name="meetingId"/> whose host lets invitees past
    /// the lobby, with a link still good (not revoked or removed, meeting not cancelled). The join asks this.
    /// </summary>
    public static Task<bool> SkipsLobbyAsync(ConferenceDbContext db, Guid meetingId, string identity, CancellationToken cancellationToken) =>
        (from invitee in db.Invitees
         join scheduled in db.ScheduledMeetings on invitee.ScheduledMeetingId equals scheduled.Id
         where scheduled.MeetingId == meetingId && invitee.Identity == identity && scheduled.InviteesSkipLobby
             && invitee.RemovedAt == null && invitee.LinkRevokedAt == null && scheduled.CancelledAt == null
         select invitee.Id).AnyAsync(cancellationToken);
}
