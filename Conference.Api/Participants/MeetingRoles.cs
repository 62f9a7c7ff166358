using System.Security.Claims;
using Conference.Api.Accounts;
using Conference.Api.Data;
using Conference.Api.Meetings;
using Conference.LiveKit;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Conference.Api.Participants;

/// <summary>
/// Who the caller is in a meeting. The host is the account that created it. A co-host is a participant the
/// host promoted; guests have no account, so a participant proves who they are with the LiveKit token they
/// joined with, in the <c>X-Participant-Token</c> header.
/// </summary>
public sealed class MeetingRoles(ConferenceDbContext db, UserManager<ConferenceUser> users, IServiceProvider services)
{
    public const string ParticipantTokenHeader = "X-Participant-Token";

    public async Task<ParticipantRole?> ModeratorRoleAsync(Meeting meeting, HttpContext http)
    {
        if (users.GetUserId(http.User) is { } userId && userId == meeting.HostId)
        {
            return ParticipantRole.Host;
        }
        if (ParticipantIdentity(meeting, http) is { } identity)
        {
            var role = await db.ParticipantSessions.AsNoTracking()
                .Where(s => s.MeetingId == meeting.Id && s.Identity == identity)
                .Select(s => (ParticipantRole?)s.Role)
                .SingleOrDefaultAsync();
            if (role is ParticipantRole.Host or ParticipantRole.CoHost)
            {
                return role;
            }
        }
        return null;
    }

    /// <summary>Whether the caller's participant credential belongs to someone who was in this meeting, in any role.</summary>
    public async Task<bool> TookPartAsync(Meeting meeting, HttpContext http) =>
        ParticipantIdentity(meeting, http) is { } identity
        && await db.ParticipantSessions.AsNoTracking().AnyAsync(s => s.MeetingId == meeting.Id && s.Identity == identity);

    /// <summary>The identity in a valid participant token for this meeting's room, else null.</summary>
    string? ParticipantIdentity(Meeting meeting, HttpContext http)
    {
        if (http.Request.Headers[ParticipantTokenHeader].ToString() is not { Length: > 0 } token
            || services.GetService<TokenVerifier>() is not { } verifier)
        {
            return null;
        }
        try
        {
            var claims = verifier.Verify(token);
            return claims.Video?.Room == meeting.RoomName ? claims.Identity : null;
        }
        catch (TokenVerificationException)
        {
            return null;
        }
    }
}
