namespace Conference.Web.Api;

/// <summary>
/// Joining a meeting (<c>/api/meetings/{slug}/join</c>) and waiting in its lobby. A signed-in host joins as host
/// (their bearer token goes along); everyone else as a guest.
/// </summary>
public sealed class JoinClient(HttpClient http, ApiCredentials credentials) : ApiClient(http, credentials)
{
    /// <summary>Asks to join: either the LiveKit connection details, or a lobby request to wait with.</summary>
    public async Task<JoinResult> JoinAsync(string slug, string displayName, CancellationToken cancellationToken = default) =>
        await PostAsync<JoinResult>($"api/meetings/{Uri.EscapeDataString(slug)}/join", new { displayName }, cancellationToken: cancellationToken);

    /// <summary>A waiting guest asks whether they were let in. Denied is a 403 problem; an ended meeting 410.</summary>
    public async Task<JoinResult> LobbyStatusAsync(string slug, string lobbyRequestId, CancellationToken cancellationToken = default) =>
        await GetAsync<JoinResult>($"api/meetings/{Uri.EscapeDataString(slug)}/lobby/{Uri.EscapeDataString(lobbyRequestId)}", cancellationToken);
}

/// <summary><see cref="Status"/> is "joined" (with <see cref="Join"/>) or "waiting" (with <see cref="LobbyRequestId"/>).</summary>
public sealed record JoinResult(string Status, JoinDetails? Join, string? LobbyRequestId)
{
    public bool IsWaiting => Status == "waiting";
}

/// <summary>
/// What the browser needs to connect to LiveKit. <see cref="ParticipantCredential"/> is how this participant
/// proves who they are to the api later (moderation as a co-host).
/// </summary>
public sealed record JoinDetails(string ServerUrl, string RoomName, string Identity, string Token, DateTimeOffset ExpiresAt,
    string Role, string ParticipantCredential)
{
    public bool IsModerator => Role is "Host" or "CoHost";
}
