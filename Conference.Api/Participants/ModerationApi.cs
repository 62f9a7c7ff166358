using Conference.Api.Data;
using Conference.Api.Meetings;
using Conference.Contracts;
using Conference.LiveKit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Conference.Api.Participants;

/// <summary>
/// What hosts and co-hosts do during a meeting: the lobby, the participant list, mute, remove, roles, lock, end the
/// call for everyone. Every call checks the caller's role in the database now. Co-hosts act on guests only, never on
/// the host or another co-host; only the host changes roles and ends the call for everyone.
/// </summary>
public static class ModerationApi
{
    public static RouteGroupBuilder MapModerationApi(this RouteGroupBuilder meeting)
    {
        // 503: LiveKit (participants, mute, remove, roles, end) or Redis (the lobby) is away, or not configured.
        var moderators = meeting.MapGroup("").WithTags("Moderation").RequireMeetingRole(ParticipantRole.CoHost)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        var host = meeting.MapGroup("").WithTags("Moderation").RequireMeetingRole(ParticipantRole.Host)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        moderators.MapGet("/lobby", ListLobby).WithName("ListLobby").WithSummary("People waiting to be let in (and whether they were removed before).");
        moderators.MapPost("/lobby/{requestId}/admit", (MeetingRequest target, string requestId, Lobby lobby, MeetingChanges changes) =>
                AnswerLobby(target, requestId, Lobby.Status.Admitted, lobby, changes))
            .WithName("AdmitGuest").WithSummary("Let a waiting person in; their ticket then turns into a token, once. Admitting again is a no-op.")
            .ProducesProblem(StatusCodes.Status409Conflict) // turned away already, by this host or another
            .ProducesProblem(StatusCodes.Status410Gone); // asked before the call was ended for everyone
        moderators.MapPost("/lobby/{requestId}/deny", (MeetingRequest target, string requestId, Lobby lobby, MeetingChanges changes) =>
                AnswerLobby(target, requestId, Lobby.Status.Denied, lobby, changes))
            .WithName("DenyGuest").WithSummary($"Turn a waiting person away (after {Lobby.MaxDenials} they cannot ask again that day). Denying again is a no-op.")
            .ProducesProblem(StatusCodes.Status409Conflict) // let in already
            .ProducesProblem(StatusCodes.Status410Gone);

        moderators.MapGet("/participants", ListParticipants).WithName("ListParticipants")
            .WithSummary("The people in the call now (LiveKit; recorders and agents left out) with their role in the meeting.");
        moderators.MapPost("/participants/{identity}/mute", MuteTrack).WithName("MuteTrack").WithSummary("Mute one of a guest's tracks.");
        moderators.MapDelete("/participants/{identity}", RemoveParticipant).WithName("RemoveParticipant")
            .WithSummary("Remove a guest from the call and keep them out of this meeting (with the lobby on they may ask again).");
        host.MapPut("/participants/{identity}/role", ChangeRole).WithName("ChangeParticipantRole")
            .WithSummary("Make someone co-host or guest, connected or not; takes effect in LiveKit and the api at once.");
        moderators.MapPut("/lock", SetLock).WithName("LockMeeting").WithSummary("Lock or unlock: when locked nobody new joins except the host and co-hosts.");
        host.MapPost("/end", EndCall).WithName("EndMeeting")
            .WithSummary("End the current call for everyone (deletes the LiveKit room); the link works again for a new call.");

        return meeting;
    }

    /// <summary>A person waiting in the lobby.</summary>
    /// <param name="RequestId">Their lobby request, to admit or deny.</param>
    /// <param name="DisplayName">The name they gave.</param>
    /// <param name="RequestedAt">When they asked (UTC, ISO 8601).</param>
    /// <param name="RemovedBefore">Whether they were removed from this meeting before.</param>
    public sealed record LobbyEntry(string RequestId, string DisplayName, DateTimeOffset RequestedAt, bool RemovedBefore);

