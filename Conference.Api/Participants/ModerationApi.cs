using Conference.Api.Data;
using Conference.Api.Meetings;
using Conference.LiveKit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Conference.Api.Participants;

/// <summary>
/// What hosts and co-hosts do during a meeting: the lobby, the participant list, mute, remove, promote, lock,
/// end for everyone. The host is recognised by their account, a co-host by their participant credential.
/// </summary>
public static class ModerationApi
{
    public static IEndpointRouteBuilder MapModerationApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/meetings/{slug}").WithTags("Moderation")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem();

        api.MapGet("/lobby", ListLobby).WithName("ListLobby").WithSummary("Guests waiting to be let in.");
        api.MapPost("/lobby/{requestId}/admit", (string slug, string requestId, HttpContext http) => AnswerLobby(slug, requestId, Lobby.Status.Admitted, http))
            .WithName("AdmitGuest").WithSummary("Let a waiting guest in.");
        api.MapPost("/lobby/{requestId}/deny", (string slug, string requestId, HttpContext http) => AnswerLobby(slug, requestId, Lobby.Status.Denied, http))
            .WithName("DenyGuest").WithSummary("Turn a waiting guest away.");

        api.MapGet("/participants", ListParticipants).WithName("ListParticipants")
            .WithSummary("Who is in the room now (LiveKit) with their role and join time (our sessions).");
        api.MapPost("/participants/{identity}/mute", MuteTrack).WithName("MuteTrack").WithSummary("Mute one of a participant's tracks.");
        api.MapDelete("/participants/{identity}", RemoveParticipant).WithName("RemoveParticipant").WithSummary("Remove a participant from the room.");
        api.MapPut("/participants/{identity}/role", ChangeRole).WithName("ChangeParticipantRole").WithSummary("Promote to co-host or demote to guest.");
        api.MapPut("/lock", (string slug, LockRequest request, HttpContext http) => SetLock(slug, request, http))
            .WithName("LockMeeting").WithSummary("Lock or unlock: when locked nobody new joins except the host.");
        api.MapPost("/end", EndMeeting).WithName("EndMeeting").WithSummary("End the meeting for everyone (deletes the LiveKit room).");

