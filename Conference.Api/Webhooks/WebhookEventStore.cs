using System.Text;
using System.Text.Json;
using Conference.Api.Data;
using Conference.Api.Meetings;
using Conference.Api.Participants;
using Conference.LiveKit;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Conference.Api.Webhooks;

/// <summary>A verified webhook and the exact bytes LiveKit signed.</summary>
public sealed record ReceivedWebhook(WebhookEvent Event, byte[] Body);

/// <summary>
/// Stores webhook events once by id and applies them to meetings and participant sessions in the same transaction,
/// a batch at a time: one insert for the batch's events, one read of its meetings and sessions, one commit.
/// Events may arrive twice or out of order (LiveKit retries, and its workers run in parallel): applying is
/// written so either leaves the same result.
/// </summary>
public sealed class WebhookEventStore(ConferenceDbContext db, TimeProvider clock)
{
    /// <summary>
    /// For each webhook, in order: the meeting slug it changed, or null for a duplicate or an event of no meeting
    /// of ours. All or nothing: on an exception nothing of the batch is stored.
    /// </summary>
    public async Task<string?[]> StoreAndApplyAsync(IReadOnlyList<ReceivedWebhook> webhooks, CancellationToken cancellationToken)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var inserted = await InsertNewAsync(webhooks, cancellationToken);
            var batch = await BatchState.LoadAsync(db, webhooks.Where(w => inserted.Contains(w.Event.Id)).ToList(), cancellationToken);