    /// <summary>A person in the call now, as LiveKit reports them.</summary>
    /// <param name="Identity">Their participant identity in the meeting.</param>
    /// <param name="Name">Their display name.</param>
    /// <param name="Role">Host, CoHost or Guest, as the api holds it now.</param>
    /// <param name="JoinedAt">When this connection joined (UTC); null if LiveKit did not say.</param>
    /// <param name="IsPublisher">Whether they may publish camera, microphone and screen.</param>
    /// <param name="Tracks">Their published tracks.</param>
    public sealed record ParticipantResponse(string Identity, string Name, string Role, DateTimeOffset? JoinedAt, bool IsPublisher,
        IReadOnlyList<TrackResponse> Tracks);

    /// <summary>A published track.</summary>
    /// <param name="Sid">LiveKit's track sid (<c>TR_…</c>), what <c>mute</c> takes.</param>
    /// <param name="Source">Camera, Microphone, ScreenShare, ScreenShareAudio or Unknown (LiveKit's TrackSource).</param>
    /// <param name="Type">Audio, Video or Data (LiveKit's TrackType).</param>
    /// <param name="Muted">Whether it is muted now.</param>
    public sealed record TrackResponse(string Sid, string Source, string Type, bool Muted);

    /// <summary>Which track to mute.</summary>
    /// <param name="TrackSid">The track's sid (<c>TR_…</c>) from the participant list.</param>
    public sealed record MuteRequest(string? TrackSid);

    /// <summary>The role to give.</summary>
    /// <param name="Role">CoHost or Guest (the host's role cannot be given or taken).</param>
    public sealed record RoleRequest(ParticipantRole? Role);

    /// <summary>Lock or unlock.</summary>
    /// <param name="Locked">true: nobody new joins except the host and co-hosts.</param>
    public sealed record LockRequest([property: System.Text.Json.Serialization.JsonRequired] bool Locked);

    static async Task<Ok<List<LobbyEntry>>> ListLobby(MeetingRequest target, Lobby lobby)
    {
        var waiting = await lobby.WaitingAsync(target.Slug);
        return TypedResults.Ok(waiting.Where(w => !AskedBeforeTheEnd(target.Meeting, w))
            .Select(w => new LobbyEntry(w.Id, w.DisplayName, w.RequestedAt, w.RemovedBefore)).ToList());
    }

    /// <summary>
    /// A request made before the host ended the call for everyone ended with it: its page says so ("ask to join
    /// again", JoinApi), so hosts no longer see it, and admitting it would let in nobody (a newcomer admitted such a
    /// ghost).
    /// </summary>
    static bool AskedBeforeTheEnd(Meeting meeting, Lobby.Request request) => meeting.EndedForEveryoneAt >= request.RequestedAt;

    static async Task<Results<NoContent, ProblemHttpResult>> AnswerLobby(MeetingRequest target, string requestId, Lobby.Status answer,
        Lobby lobby, MeetingChanges changes)
    {
        if (await lobby.FindAsync(target.Slug, requestId) is { } asked && AskedBeforeTheEnd(target.Meeting, asked))
        {
            return TypedResults.Problem("They asked before the call was ended for everyone; their page told them to ask again.",
                statusCode: StatusCodes.Status410Gone, title: "Call ended");
        }
        var (outcome, request) = await lobby.AnswerAsync(target.Slug, requestId, answer);
        switch (outcome)
        {
            case Lobby.AnswerOutcome.Answered:
                await changes.PublishAsync(target.Slug, MeetingChangeKind.Lobby);
                return TypedResults.NoContent();
            case Lobby.AnswerOutcome.AnsweredAlike:
                return TypedResults.NoContent(); // a second click or a second host agreeing: the answer stands
            case Lobby.AnswerOutcome.AnsweredOtherwise:
                var standing = request!.Status == Lobby.Status.Denied ? "turned away" : "let in";
                return TypedResults.Problem($"{request.DisplayName} was {standing} already, by you or a co-host; that answer stands.",
                    statusCode: StatusCodes.Status409Conflict, title: "Already answered");
            default:
                return TypedResults.Problem("Nobody is waiting with that request; they may have left or asked again.", statusCode: StatusCodes.Status404NotFound);
        }
    }

