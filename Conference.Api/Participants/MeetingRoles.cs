using System.Security.Claims;
using Conference.Api.Data;
using Conference.Api.Meetings;
using Microsoft.EntityFrameworkCore;

namespace Conference.Api.Participants;

/// <summary>
/// Who the caller is in a meeting. The host is the account that created it. Everyone else is the participant their
/// identity names: a signed-in account, or the participant key the web sends in <c>X-Participant-Token</c>. The role
/// is read from <c>meeting_participants</c> on every call, so a demotion or a removal counts at once.
/// </summary>
public sealed class MeetingRoles(ConferenceDbContext db, ParticipantKeys keys)
{
    public const string ParticipantTokenHeader = "X-Participant-Token";

    /// <summary>Whether the caller is signed in as the account that created the meeting (no database read).</summary>
    public static bool IsHost(Meeting meeting, ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimTypes.NameIdentifier) is { } userId && userId == meeting.HostId;

    public async Task<Caller> CallerAsync(Meeting meeting, HttpContext http)
    {
        var userId = http.User.FindFirstValue(ClaimTypes.NameIdentifier);
        if (userId is not null && userId == meeting.HostId)
        {
            return new Caller(ParticipantIdentities.ForAccount(userId), ParticipantRole.Host, null);
        }
        var identity = keys.Read(meeting.Id, http.Request.Headers[ParticipantTokenHeader].ToString(), userId)
            ?? (userId is null ? null : ParticipantIdentities.ForAccount(userId));
        if (identity is null)
        {
            return new Caller(null, null, null);
        }
        var participant = await db.MeetingParticipants.AsNoTracking()
            .SingleOrDefaultAsync(p => p.MeetingId == meeting.Id && p.Identity == identity, http.RequestAborted);
        return new Caller(identity, participant is { RemovedAt: null } ? participant.Role : null, participant);
    }

    /// <summary>Whether the caller took part in this meeting (has connected at least once), in any role.</summary>
    public async Task<bool> TookPartAsync(Meeting meeting, HttpContext http)
    {
        var caller = await CallerAsync(meeting, http);
        return caller.Identity is { } identity
            && await db.ParticipantSessions.AsNoTracking().AnyAsync(s => s.MeetingId == meeting.Id && s.Identity == identity);
    }
}
