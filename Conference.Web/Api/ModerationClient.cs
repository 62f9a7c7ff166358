namespace Conference.Web.Api;

/// <summary>
/// What hosts and co-hosts do during a meeting. The host is recognised by their sign-in; a co-host (who may have
/// no account) by the participant credential from their join, passed to every call here.
/// </summary>
public sealed class ModerationClient(HttpClient http, ApiCredentials credentials) : ApiClient(http, credentials)
{
    public async Task<IReadOnlyList<LobbyEntry>> ListLobbyAsync(string slug, string? participantCredential = null, CancellationToken cancellationToken = default) =>
        await ReadAsync<List<LobbyEntry>>(await SendAsync(HttpMethod.Get, $"{Meeting(slug)}/lobby", null, participantCredential, cancellationToken), cancellationToken);

    public async Task AdmitAsync(string slug, string requestId, string? participantCredential = null, CancellationToken cancellationToken = default) =>
        await SendWithoutResultAsync(HttpMethod.Post, $"{Meeting(slug)}/lobby/{Uri.EscapeDataString(requestId)}/admit", null, participantCredential, cancellationToken);

    public async Task DenyAsync(string slug, string requestId, string? participantCredential = null, CancellationToken cancellationToken = default) =>
        await SendWithoutResultAsync(HttpMethod.Post, $"{Meeting(slug)}/lobby/{Uri.EscapeDataString(requestId)}/deny", null, participantCredential, cancellationToken);

    /// <summary>
    /// Whether an admit or deny was refused because the request no longer waits: gone (404: withdrawn, expired, asked
    /// again), answered the other way already (409: another host or co-host was first), or asked before the call was
    /// ended for everyone (410). The list drops it; the refusal's words tell the host why.
    /// </summary>
    public static bool NoLongerWaiting(ApiProblemException refusal) => refusal.Status is 404 or 409 or 410;

    public async Task<IReadOnlyList<Participant>> ListParticipantsAsync(string slug, string? participantCredential = null, CancellationToken cancellationToken = default) =>
        await ReadAsync<List<Participant>>(await SendAsync(HttpMethod.Get, $"{Meeting(slug)}/participants", null, participantCredential, cancellationToken), cancellationToken);

    public async Task MuteTrackAsync(string slug, string identity, string trackSid, string? participantCredential = null, CancellationToken cancellationToken = default) =>
        await SendWithoutResultAsync(HttpMethod.Post, $"{Participant(slug, identity)}/mute", new { trackSid }, participantCredential, cancellationToken);

    public async Task RemoveAsync(string slug, string identity, string? participantCredential = null, CancellationToken cancellationToken = default) =>
        await SendWithoutResultAsync(HttpMethod.Delete, Participant(slug, identity), null, participantCredential, cancellationToken);

    /// <summary>Promote to <see cref="ParticipantRole.CoHost"/> or demote to <see cref="ParticipantRole.Guest"/>.</summary>
    public async Task SetRoleAsync(string slug, string identity, ParticipantRole role, string? participantCredential = null, CancellationToken cancellationToken = default) =>
        await SendWithoutResultAsync(HttpMethod.Put, $"{Participant(slug, identity)}/role", new { role }, participantCredential, cancellationToken);

    public async Task SetLockedAsync(string slug, bool locked, string? participantCredential = null, CancellationToken cancellationToken = default) =>
        await SendWithoutResultAsync(HttpMethod.Put, $"{Meeting(slug)}/lock", new { locked }, participantCredential, cancellationToken);

    /// <summary>Ends the meeting for everyone.</summary>
    public async Task EndAsync(string slug, string? participantCredential = null, CancellationToken cancellationToken = default) =>
        await SendWithoutResultAsync(HttpMethod.Post, $"{Meeting(slug)}/end", null, participantCredential, cancellationToken);

    static string Meeting(string slug) => $"api/meetings/{Uri.EscapeDataString(slug)}";

    static string Participant(string slug, string identity) => $"{Meeting(slug)}/participants/{Uri.EscapeDataString(identity)}";
}

