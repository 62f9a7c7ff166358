using System.Security.Claims;
using Conference.Api.Data;
using Conference.Api.Meetings;
using Conference.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Conference.Api.Participants;

/// <summary>
/// Joining a meeting. The caller is the same identity on every join (their account, or the participant key their
/// browser keeps); the checks (expired, removed, locked, full, lobby) read the meeting and that person's standing
/// now; the answer is a short-lived LiveKit token, or a lobby ticket only the asking browser holds.
/// </summary>
public static class JoinApi
{
    public static RouteGroupBuilder MapJoinApi(this RouteGroupBuilder meeting)
    {
        meeting.MapPost("/join", Join).WithTags("Join").WithName("JoinMeeting")
            .WithSummary("Ask to join: a LiveKit token and your participant key, or a lobby ticket to wait with when the lobby is on.")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status410Gone)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        meeting.MapPost("/lobby/{requestId}", ClaimLobbyTicket).WithTags("Join").WithName("ClaimLobbyTicket")
            .WithSummary("A waiting person shows their lobby ticket: still waiting, or (once) the token when admitted.")
            .ProducesProblem(StatusCodes.Status404NotFound) // no such request for this ticket (the group's 404 is the meeting's)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status410Gone)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        meeting.MapPost("/lobby/{requestId}/withdraw", WithdrawLobbyRequest).WithTags("Join").WithName("WithdrawLobbyRequest")
            .WithSummary("A waiting person leaves the lobby (closed the page, or chose to leave): the hosts no longer see them waiting.")
            .ProducesProblem(StatusCodes.Status404NotFound) // no such request for this ticket
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return meeting;
    }

    /// <summary>Asks to join a meeting.</summary>
    /// <param name="DisplayName">The name others see: 1–64 characters (text elements; any language and emoji), NFC-normalised; no control or bidi-override characters.</param>
    /// <param name="ParticipantKey">The key an earlier join of this meeting returned (the browser keeps it): the same identity and role again. Omit on a first join.</param>
    public sealed record JoinRequest(string? DisplayName, string? ParticipantKey = null);

    /// <summary>The answer to a join: in (200, with a token) or waiting in the lobby (202, with a ticket).</summary>
    /// <param name="Status">"joined" (then <c>join</c> is set) or "waiting" (then the lobby fields are set).</param>
    /// <param name="Join">What the browser needs to connect to LiveKit; null while waiting.</param>
    /// <param name="LobbyRequestId">The lobby request to claim at <c>POST lobby/{requestId}</c>; null when joined.</param>
    /// <param name="LobbyTicket">The secret that claims the lobby request, shown only here: keep it in this browser. Answered once.</param>
    /// <param name="ParticipantKey">The participant key to keep for this meeting and send on the next join.</param>
    /// <param name="LobbyExpiresAt">When the lobby request expires unanswered (UTC, ISO 8601).</param>
    public sealed record JoinResponse(string Status, JoinDetails? Join, string? LobbyRequestId, string? LobbyTicket = null,
        string? ParticipantKey = null, DateTimeOffset? LobbyExpiresAt = null);

    /// <summary>What the browser needs to connect to LiveKit.</summary>
    /// <param name="ServerUrl">LiveKit's signalling URL as browsers reach it (<c>wss://…</c>).</param>
    /// <param name="RoomName">The LiveKit room: the meeting's slug.</param>
    /// <param name="Identity">This person's participant identity in the meeting; the same on every join from this browser.</param>
    /// <param name="Token">LiveKit access token (a JWT signed with the API secret) for this room only; valid 10 minutes.</param>
    /// <param name="ExpiresAt">When <c>token</c> stops admitting a new connection (UTC, ISO 8601).</param>
    /// <param name="Role">Host, CoHost or Guest.</param>
    /// <param name="ParticipantCredential">The participant key: kept by the browser for this meeting, sent back on the next join and in <c>X-Participant-Token</c> on moderation calls.</param>
    public sealed record JoinDetails(string ServerUrl, string RoomName, string Identity, string Token, DateTimeOffset ExpiresAt,
        string Role, string ParticipantCredential);

    /// <summary>A waiting person's claim on their lobby request.</summary>
    /// <param name="Ticket">The <c>lobbyTicket</c> the join answered with (96 lowercase hex digits).</param>
    public sealed record LobbyTicketRequest(string? Ticket);

    static async Task<Results<Ok<JoinResponse>, Accepted<JoinResponse>, ValidationProblem, ProblemHttpResult>> Join(
        MeetingRequest target, JoinRequest request, HttpContext http, MediaServer media, ParticipantKeys keys, Lobby lobby,
        ConferenceDbContext db, MeetingChanges changes, TimeProvider clock)
    {
        var validation = new Validation().PersonText("displayName", request.DisplayName, TextLimits.DisplayName, out var displayName);
        if (!validation.IsValid)
        {
            return TypedResults.ValidationProblem(validation.Errors);
        }
        if (await RateLimits.CheckJoinAsync(http, target.Slug) is ProblemHttpResult tooMany)
        {
            return tooMany;
        }
        var tokens = media.Tokens;
        var meeting = target.Meeting;
        if (Expired(meeting, clock) is { } expired)
        {
            return expired;
        }

        // The claim, not UserManager: join is the hot path, and the id is all it needs.
        var userId = http.User.FindFirstValue(ClaimTypes.NameIdentifier);
        var identity = userId is not null ? ParticipantIdentities.ForAccount(userId)
            : keys.Read(meeting.Id, request.ParticipantKey, userId) ?? ParticipantIdentities.NewGuest();
        var isHost = userId is not null && userId == meeting.HostId;
        var known = await db.MeetingParticipants.AsNoTracking()
            .SingleOrDefaultAsync(p => p.MeetingId == meeting.Id && p.Identity == identity, http.RequestAborted);
        var role = isHost ? ParticipantRole.Host : known is { RemovedAt: null } ? known.Role : ParticipantRole.Guest;
        var removed = !isHost && known?.RemovedAt is not null;

        if (removed && !meeting.Settings.LobbyEnabled)
        {
            return TypedResults.Problem("You were removed from this meeting.", statusCode: StatusCodes.Status403Forbidden, title: "Removed");
        }
        if (await NotOpenAsync(meeting, identity, role, http) is { } notOpen)
        {
            return notOpen;
        }

        var participantKey = keys.Issue(meeting.Id, identity);
        // An invitee joining by their personal link's key goes past the lobby when the host chose so (issue 17).
        if (meeting.Settings.LobbyEnabled && role == ParticipantRole.Guest && (removed
            || !await Scheduling.InvitationsApi.SkipsLobbyAsync(db, meeting.Id, identity, http.RequestAborted)
            && !await ReturningAsync(db, meeting, identity, clock, http.RequestAborted)))
        {
            if (await lobby.DenialsAsync(meeting.Slug, identity) >= Lobby.MaxDenials)
            {
                return TypedResults.Problem("The host did not let you in, several times; you cannot ask again today.",
                    statusCode: StatusCodes.Status403Forbidden, title: "Not admitted");
            }
            if (await lobby.AddAsync(meeting.Slug, identity, displayName, removed) is not var (waiting, ticket))
            {
                return TypedResults.Problem("Too many people are waiting to be let in; try again in a few minutes.",
                    statusCode: StatusCodes.Status429TooManyRequests, title: "Lobby full");
            }
            await changes.PublishAsync(meeting.Slug, MeetingChangeKind.Lobby);
            return TypedResults.Accepted($"/api/meetings/{meeting.Slug}/lobby/{waiting.Id}",
                new JoinResponse("waiting", null, waiting.Id, ticket, participantKey, waiting.ExpiresAt));
        }

        await RememberAsync(db, meeting, identity, userId, displayName, role, readmitted: false, clock, http.RequestAborted);
        return TypedResults.Ok(new JoinResponse("joined", Details(tokens, meeting, identity, displayName, role, participantKey), null,
            ParticipantKey: participantKey));
    }

    static async Task<Results<Ok<JoinResponse>, ProblemHttpResult>> ClaimLobbyTicket(
        MeetingRequest target, string requestId, LobbyTicketRequest request, HttpContext http, MediaServer media, ParticipantKeys keys,
        Lobby lobby, ConferenceDbContext db, TimeProvider clock)
    {
        var meeting = target.Meeting;
        var waiting = await lobby.FindAsync(meeting.Slug, requestId);
        // Without the ticket a request id is worth nothing, and says nothing about whether it exists.
        if (waiting is null || !Lobby.HoldsTicket(waiting, request.Ticket))
        {
            return TypedResults.Problem("There is no such lobby request for this ticket; it may have expired.", statusCode: StatusCodes.Status404NotFound);
        }
        var tokens = media.Tokens;
        switch (waiting.Status)
        {
            // The host ended the call for everyone after this person asked: that includes them (410 below), as the
            // people in the call are told; they may ask again when a call runs.
            case Lobby.Status.Waiting when !(meeting.EndedForEveryoneAt >= waiting.RequestedAt):
                return TypedResults.Ok(new JoinResponse("waiting", null, waiting.Id, LobbyExpiresAt: waiting.ExpiresAt));
            case Lobby.Status.Denied:
                return TypedResults.Problem("The host did not let you in.", statusCode: StatusCodes.Status403Forbidden, title: "Not admitted");
            case Lobby.Status.Spent:
                return TypedResults.Problem("This lobby ticket was already used; ask to join again.", statusCode: StatusCodes.Status410Gone, title: "Ticket used");
            case Lobby.Status.Replaced:
                return TypedResults.Problem("You asked to join again from another tab or window: you wait there now, not here.",
                    statusCode: StatusCodes.Status409Conflict, title: "Waiting elsewhere");
        }

        // Admitted (or waiting through an end for everyone): still only while the meeting is open to this person.
        if (Expired(meeting, clock) is { } expired)
        {
            return expired;
        }
        if (meeting.EndedForEveryoneAt is { } ended && ended >= waiting.RequestedAt)
        {
            return TypedResults.Problem("The host ended the call after you asked; ask to join again.", statusCode: StatusCodes.Status410Gone, title: "Call ended");
        }
        var known = await db.MeetingParticipants.AsNoTracking()
            .SingleOrDefaultAsync(p => p.MeetingId == meeting.Id && p.Identity == waiting.Identity, http.RequestAborted);
        if (known?.RemovedAt is { } removedAt && removedAt > waiting.RequestedAt)
        {
            return TypedResults.Problem("You were removed from this meeting.", statusCode: StatusCodes.Status403Forbidden, title: "Removed");
        }
        if (await NotOpenAsync(meeting, waiting.Identity, ParticipantRole.Guest, http) is { } notOpen)
        {
            return notOpen;
        }
        if (!await lobby.SpendAsync(meeting.Slug, waiting))
        {
            return TypedResults.Problem("This lobby ticket was already used; ask to join again.", statusCode: StatusCodes.Status410Gone, title: "Ticket used");
        }
        var userId = ParticipantIdentities.UserIdOf(waiting.Identity);
        // Admitted from the lobby: a host let this person in, so an earlier removal no longer keeps them out.
        await RememberAsync(db, meeting, waiting.Identity, userId, waiting.DisplayName, ParticipantRole.Guest, readmitted: true, clock, http.RequestAborted);
        return TypedResults.Ok(new JoinResponse("joined",
            Details(tokens, meeting, waiting.Identity, waiting.DisplayName, ParticipantRole.Guest, keys.Issue(meeting.Id, waiting.Identity)), null));
    }

    /// <summary>
    /// Withdraws a lobby request: 204 whether it went now or was already answered (denied, used, replaced by a later
    /// ask: it no longer waits either way); 404 when there is no such request for this ticket (or it expired). Sent by
    /// the web when the waiting page is closed (a pagehide beacon) or its circuit ends, and when the person leaves.
    /// </summary>
    static async Task<Results<NoContent, ProblemHttpResult>> WithdrawLobbyRequest(
        MeetingRequest target, string requestId, LobbyTicketRequest request, Lobby lobby, MeetingChanges changes)
    {
        var slug = target.Meeting.Slug;
        var waiting = await lobby.FindAsync(slug, requestId);
        if (waiting is null || !Lobby.HoldsTicket(waiting, request.Ticket))
        {
            return TypedResults.Problem("There is no such lobby request for this ticket; it may have expired.", statusCode: StatusCodes.Status404NotFound);
        }
        if (await lobby.WithdrawAsync(slug, waiting))
        {
            // The hosts' lists (their call's People panel, the meeting page's waiting-room card) drop the person.
            await changes.PublishAsync(slug, MeetingChangeKind.Lobby);
        }
        return TypedResults.NoContent();
    }

    static ProblemHttpResult? Expired(Meeting meeting, TimeProvider clock) =>
        meeting.Settings.ExpiresAt is { } expires && expires <= clock.GetUtcNow()
            ? TypedResults.Problem("This meeting's link has expired.", statusCode: StatusCodes.Status410Gone, title: "Meeting expired")
            : null;

    /// <summary>Locked (only hosts and co-hosts get in) or full (people connected now, not counting this person's own connections).</summary>
    static async Task<ProblemHttpResult?> NotOpenAsync(Meeting meeting, string identity, ParticipantRole role, HttpContext http)
    {
        if (meeting.Settings.Locked && role == ParticipantRole.Guest)
        {
            return TypedResults.Problem("The host has locked this meeting; nobody new can join.", statusCode: StatusCodes.Status403Forbidden, title: "Meeting locked");
        }
        var present = await http.RequestServices.GetRequiredService<MeetingCache>().PresentIdentitiesAsync(meeting, http.RequestAborted);
        var others = present.Count - (present.Contains(identity) ? 1 : 0);
        if (others >= meeting.Settings.MaxParticipants && role != ParticipantRole.Host)
        {
            return TypedResults.Problem($"This meeting is full ({meeting.Settings.MaxParticipants} people).", statusCode: StatusCodes.Status409Conflict, title: "Meeting full");
        }
        return null;
    }

    /// <summary>How long someone let in may be away from a call still going on and come back without asking again.</summary>
    public static readonly TimeSpan ReturnWindow = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Whether this identity was in the meeting's call, which is still going on, within <see cref="ReturnWindow"/>
    /// and since any end for everyone: a reload, a crashed tab or a changed network brings back someone the host let
    /// in, without a second knock (a newcomer's reload sent an admitted guest back to the lobby). A removal is checked
    /// before this; a new call asks again.
    /// </summary>
    static Task<bool> ReturningAsync(ConferenceDbContext db, Meeting meeting, string identity, TimeProvider clock, CancellationToken cancellationToken)
    {
        var since = clock.GetUtcNow() - ReturnWindow;
        var endedForEveryone = meeting.EndedForEveryoneAt ?? DateTimeOffset.MinValue;
        return db.ParticipantSessions.AnyAsync(s => s.MeetingId == meeting.Id && s.Identity == identity
            && (s.LeftAt == null || s.LeftAt > since) && s.JoinedAt > endedForEveryone
            && db.MeetingCalls.Any(c => c.MeetingId == meeting.Id && c.RoomSid == s.RoomSid && c.EndedAt == null), cancellationToken);
    }

    /// <summary>
    /// Records the person in the meeting (once per identity, whatever the races): the name they joined with, the
    /// host's role for the host; a role the host gave stays. <paramref name="readmitted"/> lifts an earlier removal.
    /// </summary>
    static Task RememberAsync(ConferenceDbContext db, Meeting meeting, string identity, string? userId, string displayName,
        ParticipantRole role, bool readmitted, TimeProvider clock, CancellationToken cancellationToken)
    {
        var roleName = role.ToString();
        var now = clock.GetUtcNow();
        return db.Database.ExecuteSqlAsync($"""
            INSERT INTO meeting_participants ("MeetingId", "Identity", "UserId", "DisplayName", "Role", "FirstJoinedAt", "TimesRemoved")
            VALUES ({meeting.Id}, {identity}, {userId}, {displayName}, {roleName}, {now}, 0)
            ON CONFLICT ("MeetingId", "Identity") DO UPDATE SET
                "DisplayName" = EXCLUDED."DisplayName",
                "Role" = CASE WHEN EXCLUDED."Role" = 'Host' THEN 'Host' ELSE meeting_participants."Role" END,
                "RemovedAt" = CASE WHEN {readmitted} THEN NULL ELSE meeting_participants."RemovedAt" END
            """, cancellationToken);
    }

    static JoinDetails Details(JoinTokens tokens, Meeting meeting, string identity, string displayName, ParticipantRole role, string participantKey)
    {
        var token = tokens.Mint(meeting, identity, displayName, role);
        return new JoinDetails(tokens.ServerUrl.ToString(), meeting.RoomName, identity, token.Token, token.ExpiresAt, role.ToString(), participantKey);
    }
}
