namespace Conference.Web.Api;

/// <summary>
/// Joining a meeting (<c>/api/meetings/{slug}/join</c>) and waiting in its lobby. A signed-in host joins as host
/// (their bearer token goes along); everyone else as a guest.
/// </summary>
public sealed class JoinClient(HttpClient http, ApiCredentials credentials) : ApiClient(http, credentials)
{
    /// <summary>Asks to join: either the LiveKit connection details, or a lobby request to wait with.</summary>
    /// <remarks><paramref name="participantKey"/>: the key an earlier join of this meeting returned, so this is the same person.</remarks>
    public async Task<JoinResult> JoinAsync(string slug, string displayName, string? participantKey = null, CancellationToken cancellationToken = default) =>
        await PostAsync<JoinResult>($"api/meetings/{Uri.EscapeDataString(slug)}/join", new { displayName, participantKey }, cancellationToken: cancellationToken);

    /// <summary>
    /// A waiting guest shows their lobby ticket: still waiting, or (once) the token. Denied or removed is a 403
    /// problem; a used ticket or an ended call 410.
    /// </summary>
    public async Task<JoinResult> LobbyStatusAsync(string slug, string lobbyRequestId, string ticket, CancellationToken cancellationToken = default) =>
        await PostAsync<JoinResult>($"api/meetings/{Uri.EscapeDataString(slug)}/lobby/{Uri.EscapeDataString(lobbyRequestId)}", new { ticket },
            cancellationToken: cancellationToken);

    /// <summary>The api's name for its LiveKit check in <c>/api/health</c> (LiveKitHealthCheck.Name).</summary>
    const string MediaServerCheck = "livekit";

    /// <summary>
    /// Whether the api reaches the media server (LiveKit) now, asked of <c>/api/health</c> when a browser could not:
    /// false when it does not answer the api either (the media server is down: our side, not the person's
    /// connection); null when the api cannot say (it is not answering, or has no media server configured).
    /// </summary>
    public async Task<bool?> MediaServerAnswersAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var health = await GetAsync<HealthAnswer>("api/health", cancellationToken);
            return health.Checks?.GetValueOrDefault(MediaServerCheck) switch
            {
                "Healthy" => true,
                "Degraded" or "Unhealthy" => false,
                _ => null,
            };
        }
        catch (ApiProblemException)
        {
            return null; // the api itself is in trouble (Unhealthy answers 503): nothing to tell about LiveKit
        }
    }

    /// <summary>What <c>/api/health</c> answers: each dependency's status word by its check's name.</summary>
    sealed record HealthAnswer(string Status, Dictionary<string, string>? Checks);
}

/// <summary>
/// <see cref="Status"/> is "joined" (with <see cref="Join"/>) or "waiting" (with <see cref="LobbyRequestId"/> and its secret
/// <see cref="LobbyTicket"/>). <see cref="ParticipantKey"/> keeps this person the same identity on the next join.
/// </summary>
public sealed record JoinResult(string Status, JoinDetails? Join, string? LobbyRequestId, string? LobbyTicket = null, string? ParticipantKey = null)
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

    /// <summary>The meeting's host: the only one who may end it for everyone.</summary>
    public bool IsHost => Role is "Host";
}
