using System.Text.Json;
using Conference.Api.Data;
using Conference.Api.Meetings;
using Conference.Api.Participants;
using Conference.Contracts;
using Conference.LiveKit;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Conference.Api.Webhooks;

/// <summary>A verified webhook and the exact bytes LiveKit signed.</summary>
public sealed record ReceivedWebhook(WebhookEvent Event, byte[] Body);

/// <summary>
/// Stores webhook events once by id and applies them to calls and participant sessions in the same transaction,
/// a batch at a time. LiveKit delivers at least once and out of order, so applying is order-free: calls are keyed by
/// room sid, sessions by participant sid, and every time kept is LiveKit's (<c>createdAt</c>, <c>joinedAt</c>),
/// earliest wins — whatever order the events of a call arrive in, and however often, the rows end the same.
/// </summary>
public sealed class WebhookEventStore(ConferenceDbContext db, TimeProvider clock)
{
    /// <summary>Longest name kept for a session (LiveKit allows more); cut at a text-element boundary.</summary>
    public const int MaxStoredNameLength = 256;

    /// <summary>
    /// For each webhook, in order: what applying it changed (<see cref="WebhookEffect.None"/> for a duplicate or an
    /// event of no meeting of ours). All or nothing: on an exception nothing of the batch is stored.
    /// </summary>
    public async Task<WebhookEffect[]> StoreAndApplyAsync(IReadOnlyList<ReceivedWebhook> webhooks, CancellationToken cancellationToken)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var inserted = await InsertNewAsync(webhooks, applied: true, error: null, cancellationToken);
            var batch = await BatchState.LoadAsync(db, webhooks.Where(w => inserted.Contains(w.Event.Id)).Select(w => w.Event).ToList(), cancellationToken);

