using System.Text.Json;
using Conference.Api.Meetings;
using Conference.LiveKit;
using Microsoft.Extensions.Options;

namespace Conference.Api.Participants;

/// <summary>Where browsers reach LiveKit; the api's own <c>LiveKit:Url</c> may be an internal address.</summary>
public sealed class MediaServerOptions
{
    /// <summary>e.g. <c>wss://livekit.example.org</c>; defaults to the LiveKit URL with a ws(s) scheme.</summary>
    public Uri? PublicUrl { get; set; }

    /// <summary>Join tokens are only for connecting; LiveKit refreshes them for a connected participant.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>
/// Mints the short-lived LiveKit token a person joins with, for the identity they keep in this meeting. Everyone
/// publishes camera, microphone and screen and subscribes. No browser token carries roomAdmin, roomCreate, roomList
/// or roomRecord: moderation goes through the api, which checks the caller's role in the database on every call, so
/// taking a role away takes effect at once rather than when a token expires.
/// </summary>
public sealed class JoinTokens(IOptions<LiveKitOptions> liveKit, IOptions<MediaServerOptions> media, TimeProvider clock)
{
    /// <summary>What everyone in a meeting may publish; UpdateParticipant sends the same set.</summary>
    public static readonly IReadOnlyList<TrackSource> PublishableSources =
        [TrackSource.Camera, TrackSource.Microphone, TrackSource.ScreenShare, TrackSource.ScreenShareAudio];

    public Uri ServerUrl => media.Value.PublicUrl ?? WebSocketUrl(liveKit.Value.Url!);

    public sealed record JoinToken(string Token, DateTimeOffset ExpiresAt);

    public JoinToken Mint(Meeting meeting, string identity, string displayName, ParticipantRole role)
    {
        var lifetime = media.Value.TokenLifetime;
        var now = clock.GetUtcNow();
        var token = new AccessToken(liveKit.Value.ApiKey, liveKit.Value.ApiSecret, clock)
            .WithIdentity(identity)
            .WithName(displayName)
            .WithMetadata(Metadata(role, now))
            .WithTtl(lifetime)
            .WithGrants(new VideoGrants
            {
                RoomJoin = true,
                Room = meeting.RoomName,
                CanPublish = true,
                CanSubscribe = true,
                CanPublishData = true,
                CanPublishSources = PublishableSources,
            })
            // Used when this join creates the room: LiveKit itself then enforces the size limit.
            .WithRoomConfig(new RoomConfiguration
            {
                Name = meeting.RoomName,
                MaxParticipants = (uint)meeting.Settings.MaxParticipants,
            });
        return new JoinToken(token.ToJwt(), now + lifetime);
    }

    /// <summary>The participant metadata for a role, as every browser reads it; <paramref name="issuedAt"/> dates the token.</summary>
    public static string Metadata(ParticipantRole role, DateTimeOffset? issuedAt = null) =>
        JsonSerializer.Serialize(new ParticipantMetadata(role.ToString(), issuedAt));

    /// <summary>
    /// What the browser and our webhook handler read from a participant's metadata: the role, and when the join
    /// token was issued (a token older than the host's "end for everyone" is turned away).
    /// </summary>
    public sealed record ParticipantMetadata(string Role, DateTimeOffset? IssuedAt = null);

    static Uri WebSocketUrl(Uri url) =>
        new UriBuilder(url) { Scheme = url.Scheme == Uri.UriSchemeHttps ? "wss" : "ws" }.Uri;
}