    static async Task<Results<Ok<List<ParticipantResponse>>, ProblemHttpResult>> ListParticipants(
        MeetingRequest target, MediaServer media, ConferenceDbContext db, HttpContext http)
    {
        var meeting = target.Meeting;
        IReadOnlyList<ParticipantInfo> inRoom;
        try
        {
            inRoom = await media.Rooms.ListParticipantsAsync(new ListParticipantsRequest { Room = meeting.RoomName }, http.RequestAborted);
        }
        catch (LiveKitException exception) when (exception.IsNotFound)
        {
            inRoom = []; // no call right now
        }
        catch (Exception exception) when (exception is LiveKitException or HttpRequestException)
        {
            return MediaServerFailed(exception);
        }
        var people = inRoom.Where(p => Webhooks.WebhookEventStore.IsPerson(p.Kind)).ToList();
        var identities = people.Select(p => p.Identity).ToList();
        var roles = await db.MeetingParticipants.AsNoTracking()
            .Where(p => p.MeetingId == meeting.Id && identities.Contains(p.Identity))
            .ToDictionaryAsync(p => p.Identity, p => p.Role, http.RequestAborted);
        return TypedResults.Ok(people.Select(p => new ParticipantResponse(
            p.Identity, p.Name, (roles.TryGetValue(p.Identity, out var role) ? role : ParticipantRole.Guest).ToString(), p.JoinedAt, p.IsPublisher,
            p.Tracks.Select(t => new TrackResponse(t.Sid, t.Source.ToString(), t.Type.ToString(), t.Muted)).ToList())).ToList());
    }

