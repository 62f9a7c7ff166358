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
    /// <paramref name="SkipsLobby"/>: the host lets invitees past the lobby.
    /// </summary>
    public sealed record InvitationResponse(string Slug, string Title, string? DisplayName, string ParticipantKey, bool SkipsLobby);

    static async Task<Results<Ok<InvitationResponse>, ValidationProblem, ProblemHttpResult>> Redeem(RedeemRequest request, ConferenceDbContext db,
        ParticipantKeys keys, HttpContext http)
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
                where invitee.LinkTokenHash == hash && invitee.RemovedAt == null && invitee.LinkRevokedAt == null && scheduled.CancelledAt == null
                select new { invitee.Identity, invitee.Name, meeting.Id, meeting.Slug, meeting.Title, scheduled.InviteesSkipLobby })
            .AsNoTracking().SingleOrDefaultAsync(http.RequestAborted);
        if (found is null)
        {
            return TypedResults.Problem("This invitation link is not valid (any more); the meeting's own link may still work.",
                statusCode: StatusCodes.Status404NotFound, title: "Invitation not found");
        }
        return TypedResults.Ok(new InvitationResponse(found.Slug, found.Title, found.Name, keys.Issue(found.Id, found.Identity), found.InviteesSkipLobby));
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