            var effects = new WebhookEffect[webhooks.Count];
            for (var i = 0; i < webhooks.Count; i++)
            {
                // The first delivery of an id in the batch applies it; a later copy is a duplicate.
                effects[i] = inserted.Remove(webhooks[i].Event.Id)
                    ? await ApplyAsync(webhooks[i].Event, batch, cancellationToken)
                    : WebhookEffect.None;
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            db.ChangeTracker.Clear();
            return effects;
        });
    }

    /// <summary>
    /// Stores the event without applying it, for an event whose effect failed: kept (nothing LiveKit said is lost,
    /// and its retries stop) and marked unapplied, so <see cref="ApplyStoredAsync"/> tries it again later.
    /// </summary>
    public async Task StoreUnappliedAsync(ReceivedWebhook webhook, string error, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        await InsertNewAsync([webhook], applied: false, error, cancellationToken);
    }

    /// <summary>
    /// One more attempt at the oldest events still unapplied (at most <paramref name="limit"/>), each in its own
    /// transaction holding its row, so two api instances never apply the same one. Returns their effects.
    /// </summary>
    public async Task<IReadOnlyList<WebhookEffect>> ApplyStoredAsync(int limit, CancellationToken cancellationToken)
    {
        var ids = await db.WebhookEvents.AsNoTracking().Where(e => e.AppliedAt == null)
            .OrderBy(e => e.ReceivedAt).Select(e => e.Id).Take(limit).ToListAsync(cancellationToken);
        var effects = new List<WebhookEffect>();
        foreach (var id in ids)
        {
            try
            {
                var effect = await InOwnTransactionAsync(async () =>
                {
                    var record = await db.WebhookEvents
                        .FromSql($"""SELECT * FROM livekit_webhook_events WHERE "Id" = {id} AND "AppliedAt" IS NULL FOR UPDATE SKIP LOCKED""")
                        .SingleOrDefaultAsync(cancellationToken);
                    if (record is null)
                    {
                        return null; // applied meanwhile, or another instance holds it
                    }
                    var webhookEvent = WebhookReceiver.ReadVerifiedBody(record.Payload);
                    var batch = await BatchState.LoadAsync(db, [webhookEvent], cancellationToken);
                    var applied = await ApplyAsync(webhookEvent, batch, cancellationToken);
                    record.AppliedAt = clock.GetUtcNow();
                    await db.SaveChangesAsync(cancellationToken);
                    return applied;
                }, cancellationToken);
                if (effect is not null)
                {
                    effects.Add(effect);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                db.ChangeTracker.Clear();
                var error = StorableText(exception.GetBaseException().Message, 2000);
                await db.WebhookEvents.Where(e => e.Id == id).ExecuteUpdateAsync(e => e
                    .SetProperty(x => x.ApplyAttempts, x => x.ApplyAttempts + 1)
                    .SetProperty(x => x.LastError, error), cancellationToken);
            }
        }
        db.ChangeTracker.Clear();
        return effects;
    }

    /// <summary>
    /// The calls still open (no end known) that started before <paramref name="startedBefore"/>, with their room's
    /// name, for <see cref="CallReconciler"/> to ask LiveKit about.
    /// </summary>
    public async Task<IReadOnlyList<OpenCall>> OpenCallsAsync(DateTimeOffset startedBefore, CancellationToken cancellationToken) =>
        await db.MeetingCalls.AsNoTracking()
            .Where(c => c.EndedAt == null && c.StartedAt < startedBefore)
            // The room's name is the meeting's slug (Meeting.RoomName, which is not a column).
            .Join(db.Meetings, c => c.MeetingId, m => m.Id, (c, m) => new OpenCall(m.Slug, c.RoomSid))
            .ToListAsync(cancellationToken);

    /// <summary>
    /// Ends the calls of <paramref name="roomSids"/> that are still open at <paramref name="endedAt"/>, with their
    /// connections, as room_finished would: for rooms LiveKit no longer has, whose room_finished will never come
    /// (<see cref="CallReconciler"/>). Each call in its own transaction holding its row, so a room_finished being
    /// applied meanwhile is waited for and its (earlier) time kept, and a call already ended is left as it is: running
    /// it twice, or on two api instances at once, changes nothing more. Returns the changes to announce.
    /// </summary>
    public async Task<IReadOnlyList<MeetingChange>> EndGoneCallsAsync(IReadOnlyCollection<string> roomSids, DateTimeOffset endedAt, CancellationToken cancellationToken)
    {
        var changes = new List<MeetingChange>();
        foreach (var roomSid in roomSids)
        {
            var change = await InOwnTransactionAsync(async () =>
            {
                var call = await db.MeetingCalls
                    .FromSql($"""SELECT * FROM meeting_calls WHERE "RoomSid" = {roomSid} AND "EndedAt" IS NULL FOR UPDATE""")
                    .SingleOrDefaultAsync(cancellationToken);
                if (call is null)
                {
                    return null; // ended meanwhile (its room_finished, a newer call, or another instance)
                }
                var meeting = await db.Meetings.SingleAsync(m => m.Id == call.MeetingId, cancellationToken);
                var batch = new BatchState { Meetings = new() { [meeting.Slug] = meeting }, Calls = new() { [roomSid] = call }, Sessions = [] };
                await EndCallAsync(meeting, call, endedAt, batch, cancellationToken);
                return new MeetingChange(meeting.Slug, MeetingChangeKind.RoomFinished);
            }, cancellationToken);
            if (change is not null)
            {
                changes.Add(change);
            }
        }
        db.ChangeTracker.Clear();
        return changes;
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a transaction of its own with a clear change tracker, the whole retried by the
    /// execution strategy on a transient failure; commits unless it returns null (nothing to do: rolled back).
    /// </summary>
    async Task<T?> InOwnTransactionAsync<T>(Func<Task<T?>> work, CancellationToken cancellationToken) where T : class =>
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var result = await work();
            if (result is not null)
            {
                await transaction.CommitAsync(cancellationToken);
            }
            return result;
        });

    /// <summary>Deletes events received before <paramref name="before"/>; returns how many.</summary>
    public Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        db.WebhookEvents.Where(e => e.ReceivedAt < before).ExecuteDeleteAsync(cancellationToken);

    /// <summary>Inserts the events not seen before; returns their ids.</summary>
    async Task<HashSet<string>> InsertNewAsync(IReadOnlyList<ReceivedWebhook> webhooks, bool applied, string? error, CancellationToken cancellationToken)
    {
        var ids = webhooks.Select(w => w.Event.Id).ToArray();
        var types = webhooks.Select(w => w.Event.Event).ToArray();
        var rooms = webhooks.Select(w => RoomName(w.Event)).ToArray();
        var createdAt = webhooks.Select(w => w.Event.CreatedAt).ToArray();
        var payloads = webhooks.Select(w => w.Body).ToArray();
        var receivedAt = clock.GetUtcNow();
        DateTimeOffset? appliedAt = applied ? receivedAt : null;
        var attempts = applied ? 0 : 1;
        // Room names come from the payload, so they may hold U+0000 too: a text column cannot, and no meeting is so named.
        for (var i = 0; i < rooms.Length; i++)
        {
            rooms[i] = rooms[i] is { } room ? Truncate(room.Replace('\0', '\uFFFD'), 128) : null;
        }
        var stored = await db.Database.SqlQuery<string>($"""
            INSERT INTO livekit_webhook_events ("Id", "Type", "RoomName", "CreatedAt", "ReceivedAt", "AppliedAt", "ApplyAttempts", "LastError", "Payload")
            SELECT e.id, e.type, e.room, e.created, {receivedAt}, {appliedAt}, {attempts}, {error}, e.payload
            FROM unnest({ids}::text[], {types}::text[], {rooms}::text[], {createdAt}::timestamptz[], {payloads}::bytea[])
                AS e(id, type, room, created, payload)
            ORDER BY e.id -- one lock order for every writer, so two batches sharing events wait rather than deadlock
            ON CONFLICT ("Id") DO NOTHING
            RETURNING "Id" AS "Value"
            """).ToListAsync(cancellationToken);
        return stored.ToHashSet(StringComparer.Ordinal);
    }

    static string? RoomName(WebhookEvent webhookEvent) => webhookEvent.Room?.Name ?? webhookEvent.EgressInfo?.RoomName;

    /// <summary>People connect as STANDARD, or SIP when they dial in; recorders (EGRESS), agents, ingress and connectors are not people.</summary>
    public static bool IsPerson(ParticipantKind kind) => kind is ParticipantKind.Standard or ParticipantKind.Sip;

    async Task<WebhookEffect> ApplyAsync(WebhookEvent webhookEvent, BatchState batch, CancellationToken cancellationToken)
    {
        if (RoomName(webhookEvent) is not { } roomName || !batch.Meetings.TryGetValue(roomName, out var meeting))
        {
            return WebhookEffect.None; // a room that is not one of our meetings (or was deleted): stored, nothing to apply
        }
        var at = webhookEvent.CreatedAt ?? clock.GetUtcNow();
        var roomSid = webhookEvent.Room?.Sid is { Length: > 0 } sid ? sid : null;

        switch (webhookEvent.Event)
        {
            case WebhookEventNames.RoomStarted when roomSid is not null:
                var started = batch.Call(db, meeting.Id, roomSid);
                // creation_time is whole seconds: a call started again within the second after an end for everyone
                // would read as begun before that end (the call page's end screen would not offer to join it).
                var startedAt = webhookEvent.Room?.CreationTimeMs ?? webhookEvent.Room?.CreationTime ?? at;
                started.StartedAt = Earliest(started.StartedAt, startedAt);
                meeting.StartedAt = Earliest(meeting.StartedAt, startedAt);
                await EndSupersededCallsAsync(meeting, started, batch, cancellationToken);
                break;

            case WebhookEventNames.RoomFinished when roomSid is not null:
                var finished = batch.Call(db, meeting.Id, roomSid);
                await EndCallAsync(meeting, finished, at, batch, cancellationToken);
                break;

            case WebhookEventNames.ParticipantJoined when webhookEvent.Participant is { } participant && roomSid is not null:
                if (!IsPerson(participant.Kind))
                {
                    return WebhookEffect.None;
                }
                var joined = batch.Session(db, meeting.Id, roomSid, participant, at);
                joined.JoinedAt = participant.JoinedAt ?? joined.JoinedAt;
                // The call may already be over (its room_finished came first): then so is this connection.
                if (batch.Calls.TryGetValue(roomSid, out var call) && call.EndedAt is { } callEnded && (joined.LeftAt is null || joined.LeftAt > callEnded))
                {
                    joined.LeftAt = callEnded;
                    joined.DisconnectReason = RoomClosed;
                }
                // A token of a call the host ended must not start the meeting again (LiveKit recreates the room on
                // any valid token): the caller removes this connection.
                if (meeting.EndedForEveryoneAt is { } endedForEveryone && IssuedAt(participant.Metadata) is { } issued && issued <= endedForEveryone)
                {
                    return new WebhookEffect(new MeetingChange(meeting.Slug, MeetingChangeKind.ParticipantJoined), new StaleParticipant(meeting.RoomName, participant.Identity));
                }
                break;

            case WebhookEventNames.ParticipantLeft or WebhookEventNames.ParticipantConnectionAborted
                when webhookEvent.Participant is { } participant && roomSid is not null:
                if (!IsPerson(participant.Kind))
                {
                    return WebhookEffect.None;
                }
                var left = batch.Session(db, meeting.Id, roomSid, participant, at);
                if (left.LeftAt is null || at < left.LeftAt || left.DisconnectReason == RoomClosed && at <= left.LeftAt)
                {
                    left.LeftAt = at;
                    left.DisconnectReason = webhookEvent.Event == WebhookEventNames.ParticipantConnectionAborted
                        ? "CONNECTION_ABORTED"
                        : ProtoName(participant.DisconnectReason.ToString());
                }
                break;

            default:
                return WebhookEffect.None;
        }
        return new WebhookEffect(new MeetingChange(meeting.Slug, ChangeOf(webhookEvent.Event)), null);
    }

    /// <summary>
    /// Ends <paramref name="call"/> at <paramref name="endedAt"/> (or earlier, if it ended before), and every connection
    /// of it (only of this call: a newer one may be running). Sessions this batch created are written first so the
    /// update closes them too.
    /// </summary>
    async Task EndCallAsync(Meeting meeting, MeetingCall call, DateTimeOffset endedAt, BatchState batch, CancellationToken cancellationToken)
    {
        call.EndedAt = Earliest(call.EndedAt, endedAt);
        await db.SaveChangesAsync(cancellationToken);
        var ended = call.EndedAt.Value;
        var roomSid = call.RoomSid;
        await db.ParticipantSessions
            .Where(s => s.MeetingId == meeting.Id && s.RoomSid == roomSid && (s.LeftAt == null || s.LeftAt > ended))
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.LeftAt, ended).SetProperty(x => x.DisconnectReason, RoomClosed), cancellationToken);
        foreach (var open in batch.Sessions.Values.Where(s => s.RoomSid == roomSid && (s.LeftAt is null || s.LeftAt > ended)))
        {
            open.LeftAt = ended;
            open.DisconnectReason = RoomClosed;
        }
    }

    /// <summary>
    /// A room name has one live room at a time (livekit-behaviour.md §2: each creation has a new sid), so a call that
    /// started is the end of every earlier call of the meeting still open: their room_finished never came. That is
    /// what happens when LiveKit itself stops mid-call (it keeps rooms in memory; a newcomer's meeting stayed
    /// "In progress" for good after a LiveKit restart). They end when this one started, the latest they can have.
    /// Webhooks are unordered, so the rule runs both ways: a call whose room_started arrives after a later call's
    /// ended when that one started.
    /// </summary>
    async Task EndSupersededCallsAsync(Meeting meeting, MeetingCall started, BatchState batch, CancellationToken cancellationToken)
    {
        var startedAt = started.StartedAt!.Value;
        await db.SaveChangesAsync(cancellationToken);
        var others = db.MeetingCalls.Where(c => c.MeetingId == meeting.Id && c.RoomSid != started.RoomSid);
        var stillOpen = await others.Where(c => c.StartedAt < startedAt && (c.EndedAt == null || c.EndedAt > startedAt)).ToListAsync(cancellationToken);
        foreach (var earlier in stillOpen)
        {
            await EndCallAsync(meeting, earlier, startedAt, batch, cancellationToken);
        }
        if (await others.Where(c => c.StartedAt > startedAt).MinAsync(c => c.StartedAt, cancellationToken) is { } next
            && (started.EndedAt is null || started.EndedAt > next))
        {
            await EndCallAsync(meeting, started, next, batch, cancellationToken);
        }
    }

    /// <summary>The meeting change an applied event announces: the event's own kind (only these events are applied).</summary>
    static MeetingChangeKind ChangeOf(string eventName) => eventName switch
    {
        WebhookEventNames.RoomStarted => MeetingChangeKind.RoomStarted,
        WebhookEventNames.RoomFinished => MeetingChangeKind.RoomFinished,
        WebhookEventNames.ParticipantJoined => MeetingChangeKind.ParticipantJoined,
        WebhookEventNames.ParticipantLeft => MeetingChangeKind.ParticipantLeft,
        WebhookEventNames.ParticipantConnectionAborted => MeetingChangeKind.ParticipantConnectionAborted,
        _ => throw new ArgumentOutOfRangeException(nameof(eventName), eventName, "Not an event that changes a meeting"),
    };

    static DateTimeOffset Earliest(DateTimeOffset? current, DateTimeOffset candidate) =>
        current is { } value && value <= candidate ? value : candidate;

    const string RoomClosed = "ROOM_CLOSED";

    /// <summary>The meetings, calls and participant sessions a batch's events touch, read in three queries.</summary>
    sealed class BatchState
    {
        public required Dictionary<string, Meeting> Meetings { get; init; }

        public required Dictionary<string, MeetingCall> Calls { get; init; }

        public required Dictionary<(Guid MeetingId, string ParticipantSid), ParticipantSession> Sessions { get; init; }

        public static async Task<BatchState> LoadAsync(ConferenceDbContext db, IReadOnlyList<WebhookEvent> events, CancellationToken cancellationToken)
        {
            var roomNames = events.Select(RoomName).OfType<string>().Distinct().ToList();
            var meetings = roomNames.Count == 0
                ? []
                : await db.Meetings.Where(m => roomNames.Contains(m.Slug)).ToDictionaryAsync(m => m.Slug, cancellationToken);

            var roomSids = events.Select(e => e.Room?.Sid).OfType<string>().Distinct().ToList();
            var calls = roomSids.Count == 0
                ? []
                : await db.MeetingCalls.Where(c => roomSids.Contains(c.RoomSid)).ToDictionaryAsync(c => c.RoomSid, cancellationToken);

            var sids = events.Select(e => e.Participant?.Sid).OfType<string>().Distinct().ToList();
            var meetingIds = meetings.Values.Select(m => m.Id).ToList();
            var sessions = sids.Count == 0 || meetingIds.Count == 0
                ? []
                : await db.ParticipantSessions
                    .Where(s => meetingIds.Contains(s.MeetingId) && sids.Contains(s.ParticipantSid))
                    .ToDictionaryAsync(s => (s.MeetingId, s.ParticipantSid), cancellationToken);

            return new BatchState { Meetings = meetings, Calls = calls, Sessions = sessions };
        }

        /// <summary>The call of this room sid, created on first sight whichever event comes first.</summary>
        public MeetingCall Call(ConferenceDbContext db, Guid meetingId, string roomSid)
        {
            if (!Calls.TryGetValue(roomSid, out var call))
            {
                call = new MeetingCall { MeetingId = meetingId, RoomSid = roomSid };
                db.MeetingCalls.Add(call);
                Calls.Add(roomSid, call);
            }
            return call;
        }

        /// <summary>The connection's session, created on first sight whichever event comes first.</summary>
        public ParticipantSession Session(ConferenceDbContext db, Guid meetingId, string roomSid, ParticipantInfo participant, DateTimeOffset at)
        {
            var sid = participant.Sid is { Length: > 0 } known ? known : $"{roomSid}/{participant.Identity}";
            if (!Sessions.TryGetValue((meetingId, sid), out var session))
            {
                var identity = StorableText(participant.Identity, 128);
                session = new ParticipantSession
                {
                    MeetingId = meetingId,
                    ParticipantSid = StorableText(sid, 64),
                    RoomSid = StorableText(roomSid, 64),
                    Identity = identity,
                    DisplayName = string.IsNullOrEmpty(participant.Name) ? identity : StorableText(participant.Name, MaxStoredNameLength),
                    Role = RoleFrom(participant.Metadata),
                    UserId = ParticipantIdentities.UserIdOf(identity),
                    JoinedAt = participant.JoinedAt ?? at,
                };
                db.ParticipantSessions.Add(session);
                Sessions.Add((meetingId, sid), session);
            }
            return session;
        }
    }

    /// <summary>
    /// Text as a Postgres text column can hold it: U+0000 (which it refuses) becomes U+FFFD, and it is cut to
    /// <paramref name="maxLength"/> UTF-16 units without splitting a surrogate pair. The event itself keeps the original.
    /// </summary>
    public static string StorableText(string value, int maxLength)
    {
        var text = value.Replace('\0', '\uFFFD');
        if (text.Length <= maxLength)
        {
            return text;
        }
        var cut = char.IsHighSurrogate(text[maxLength - 1]) ? maxLength - 1 : maxLength;
        return text[..cut];
    }

    static string Truncate(string value, int maxLength) => StorableText(value, maxLength);

    /// <summary>True when another writer stored the same session or event first: the batch can simply run again.</summary>
    public static bool IsConflict(Exception exception) =>
        exception is DbUpdateException { InnerException: PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } }
            or PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    /// <summary>LiveKit's own spelling: ClientInitiated → CLIENT_INITIATED.</summary>
    static string ProtoName(string pascalCase) =>
        string.Concat(pascalCase.Select((c, i) => i > 0 && char.IsUpper(c) ? $"_{c}" : char.ToUpperInvariant(c).ToString()));

    static ParticipantRole RoleFrom(string metadata) =>
        Enum.TryParse<ParticipantRole>(Metadata(metadata)?.Role, out var parsed) ? parsed : ParticipantRole.Guest;

    static DateTimeOffset? IssuedAt(string metadata) => Metadata(metadata)?.IssuedAt;

    static JoinTokens.ParticipantMetadata? Metadata(string metadata)
    {
        try
        {
            return string.IsNullOrEmpty(metadata) ? null : JsonSerializer.Deserialize<JoinTokens.ParticipantMetadata>(metadata);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>What applying an event changed: the meeting change to announce (null: nothing), and a connection to remove.</summary>
public sealed record WebhookEffect(MeetingChange? Change, StaleParticipant? Remove)
{
    public static readonly WebhookEffect None = new(null, null);
}

/// <summary>A connection made with a token issued before the host ended the call for everyone.</summary>
public sealed record StaleParticipant(string Room, string Identity);

/// <summary>A call with no end known yet: its LiveKit room's name and sid.</summary>
public sealed record OpenCall(string RoomName, string RoomSid);
