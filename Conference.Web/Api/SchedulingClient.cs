namespace Conference.Web.Api;

/// <summary>
/// Scheduled meetings (<c>/api/scheduled-meetings</c>), personal invitation links (<c>/api/invitations/redeem</c>) and
/// password reset by mail (<c>/api/accounts/password-reset</c>); docs/scheduling.md describes them.
/// </summary>
public sealed class SchedulingClient(HttpClient http, ApiCredentials credentials) : ApiClient(http, credentials)
{
    /// <summary>The signed-in host's meetings running or to come, soonest first.</summary>
    public async Task<ScheduledMeeting[]> ListUpcomingAsync(CancellationToken cancellationToken = default) =>
        await GetAsync<ScheduledMeeting[]>("api/scheduled-meetings", cancellationToken);

    /// <summary>One of the host's scheduled meetings; another host's or an unknown one is a 404 problem.</summary>
    public async Task<ScheduledMeeting> GetAsync(string slug, CancellationToken cancellationToken = default) =>
        await GetAsync<ScheduledMeeting>($"api/scheduled-meetings/{Uri.EscapeDataString(slug)}", cancellationToken);

    /// <summary>Schedules a meeting; each invitee is mailed a calendar invitation with their personal link.</summary>
    public async Task<ScheduledMeeting> ScheduleAsync(ScheduleRequest request, CancellationToken cancellationToken = default) =>
        await PostAsync<ScheduledMeeting>("api/scheduled-meetings", request, cancellationToken: cancellationToken);

    /// <summary>Replaces the details and invitee list; invitees get an update, those taken off a cancellation.</summary>
    public async Task<ScheduledMeeting> UpdateAsync(string slug, ScheduleRequest request, CancellationToken cancellationToken = default) =>
        await PutAsync<ScheduledMeeting>($"api/scheduled-meetings/{Uri.EscapeDataString(slug)}", request, cancellationToken);

    /// <summary>Invites one more person to a scheduled meeting; they are mailed the invitation.</summary>
    public async Task AddInviteeAsync(string slug, InviteeRequest invitee, CancellationToken cancellationToken = default) =>
        await SendWithoutResultAsync(HttpMethod.Post, $"api/scheduled-meetings/{Uri.EscapeDataString(slug)}/invitees", invitee,
            cancellationToken: cancellationToken);

    /// <summary>Takes one invitee off; they alone are mailed a cancellation.</summary>
    public async Task RemoveInviteeAsync(string slug, long inviteeId, CancellationToken cancellationToken = default) =>
        await SendWithoutResultAsync(HttpMethod.Delete, $"api/scheduled-meetings/{Uri.EscapeDataString(slug)}/invitees/{inviteeId}",
            cancellationToken: cancellationToken);

    /// <summary>Cancels the meeting; every invitee is mailed a cancellation and the links stop working.</summary>
    public async Task CancelAsync(string slug, CancellationToken cancellationToken = default) =>
        await SendWithoutResultAsync(HttpMethod.Delete, $"api/scheduled-meetings/{Uri.EscapeDataString(slug)}", cancellationToken: cancellationToken);

    /// <summary>Trades a personal link's token for the invitee's meeting, name and participant key (anonymous).</summary>
    public async Task<Invitation> RedeemAsync(string token, CancellationToken cancellationToken = default) =>
        await PostAsync<Invitation>("api/invitations/redeem", new { token }, cancellationToken: cancellationToken);

    /// <summary>Asks for a reset link by mail; the api answers the same whether or not the address has an account.</summary>
    public async Task RequestPasswordResetAsync(string email, CancellationToken cancellationToken = default) =>
        await SendWithoutResultAsync(HttpMethod.Post, "api/accounts/password-reset", new { email }, cancellationToken: cancellationToken);

    /// <summary>Whether the mailed link's token is still good (not used, not expired), without using it; a bad one is a problem naming <c>token</c>.</summary>
    public async Task CheckPasswordResetLinkAsync(string email, string token, CancellationToken cancellationToken = default) =>
        await SendWithoutResultAsync(HttpMethod.Post, "api/accounts/password-reset/check", new { email, token }, cancellationToken: cancellationToken);

    /// <summary>Sets a new password with the mailed link's token (single use); every sign-in of the account ends.</summary>
    public async Task ResetPasswordAsync(string email, string token, string newPassword, CancellationToken cancellationToken = default) =>
        await SendWithoutResultAsync(HttpMethod.Post, "api/accounts/password-reset/confirm", new { email, token, newPassword },
            cancellationToken: cancellationToken);
}

/// <summary>
/// A meeting to schedule (<paramref name="Invitees"/> null when changing one: invitees are added and removed one by
/// one). <paramref name="Start"/> is wall-clock time without offset in the IANA zone
/// <paramref name="TimeZone"/>; <paramref name="Recurrence"/> is None, Daily or Weekly, the latter two with
/// <paramref name="RecursUntil"/> (the last date an occurrence may start on).
/// </summary>
public sealed record ScheduleRequest(
    string? Title, DateTime? Start, string? TimeZone, int? DurationMinutes, string? Description,
    string Recurrence, DateOnly? RecursUntil, bool InviteesSkipLobby, IReadOnlyList<InviteeRequest>? Invitees);

public sealed record InviteeRequest(string Email, string? Name = null);

public sealed record Invitee(long Id, string Email, string? Name, DateTimeOffset InvitedAt, bool LinkRevoked);

/// <summary>A scheduled meeting; <paramref name="NextStartsAt"/> is the occurrence running or to come.</summary>
public sealed record ScheduledMeeting(
    string Slug, string Uid, int Sequence, string Title, string? Description, DateTime Start, string TimeZone,
    DateTimeOffset StartsAt, int DurationMinutes, string Recurrence, DateOnly? RecursUntil, bool InviteesSkipLobby,
    DateTimeOffset? NextStartsAt, DateTimeOffset? CancelledAt, IReadOnlyList<Invitee> Invitees);

/// <summary>
/// What a personal link stands for: the meeting, the invitee's name (null when the host gave only an address), their
/// participant key, whether they skip the lobby; and for the invitee to read, who invites them and when: the occurrence
/// running or next (<paramref name="StartsAt"/>, null when the series is over), its length and the host's time zone (IANA).
/// </summary>
public sealed record Invitation(string Slug, string Title, string? DisplayName, string ParticipantKey, bool SkipsLobby,
    string? HostName = null, DateTimeOffset? StartsAt = null, int DurationMinutes = 0, string? TimeZone = null);
