using System.Text;
using System.Text.Json;
using Conference.Api.Data;
using Conference.Api.Participants;
using Conference.LiveKit;
using Microsoft.EntityFrameworkCore;

namespace Conference.Api.Webhooks;

/// <summary>
/// Stores a webhook event once by id and applies it to meetings and participant sessions in one transaction.
/// Events may arrive twice or out of order (LiveKit retries, and its workers run in parallel): applying is
/// written so either leaves the same result.
/// </summary>
public sealed class WebhookEventStore(ConferenceDbContext db, TimeProvider clock)
{
    /// <summary>Returns the meeting slug the event changed, or null for a duplicate or an event of no meeting of ours.</summary>
    public async Task<string?> StoreAndApplyAsync(WebhookEvent webhookEvent, byte[] body, CancellationToken cancellationToken)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var roomName = webhookEvent.Room?.Name ?? webhookEvent.EgressInfo?.RoomName;
            var payload = Encoding.UTF8.GetString(body);
            var inserted = await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO livekit_webhook_events ("Id", "Type", "RoomName", "ReceivedAt", "Payload")
                VALUES ({webhookEvent.Id}, {webhookEvent.Event}, {roomName}, {clock.GetUtcNow()}, {payload}::jsonb)
                ON CONFLICT ("Id") DO NOTHING
                """, cancellationToken);
            if (inserted == 0)
            {
                return null; // seen before: already applied
            }

            var slug = await ApplyAsync(webhookEvent, roomName, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            db.ChangeTracker.Clear();
            return slug;
        });
    }

    async Task<string?> ApplyAsync(WebhookEvent webhookEvent, string? roomName, CancellationToken cancellationToken)
    {
        var meeting = roomName is null ? null : await db.Meetings.SingleOrDefaultAsync(m => m.Slug == roomName, cancellationToken);
        if (meeting is null)
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
                await db.ParticipantSessions
                    .Where(s => s.MeetingId == meeting.Id && s.LeftAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.LeftAt, at).SetProperty(x => x.DisconnectReason, "ROOM_CLOSED"), cancellationToken);
                break;

            case WebhookEventNames.ParticipantJoined when webhookEvent.Participant is { } participant:
                var joined = await SessionAsync(meeting.Id, participant, at, cancellationToken);
                joined.JoinedAt = participant.JoinedAt ?? joined.JoinedAt;
                break;

            case WebhookEventNames.ParticipantLeft or WebhookEventNames.ParticipantConnectionAborted when webhookEvent.Participant is { } participant:
                var left = await SessionAsync(meeting.Id, participant, at, cancellationToken);
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

    /// <summary>The participant's session, created on first sight whichever event comes first.</summary>
    async Task<ParticipantSession> SessionAsync(Guid meetingId, ParticipantInfo participant, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var session = await db.ParticipantSessions.SingleOrDefaultAsync(s => s.MeetingId == meetingId && s.Identity == participant.Identity, cancellationToken);
        if (session is null)
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
        }
        return session;
    }

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