            var slugs = new string?[webhooks.Count];
            for (var i = 0; i < webhooks.Count; i++)
            {
                // The first delivery of an id in the batch applies it; a later copy is a duplicate.
                if (inserted.Remove(webhooks[i].Event.Id))
                {
                    slugs[i] = await ApplyAsync(webhooks[i].Event, batch, cancellationToken);
                }
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            db.ChangeTracker.Clear();
            return slugs;
        });
    }

    /// <summary>Stores the event without applying it: for an event whose effect the database refuses.</summary>
    public async Task StoreOnlyAsync(ReceivedWebhook webhook, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        await InsertNewAsync([webhook], cancellationToken);
    }

    /// <summary>Inserts the events not seen before; returns their ids.</summary>
    async Task<HashSet<string>> InsertNewAsync(IReadOnlyList<ReceivedWebhook> webhooks, CancellationToken cancellationToken)
    {
        var ids = webhooks.Select(w => w.Event.Id).ToArray();
        var types = webhooks.Select(w => w.Event.Event).ToArray();
        var rooms = webhooks.Select(w => RoomName(w.Event)).ToArray();
        var payloads = webhooks.Select(w => Encoding.UTF8.GetString(w.Body)).ToArray();
        var receivedAt = clock.GetUtcNow();
        var stored = await db.Database.SqlQuery<string>($"""
            INSERT INTO livekit_webhook_events ("Id", "Type", "RoomName", "ReceivedAt", "Payload")
            SELECT e.id, e.type, e.room, {receivedAt}, e.payload::jsonb
            FROM unnest({ids}::text[], {types}::text[], {rooms}::text[], {payloads}::text[]) AS e(id, type, room, payload)
            ORDER BY e.id -- one lock order for every writer, so two batches sharing events wait rather than deadlock
            ON CONFLICT ("Id") DO NOTHING
            RETURNING "Id" AS "Value"
            """).ToListAsync(cancellationToken);
        return stored.ToHashSet(StringComparer.Ordinal);
    }

    static string? RoomName(WebhookEvent webhookEvent) => webhookEvent.Room?.Name ?? webhookEvent.EgressInfo?.RoomName;

    async Task<string?> ApplyAsync(WebhookEvent webhookEvent, BatchState batch, CancellationToken cancellationToken)
    {
        if (RoomName(webhookEvent) is not { } roomName || !batch.Meetings.TryGetValue(roomName, out var meeting))
        {
            return null; // a room that is not one of our meetings (or was deleted): stored, nothing to apply
        }
        var at = webhookEvent.CreatedAt ?? clock.GetUtcNow();

        switch (webhookEvent.Event)
        {
            case WebhookEventNames.RoomStarted:
                meeting.StartedAt ??= webhookEvent.Room?.CreationTime ?? at;
                break;

            case WebhookEventNames.RoomFinished:
                meeting.EndedAt ??= at;
                // Sessions this batch created are written first so the update closes them too; the ones it holds
                // in memory are closed there as well, or a later event of the batch would see them open.
                await db.SaveChangesAsync(cancellationToken);
                await db.ParticipantSessions
                    .Where(s => s.MeetingId == meeting.Id && s.LeftAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.LeftAt, at).SetProperty(x => x.DisconnectReason, RoomClosed), cancellationToken);
                foreach (var open in batch.Sessions.Values.Where(s => s.MeetingId == meeting.Id && s.LeftAt is null))
                {
                    open.LeftAt = at;
                    open.DisconnectReason = RoomClosed;
                }
                break;

            case WebhookEventNames.ParticipantJoined when webhookEvent.Participant is { } participant:
                var joined = batch.Session(db, meeting.Id, participant, at);
                joined.JoinedAt = participant.JoinedAt ?? joined.JoinedAt;
                break;

            case WebhookEventNames.ParticipantLeft or WebhookEventNames.ParticipantConnectionAborted when webhookEvent.Participant is { } participant:
                var left = batch.Session(db, meeting.Id, participant, at);
                left.LeftAt ??= at;
                left.DisconnectReason ??= webhookEvent.Event == WebhookEventNames.ParticipantConnectionAborted
                    ? "CONNECTION_ABORTED"
                    : ProtoName(participant.DisconnectReason.ToString());
                break;

            default:
                return null;
        }
        return meeting.Slug;
    }

    const string RoomClosed = "ROOM_CLOSED";

    /// <summary>The meetings and participant sessions a batch's events touch, read in two queries.</summary>
    sealed class BatchState
    {
        public required Dictionary<string, Meeting> Meetings { get; init; }

        public required Dictionary<(Guid MeetingId, string Identity), ParticipantSession> Sessions { get; init; }

        public static async Task<BatchState> LoadAsync(ConferenceDbContext db, IReadOnlyList<ReceivedWebhook> webhooks, CancellationToken cancellationToken)
        {
            var roomNames = webhooks.Select(w => RoomName(w.Event)).OfType<string>().Distinct().ToList();
            var meetings = roomNames.Count == 0
                ? []
                : await db.Meetings.Where(m => roomNames.Contains(m.Slug)).ToDictionaryAsync(m => m.Slug, cancellationToken);

            var identities = webhooks.Select(w => w.Event.Participant?.Identity).OfType<string>().Distinct().ToList();
            var meetingIds = meetings.Values.Select(m => m.Id).ToList();
            var sessions = identities.Count == 0 || meetingIds.Count == 0
                ? []
                : await db.ParticipantSessions
                    .Where(s => meetingIds.Contains(s.MeetingId) && identities.Contains(s.Identity))
                    .ToDictionaryAsync(s => (s.MeetingId, s.Identity), cancellationToken);

            return new BatchState { Meetings = meetings, Sessions = sessions };
        }

        /// <summary>The participant's session, created on first sight whichever event comes first.</summary>
        public ParticipantSession Session(ConferenceDbContext db, Guid meetingId, ParticipantInfo participant, DateTimeOffset at)
        {
            if (!Sessions.TryGetValue((meetingId, participant.Identity), out var session))
            {
                session = new ParticipantSession
                {
                    MeetingId = meetingId,
                    Identity = participant.Identity,
                    DisplayName = string.IsNullOrEmpty(participant.Name) ? participant.Identity : participant.Name[..Math.Min(64, participant.Name.Length)],
                    Role = RoleFrom(participant.Metadata),
                    JoinedAt = participant.JoinedAt ?? at,
                };
                db.ParticipantSessions.Add(session);
                Sessions.Add((meetingId, participant.Identity), session);
            }
            return session;
        }
    }

    /// <summary>True when another writer stored the same session or event first: the batch can simply run again.</summary>
    public static bool IsConflict(Exception exception) =>
        exception is DbUpdateException { InnerException: PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } }
            or PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    /// <summary>LiveKit's own spelling: ClientInitiated → CLIENT_INITIATED.</summary>
    static string ProtoName(string pascalCase) =>
        string.Concat(pascalCase.Select((c, i) => i > 0 && char.IsUpper(c) ? $"_{c}" : char.ToUpperInvariant(c).ToString()));

    static ParticipantRole RoleFrom(string metadata)
    {
        try
        {
            var role = JsonSerializer.Deserialize<JoinTokens.ParticipantMetadata>(metadata)?.Role;
            return Enum.TryParse<ParticipantRole>(role, out var parsed) ? parsed : ParticipantRole.Guest;
        }
        catch (JsonException)
        {
            return ParticipantRole.Guest;
        }
    }
}