        return app;
    }

    public sealed record LobbyEntry(string RequestId, string DisplayName, DateTimeOffset RequestedAt);

    public sealed record ParticipantResponse(string Identity, string Name, string Role, DateTimeOffset? JoinedAt, bool IsPublisher,
        IReadOnlyList<TrackResponse> Tracks);

    public sealed record TrackResponse(string Sid, string Source, string Type, bool Muted);

    public sealed record MuteRequest(string? TrackSid);

    public sealed record RoleRequest(ParticipantRole? Role);

    public sealed record LockRequest(bool Locked);

    /// <summary>The meeting and the caller's moderator role, or the problem to answer with.</summary>
    internal sealed record Moderation(Meeting? Meeting, IResult? Problem);

    /// <summary>The meeting when the caller is its host or a co-host; else the problem to answer (400, 404, 401 or 403).</summary>
    internal static async Task<Moderation> AuthorizeAsync(string slug, HttpContext http)
    {
        if (!Validation.IsSlug(slug))
        {
            return new(null, MeetingsApi.InvalidSlug());
        }
        var meeting = await http.RequestServices.GetRequiredService<MeetingCache>().FindAsync(slug, http.RequestAborted);
        if (meeting is null)
        {
            return new(null, MeetingsApi.MeetingNotFound(slug));
        }
        var role = await http.RequestServices.GetRequiredService<MeetingRoles>().ModeratorRoleAsync(meeting, http);
        if (role is null)
        {
            var signedIn = http.User.Identity?.IsAuthenticated == true || http.Request.Headers.ContainsKey(MeetingRoles.ParticipantTokenHeader);
            return new(null, signedIn
                ? TypedResults.Problem("Only the host and co-hosts can do this.", statusCode: StatusCodes.Status403Forbidden)
                : TypedResults.Problem("Sign in as the host, or send your participant credential.", statusCode: StatusCodes.Status401Unauthorized));
        }
        return new(meeting, null);
    }

    static async Task<IResult> ListLobby(string slug, HttpContext http, Lobby lobby)
    {
        var (meeting, problem) = await AuthorizeAsync(slug, http);
        if (meeting is null)
        {
            return problem!;
        }
        var waiting = await lobby.WaitingAsync(slug);
        return TypedResults.Ok(waiting.Select(w => new LobbyEntry(w.Id, w.DisplayName, w.RequestedAt)).ToList());
    }

    static async Task<IResult> AnswerLobby(string slug, string requestId, Lobby.Status answer, HttpContext http)
    {
        var (meeting, problem) = await AuthorizeAsync(slug, http);
        if (meeting is null)
        {
            return problem!;
        }
        if (!await http.RequestServices.GetRequiredService<Lobby>().AnswerAsync(slug, requestId, answer))
        {
            return TypedResults.Problem("Nobody is waiting with that request; they may have left or been answered.", statusCode: StatusCodes.Status404NotFound);
        }
        await http.RequestServices.GetRequiredService<MeetingChanges>().PublishAsync(slug, "lobby");
        return TypedResults.NoContent();
    }

    static async Task<IResult> ListParticipants(string slug, HttpContext http, ConferenceDbContext db)
    {
        var (meeting, problem) = await AuthorizeAsync(slug, http);
        if (meeting is null)
        {
            return problem!;
        }
        if (http.RequestServices.GetService<RoomServiceClient>() is not { } rooms)
        {
            return MediaServerNotConfigured();
        }
        IReadOnlyList<ParticipantInfo> inRoom;
        try
        {
            inRoom = await rooms.ListParticipantsAsync(new ListParticipantsRequest { Room = meeting.RoomName }, http.RequestAborted);
        }
        catch (LiveKitException exception) when (exception.Code == "not_found")
        {
            inRoom = []; // nobody has joined yet
        }
        var roles = await db.ParticipantSessions.AsNoTracking()
            .Where(s => s.MeetingId == meeting.Id && s.LeftAt == null)
            .ToDictionaryAsync(s => s.Identity, s => s.Role, http.RequestAborted);
        return TypedResults.Ok(inRoom.Select(p => new ParticipantResponse(
            p.Identity, p.Name, (roles.TryGetValue(p.Identity, out var role) ? role : ParticipantRole.Guest).ToString(), p.JoinedAt, p.IsPublisher,
            p.Tracks.Select(t => new TrackResponse(t.Sid, t.Source.ToString(), t.Type.ToString(), t.Muted)).ToList())).ToList());
    }

    static async Task<IResult> MuteTrack(string slug, string identity, MuteRequest request, HttpContext http)
    {
        var (meeting, problem) = await AuthorizeAsync(slug, http);
        if (meeting is null)
        {
            return problem!;
        }
        if (string.IsNullOrWhiteSpace(request.TrackSid))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["trackSid"] = ["The track to mute is required."] });
        }
        return await CallLiveKitAsync(http, rooms => rooms.MutePublishedTrackAsync(
            new MuteRoomTrackRequest { Room = meeting.RoomName, Identity = identity, TrackSid = request.TrackSid, Muted = true }, http.RequestAborted));
    }

    static async Task<IResult> RemoveParticipant(string slug, string identity, HttpContext http)
    {
        var (meeting, problem) = await AuthorizeAsync(slug, http);
        if (meeting is null)
        {
            return problem!;
        }
        return await CallLiveKitAsync(http, rooms => rooms.RemoveParticipantAsync(
            new RoomParticipantIdentity { Room = meeting.RoomName, Identity = identity }, http.RequestAborted));
    }

    static async Task<IResult> ChangeRole(string slug, string identity, RoleRequest request, HttpContext http, ConferenceDbContext db)
    {
        var (meeting, problem) = await AuthorizeAsync(slug, http);
        if (meeting is null)
        {
            return problem!;
        }
        if (request.Role is not (ParticipantRole.CoHost or ParticipantRole.Guest))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["role"] = ["The role must be CoHost or Guest."] });
        }
        var session = await db.ParticipantSessions.SingleOrDefaultAsync(s => s.MeetingId == meeting.Id && s.Identity == identity && s.LeftAt == null);
        if (session is null || session.Role == ParticipantRole.Host)
        {
            return TypedResults.Problem("There is no such participant in the meeting (the host's role cannot change).", statusCode: StatusCodes.Status404NotFound);
        }
        session.Role = request.Role.Value;
        await db.SaveChangesAsync();

        // UpdateParticipant replaces the whole permission set, so send all of it, and the role in the metadata
        // so every browser shows the change.
        var result = await CallLiveKitAsync(http, rooms => rooms.UpdateParticipantAsync(new UpdateParticipantRequest
        {
            Room = meeting.RoomName,
            Identity = identity,
            Metadata = System.Text.Json.JsonSerializer.Serialize(new JoinTokens.ParticipantMetadata(request.Role.Value.ToString())),
            Permission = new ParticipantPermission
            {
                CanSubscribe = true,
                CanPublish = true,
                CanPublishData = true,
                CanPublishSources = [TrackSource.Camera, TrackSource.Microphone, TrackSource.ScreenShare, TrackSource.ScreenShareAudio],
            },
        }, http.RequestAborted));
        await http.RequestServices.GetRequiredService<MeetingChanges>().PublishAsync(slug, "participants");
        return result;
    }

    static async Task<IResult> SetLock(string slug, LockRequest request, HttpContext http)
    {
        var (meeting, problem) = await AuthorizeAsync(slug, http);
        if (meeting is null)
        {
            return problem!;
        }
        var db = http.RequestServices.GetRequiredService<ConferenceDbContext>();
        var stored = await db.Meetings.SingleAsync(m => m.Id == meeting.Id);
        stored.Settings.Locked = request.Locked;
        await db.SaveChangesAsync();
        await http.RequestServices.GetRequiredService<MeetingChanges>().PublishAsync(slug, "lock");
        return TypedResults.NoContent();
    }

    static async Task<IResult> EndMeeting(string slug, HttpContext http, TimeProvider clock)
    {
        var (meeting, problem) = await AuthorizeAsync(slug, http);
        if (meeting is null)
        {
            return problem!;
        }
        var db = http.RequestServices.GetRequiredService<ConferenceDbContext>();
        var stored = await db.Meetings.SingleAsync(m => m.Id == meeting.Id);
        stored.EndedAt ??= clock.GetUtcNow();
        await db.SaveChangesAsync();
        await http.RequestServices.GetRequiredService<MeetingChanges>().PublishAsync(slug, "ended");
        if (http.RequestServices.GetService<RoomServiceClient>() is { } rooms)
        {
            try
            {
                await rooms.DeleteRoomAsync(new DeleteRoomRequest { Room = meeting.RoomName }, http.RequestAborted);
            }
            catch (LiveKitException exception) when (exception.Code == "not_found")
            {
                // Nobody was in the room: ended all the same.
            }
        }
        return TypedResults.NoContent();
    }

    /// <summary>Calls LiveKit and turns its errors into problems: a missing participant is 404, LiveKit down is 503.</summary>
    static async Task<IResult> CallLiveKitAsync(HttpContext http, Func<RoomServiceClient, Task> call)
    {
        if (http.RequestServices.GetService<RoomServiceClient>() is not { } rooms)
        {
            return MediaServerNotConfigured();
        }
        try
        {
            await call(rooms);
            return TypedResults.NoContent();
        }
        catch (LiveKitException exception) when (exception.Code == "not_found")
        {
            return TypedResults.Problem(exception.Message, statusCode: StatusCodes.Status404NotFound);
        }
        catch (Exception exception) when (exception is LiveKitException or HttpRequestException)
        {
            return TypedResults.Problem($"The media server could not do it: {exception.Message}", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    static ProblemHttpResult MediaServerNotConfigured() =>
        TypedResults.Problem("This server has no media server (LiveKit) configured.", statusCode: StatusCodes.Status503ServiceUnavailable);
}
