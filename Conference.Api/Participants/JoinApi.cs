using System.Security.Claims;
using Conference.Api.Accounts;
using Conference.Api.Data;
using Conference.Api.Meetings;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Conference.Api.Participants;

/// <summary>
/// Joining a meeting: every check (rate limits, ended, locked, full, lobby) and then a short-lived LiveKit token
/// whose grants follow the person's role.
/// </summary>
public static class JoinApi
{
    public static IEndpointRouteBuilder MapJoinApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/meetings/{slug}").WithTags("Join")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesValidationProblem();

        api.MapPost("/join", Join).WithName("JoinMeeting")
            .WithSummary("Ask to join: a LiveKit token, or a lobby ticket to wait with when the lobby is on.")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status410Gone)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapGet("/lobby/{requestId}", LobbyStatus).WithName("GetLobbyStatus")
            .WithSummary("A waiting guest asks whether they were let in; when admitted the answer carries the token.");

        return app;
    }

    public sealed record JoinRequest(string? DisplayName);

    public sealed record JoinResponse(string Status, JoinDetails? Join, string? LobbyRequestId);

    public sealed record JoinDetails(string ServerUrl, string RoomName, string Identity, string Token, DateTimeOffset ExpiresAt,
        string Role, string ParticipantCredential);

    static async Task<Results<Ok<JoinResponse>, Accepted<JoinResponse>, ValidationProblem, ProblemHttpResult>> Join(
        string slug, JoinRequest request, HttpContext http, MeetingCache meetings, Lobby lobby)
    {
        if (!Validation.IsSlug(slug))
        {
            return MeetingsApi.InvalidSlug();
        }
        var validation = new Validation().Name("displayName", request.DisplayName, 64);
        if (!validation.IsValid)
        {
            return TypedResults.ValidationProblem(validation.Errors);
        }
        if (await RateLimits.CheckJoinAsync(http, slug) is ProblemHttpResult tooMany)
        {
            return tooMany;
        }
        if (http.RequestServices.GetService<JoinTokens>() is not { } tokens)
        {
            return MediaServerNotConfigured();
        }

        var meeting = await meetings.FindAsync(slug, http.RequestAborted);
        if (meeting is null)
        {
            return MeetingsApi.MeetingNotFound(slug);
        }
        if (meeting.EndedAt is not null)
        {
            return TypedResults.Problem("This meeting has ended.", statusCode: StatusCodes.Status410Gone, title: "Meeting ended");
        }

        // The claim, not UserManager: join is the hot path, and the id is all it needs.
        var isHost = http.User.FindFirstValue(ClaimTypes.NameIdentifier) == meeting.HostId;
        if (meeting.Settings.Locked && !isHost)
        {
            return TypedResults.Problem("The host has locked this meeting; nobody new can join.", statusCode: StatusCodes.Status403Forbidden, title: "Meeting locked");
        }
        var present = await meetings.PresentCountAsync(meeting, http.RequestAborted);
        if (present >= meeting.Settings.MaxParticipants)
        {
            return TypedResults.Problem($"This meeting is full ({meeting.Settings.MaxParticipants} people).", statusCode: StatusCodes.Status409Conflict, title: "Meeting full");
        }

        var displayName = request.DisplayName!.Trim();
        if (meeting.Settings.LobbyEnabled && !isHost)
        {
            var waiting = await lobby.AddAsync(slug, displayName);
            await http.RequestServices.GetRequiredService<MeetingChanges>().PublishAsync(slug, "lobby");
            return TypedResults.Accepted($"/api/meetings/{slug}/lobby/{waiting.Id}", new JoinResponse("waiting", null, waiting.Id));
        }

        return TypedResults.Ok(new JoinResponse("joined", Details(tokens, meeting, displayName, isHost ? ParticipantRole.Host : ParticipantRole.Guest), null));
    }

    static async Task<Results<Ok<JoinResponse>, ValidationProblem, ProblemHttpResult>> LobbyStatus(
        string slug, string requestId, HttpContext http, MeetingCache meetings, Lobby lobby)
    {
        if (!Validation.IsSlug(slug))
        {
            return MeetingsApi.InvalidSlug();
        }
        var meeting = await meetings.FindAsync(slug, http.RequestAborted);
        var waiting = meeting is null ? null : await lobby.FindAsync(slug, requestId);
        if (meeting is null || waiting is null)
        {
            return TypedResults.Problem("There is no such lobby request; it may have expired.", statusCode: StatusCodes.Status404NotFound);
        }
        if (http.RequestServices.GetService<JoinTokens>() is not { } tokens)
        {
            return MediaServerNotConfigured();
        }
        return waiting.Status switch
        {
            Lobby.Status.Admitted when meeting.EndedAt is null =>
                TypedResults.Ok(new JoinResponse("joined", Details(tokens, meeting, waiting.DisplayName, ParticipantRole.Guest), null)),
            Lobby.Status.Denied => TypedResults.Problem("The host did not let you in.", statusCode: StatusCodes.Status403Forbidden, title: "Not admitted"),
            _ when meeting.EndedAt is not null => TypedResults.Problem("This meeting has ended.", statusCode: StatusCodes.Status410Gone),
            _ => TypedResults.Ok(new JoinResponse("waiting", null, waiting.Id)),
        };
    }

    static JoinDetails Details(JoinTokens tokens, Meeting meeting, string displayName, ParticipantRole role)
    {
        var token = tokens.Mint(meeting, displayName, role);
        return new JoinDetails(tokens.ServerUrl.ToString(), meeting.RoomName, token.Identity, token.Token, token.ExpiresAt,
            role.ToString(), token.ParticipantCredential);
    }

    static ProblemHttpResult MediaServerNotConfigured() =>
        TypedResults.Problem("This server has no media server (LiveKit) configured, so meetings cannot be joined.",
            statusCode: StatusCodes.Status503ServiceUnavailable, title: "Media server unavailable");
}
