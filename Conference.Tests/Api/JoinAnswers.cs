namespace Conference.Tests.Api;

/// <summary>
/// The api's answer to a join or a lobby poll as the browser reads it: "joined" with <see cref="Join"/>, or "waiting"
/// with the lobby request and its ticket. Read as a type so a test names what it checks.
/// </summary>
public sealed record JoinAnswer(string Status, JoinedAnswer? Join, string? LobbyRequestId, string? LobbyTicket, string? ParticipantKey);

/// <summary>What the browser connects to LiveKit with: the server, the room, who they are and the token.</summary>
public sealed record JoinedAnswer(string ServerUrl, string RoomName, string Identity, string Token, DateTimeOffset ExpiresAt,
    string Role, string ParticipantCredential);