/// <summary>Someone waiting; <see cref="RemovedBefore"/>: a host or co-host removed this person from the meeting earlier.</summary>
public sealed record LobbyEntry(string RequestId, string DisplayName, DateTimeOffset RequestedAt, bool RemovedBefore = false)
{
    /// <summary>
    /// When they asked, as the host reads it: "asked just now" (under 5 s), "asked 20 s ago", "asked 3 min ago",
    /// "asked 2 h ago". Seconds in the first minute, so that two people who asked moments apart read differently.
    /// </summary>
    public string Asked(DateTimeOffset now) => (now - RequestedAt) switch
    {
        var waited when waited < JustNow => "asked just now",
        var waited when waited < TimeSpan.FromMinutes(1) => $"asked {(int)waited.TotalSeconds} s ago",
        var waited when waited < TimeSpan.FromHours(1) => $"asked {(int)waited.TotalMinutes} min ago",
        var waited => $"asked {(int)waited.TotalHours} h ago",
    };

    static readonly TimeSpan JustNow = TimeSpan.FromSeconds(5);

    /// <summary>How long until <see cref="Asked"/> reads differently (at least 100 ms; a clock behind the api's waits for "just now" to pass).</summary>
    public TimeSpan UntilAskedChanges(DateTimeOffset now)
    {
        var waited = now - RequestedAt;
        var until = waited switch
        {
            _ when waited < JustNow => JustNow - waited,
            _ when waited < TimeSpan.FromMinutes(1) => TimeSpan.FromSeconds(1) - TimeSpan.FromTicks(waited.Ticks % TimeSpan.TicksPerSecond),
            _ when waited < TimeSpan.FromHours(1) => TimeSpan.FromMinutes(1) - TimeSpan.FromTicks(waited.Ticks % TimeSpan.TicksPerMinute),
            _ => TimeSpan.FromHours(1) - TimeSpan.FromTicks(waited.Ticks % TimeSpan.TicksPerHour),
        };
        return until < TimeSpan.FromMilliseconds(100) ? TimeSpan.FromMilliseconds(100) : until;
    }

    /// <summary>
    /// A button's accessible name for this entry ("Admit Sam"); when others waiting have the same name, with the order
    /// in which they asked ("Admit Sam, 1st of 2 to ask"), so that two "Sam"s (one a browser that died while waiting)
    /// can be told apart by ear too, even when they asked in the same second; and, as the list shows it, whether they
    /// were removed before ("Admit Sam (removed from this meeting before)").
    /// </summary>
    public string ButtonLabel(string verb, IEnumerable<LobbyEntry> waiting)
    {
        var place = Place(waiting);
        var label = place is null ? $"{verb} {DisplayName}" : $"{verb} {DisplayName}, {place}";
        return RemovedBefore ? $"{label} (removed from this meeting before)" : label;
    }

    /// <summary>
    /// Where this entry stands among those waiting with the same name, in the order they asked ("1st of 2 to ask");
    /// null when nobody else waiting has this name.
    /// </summary>
    public string? Place(IEnumerable<LobbyEntry> waiting)
    {
        var namesakes = waiting.Where(e => e.DisplayName == DisplayName).OrderBy(e => e.RequestedAt).ThenBy(e => e.RequestId, StringComparer.Ordinal).ToList();
        if (namesakes.Count < 2)
        {
            return null;
        }
        var place = namesakes.FindIndex(e => e.RequestId == RequestId) + 1;
        return $"{Ordinal(place)} of {namesakes.Count} to ask";
    }

    /// <summary>1st, 2nd, 3rd, 4th … 11th, 12th, 13th, 21st.</summary>
    static string Ordinal(int n) => (n % 100, n % 10) switch
    {
        (11 or 12 or 13, _) => $"{n}th",
        (_, 1) => $"{n}st",
        (_, 2) => $"{n}nd",
        (_, 3) => $"{n}rd",
        _ => $"{n}th",
    };

    /// <summary>Whether another entry waiting has the same name.</summary>
    public bool NameIsShared(IEnumerable<LobbyEntry> waiting) => waiting.Count(e => e.DisplayName == DisplayName) > 1;
}

public sealed record Participant(string Identity, string Name, ParticipantRole Role, DateTimeOffset? JoinedAt, bool IsPublisher,
    IReadOnlyList<ParticipantTrack> Tracks);

public sealed record ParticipantTrack(string Sid, string Source, string Type, bool Muted);

public enum ParticipantRole
{
    Guest,
    CoHost,
    Host,
}