    static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> MuteTrack(
        MeetingRequest target, string identity, MuteRequest request, MediaServer media, ConferenceDbContext db, MeetingChanges changes, HttpContext http)
    {
        if (string.IsNullOrWhiteSpace(request.TrackSid))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["trackSid"] = ["The track to mute is required."] });
        }
        if (await OutrankedAsync(target, identity, db) is { } outranked)
        {
            return outranked;
        }
        var result = (await CallLiveKitAsync(() => media.Rooms.MutePublishedTrackAsync(
            new MuteRoomTrackRequest { Room = target.Meeting.RoomName, Identity = identity, TrackSid = request.TrackSid, Muted = true }, http.RequestAborted),
            notFound: $"No one with the identity '{Shown(identity)}' is in this meeting's call with a track {Shown(request.TrackSid)}.")).Result;
        if (result is not NoContent done)
        {
            return (ProblemHttpResult)result;
        }
        // LiveKit tells the muted browser only that its track was muted; this tells its page who did it.
        await changes.PublishAsync(new MeetingChange(target.Slug, MeetingChangeKind.Muted, identity, await ModeratorNameAsync(target, db, http), request.TrackSid));
        return done;
    }

    /// <summary>The name the caller (a host or co-host) goes by in this meeting: as they joined it, else their account's.</summary>
    static async Task<string?> ModeratorNameAsync(MeetingRequest target, ConferenceDbContext db, HttpContext http)
    {
        var caller = await target.CallerAsync();
        if (caller.Participant is { } participant)
        {
            return participant.DisplayName;
        }
        var meetingId = target.Meeting.Id;
        return caller.Identity is { } identity
            ? await db.MeetingParticipants.AsNoTracking().Where(p => p.MeetingId == meetingId && p.Identity == identity)
                .Select(p => p.DisplayName).SingleOrDefaultAsync(http.RequestAborted)
              ?? (caller.Role == ParticipantRole.Host
                  ? await db.Users.AsNoTracking().Where(u => u.Id == target.Meeting.HostId).Select(u => u.DisplayName).SingleOrDefaultAsync(http.RequestAborted)
                  : null)
            : null;
    }

    static async Task<Results<NoContent, ProblemHttpResult>> RemoveParticipant(
        MeetingRequest target, string identity, MediaServer media, ConferenceDbContext db, MeetingChanges changes, TimeProvider clock, HttpContext http)
    {
        if (await OutrankedAsync(target, identity, db) is { } outranked)
        {
            return outranked;
        }
        var meeting = target.Meeting;
        var rooms = media.Rooms;
        // Kept out first (their key is refused from now on), then disconnected: LiveKit's RemoveParticipant revokes nothing.
        var now = clock.GetUtcNow();
        var marked = await db.MeetingParticipants.Where(p => p.MeetingId == meeting.Id && p.Identity == identity)
            .ExecuteUpdateAsync(p => p.SetProperty(x => x.RemovedAt, now).SetProperty(x => x.TimesRemoved, x => x.TimesRemoved + 1)
                .SetProperty(x => x.Role, ParticipantRole.Guest), http.RequestAborted);
        var result = await CallLiveKitAsync(() => rooms.RemoveParticipantAsync(
            new RoomParticipantIdentity { Room = meeting.RoomName, Identity = identity }, http.RequestAborted),
            notFound: marked > 0 ? null : NotInTheCall(identity));
        await changes.PublishAsync(meeting.Slug, MeetingChangeKind.Participants);
        return result;
    }

    static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ChangeRole(
        MeetingRequest target, string identity, RoleRequest request, MediaServer media, ConferenceDbContext db, MeetingChanges changes, HttpContext http)
    {
        if (request.Role is not (ParticipantRole.CoHost or ParticipantRole.Guest))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["role"] = ["The role must be CoHost or Guest."] });
        }
        var meeting = target.Meeting;
        var participant = await db.MeetingParticipants.SingleOrDefaultAsync(p => p.MeetingId == meeting.Id && p.Identity == identity, http.RequestAborted);
        if (participant is null || participant.Role == ParticipantRole.Host)
        {
            return TypedResults.Problem("Nobody with that identity has joined this meeting (and the host's role cannot change).", statusCode: StatusCodes.Status404NotFound);
        }
        var rooms = media.Rooms;
        participant.Role = request.Role.Value;
        await db.SaveChangesAsync(http.RequestAborted);
        await changes.PublishAsync(meeting.Slug, MeetingChangeKind.Participants);

        // In the api the new role counts from the commit above. LiveKit is told too, so every browser shows it:
        // UpdateParticipant replaces the whole permission set, so all of it is sent. Not connected is fine.
        return (await CallLiveKitAsync(() => rooms.UpdateParticipantAsync(new UpdateParticipantRequest
        {
            Room = meeting.RoomName,
            Identity = identity,
            Metadata = JoinTokens.Metadata(request.Role.Value),
            Permission = new ParticipantPermission
            {
                CanSubscribe = true,
                CanPublish = true,
                CanPublishData = true,
                CanPublishSources = JoinTokens.PublishableSources,
            },
        }, http.RequestAborted), notFound: null)).Result switch { NoContent done => done, var problem => (ProblemHttpResult)problem };
    }

    static async Task<NoContent> SetLock(MeetingRequest target, LockRequest request, ConferenceDbContext db, MeetingChanges changes, HttpContext http)
    {
        await db.Meetings.Where(m => m.Id == target.Meeting.Id)
            .ExecuteUpdateAsync(m => m.SetProperty(x => x.Settings.Locked, request.Locked), http.RequestAborted);
        await changes.PublishAsync(target.Slug, MeetingChangeKind.Lock);
        return TypedResults.NoContent();
    }

    static async Task<Results<NoContent, ProblemHttpResult>> EndCall(MeetingRequest target, MediaServer media, ConferenceDbContext db,
        MeetingChanges changes, TimeProvider clock, HttpContext http)
    {
        var rooms = media.Rooms;
        var now = clock.GetUtcNow();
        // From now on a token issued before this moment is turned away if it joins (see WebhookEventStore).
        await db.Meetings.Where(m => m.Id == target.Meeting.Id)
            .ExecuteUpdateAsync(m => m.SetProperty(x => x.EndedForEveryoneAt, now), http.RequestAborted);
        await changes.PublishAsync(target.Slug, MeetingChangeKind.Ended);
        return await EndCallAsync(rooms, target.Meeting, http.RequestAborted);
    }

    /// <summary>Deletes the meeting's LiveKit room (everyone gets ROOM_DELETED); no room means no call, which is fine.</summary>
    internal static Task<Results<NoContent, ProblemHttpResult>> EndCallAsync(RoomServiceClient rooms, Meeting meeting, CancellationToken cancellationToken) =>
        CallLiveKitAsync(() => rooms.DeleteRoomAsync(new DeleteRoomRequest { Room = meeting.RoomName }, cancellationToken), notFound: null);

    /// <summary>403 when a co-host aims at the host or another co-host: co-hosts moderate guests only.</summary>
    static async Task<ProblemHttpResult?> OutrankedAsync(MeetingRequest target, string identity, ConferenceDbContext db)
    {
        var caller = await target.CallerAsync();
        if (caller.Role == ParticipantRole.Host)
        {
            return identity == ParticipantIdentities.ForAccount(target.Meeting.HostId)
                ? TypedResults.Problem("The host cannot do this to themselves.", statusCode: StatusCodes.Status403Forbidden)
                : null;
        }
        var targetRole = identity == ParticipantIdentities.ForAccount(target.Meeting.HostId)
            ? ParticipantRole.Host
            : await db.MeetingParticipants.AsNoTracking()
                .Where(p => p.MeetingId == target.Meeting.Id && p.Identity == identity && p.RemovedAt == null)
                .Select(p => (ParticipantRole?)p.Role).SingleOrDefaultAsync() ?? ParticipantRole.Guest;
        return targetRole >= ParticipantRole.CoHost
            ? TypedResults.Problem("Co-hosts moderate guests only, never the host or another co-host.", statusCode: StatusCodes.Status403Forbidden)
            : null;
    }

    static string NotInTheCall(string identity) => $"No one with the identity '{Shown(identity)}' is in this meeting's call.";

    /// <summary>
    /// A value from the address or body as a problem repeats it: at most 64 characters (as a reader counts them), so an
    /// answer does not echo whatever length a caller sent (a newcomer's 3,000-character identity came back whole).
    /// </summary>
    static string Shown(string value) =>
        new System.Globalization.StringInfo(value) is { LengthInTextElements: > 64 } info ? info.SubstringByTextElements(0, 64) + "…" : value;

    /// <summary>
    /// Calls LiveKit. Twirp's not_found (no call now, that identity not connected, no such track) is 404 in our words
    /// (<paramref name="notFound"/>), or fine when it is null; LiveKit away or failing is 503; never 500, and never
    /// LiveKit's own text, which is no client's business.
    /// </summary>
    static async Task<Results<NoContent, ProblemHttpResult>> CallLiveKitAsync(Func<Task> call, string? notFound)
    {
        try
        {
            await call();
            return TypedResults.NoContent();
        }
        catch (LiveKitException exception) when (exception.IsNotFound)
        {
            return notFound is null
                ? TypedResults.NoContent()
                : TypedResults.Problem(notFound, statusCode: StatusCodes.Status404NotFound, title: "Not in the call");
        }
        catch (Exception exception) when (exception is LiveKitException or HttpRequestException)
        {
            return MediaServerFailed(exception);
        }
    }

    /// <summary>503 saying what failed in our words; the details (LiveKit's message) are in the LiveKit client's trace.</summary>
    static ProblemHttpResult MediaServerFailed(Exception exception) => TypedResults.Problem(exception switch
        {
            LiveKitException { Code: TwirpCode.Unauthenticated or TwirpCode.PermissionDenied } or LiveKitException { StatusCode: System.Net.HttpStatusCode.Unauthorized } =>
                "The media server (LiveKit) refused the api's key: its LiveKit key and secret must match the server's.",
            LiveKitException { Code: { } code } => $"The media server (LiveKit) could not do it now ({code}); try again shortly.",
            LiveKitException other => $"The media server (LiveKit) could not do it now (HTTP {(int)other.StatusCode}); try again shortly.",
            _ => "The media server (LiveKit) cannot be reached now; try again shortly.",
        },
        statusCode: StatusCodes.Status503ServiceUnavailable, title: "The media server is unavailable");
}
