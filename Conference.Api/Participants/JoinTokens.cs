using System.Security.Cryptography;
using System.Text;
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
/// Mints the short-lived LiveKit token a person joins with. Grants follow the role: everyone publishes camera,
/// microphone and screen and subscribes; hosts and co-hosts also get roomAdmin for this room only. No browser
/// token carries roomCreate, roomList or roomRecord.
/// </summary>
public sealed class JoinTokens(IOptions<LiveKitOptions> liveKit, IOptions<MediaServerOptions> media, TimeProvider clock)
{
    static readonly IReadOnlyList<TrackSource> PublishableSources =
        [TrackSource.Camera, TrackSource.Microphone, TrackSource.ScreenShare, TrackSource.ScreenShareAudio];

    public Uri ServerUrl => media.Value.PublicUrl ?? WebSocketUrl(liveKit.Value.Url!);

    /// <summary>
    /// <paramref name="Token"/> connects to LiveKit; <paramref name="ParticipantCredential"/> proves to our api who
    /// this participant is for the whole meeting (same signature, no grant to join or do anything in LiveKit).
    /// </summary>
    public sealed record JoinToken(string Identity, string Token, DateTimeOffset ExpiresAt, string ParticipantCredential);

    static readonly TimeSpan CredentialLifetime = TimeSpan.FromHours(12);

    public JoinToken Mint(Meeting meeting, string displayName, ParticipantRole role)
    {
        var identity = NewIdentity(displayName);
        var lifetime = media.Value.TokenLifetime;
        var moderator = role is ParticipantRole.Host or ParticipantRole.CoHost;
        var token = new AccessToken(liveKit.Value.ApiKey, liveKit.Value.ApiSecret, clock)
            .WithIdentity(identity)
            .WithName(displayName)
            .WithMetadata(JsonSerializer.Serialize(new ParticipantMetadata(role.ToString())))
            .WithTtl(lifetime)
            .WithGrants(new VideoGrants
            {
                RoomJoin = true,
                Room = meeting.RoomName,
                CanPublish = true,
                CanSubscribe = true,
                CanPublishData = true,
                CanPublishSources = PublishableSources,
                RoomAdmin = moderator ? true : null,
            })
            // Used when this join creates the room: LiveKit itself then enforces the size limit.
            .WithRoomConfig(new RoomConfiguration
            {
                Name = meeting.RoomName,
                MaxParticipants = (uint)meeting.Settings.MaxParticipants,
            });
        var credential = new AccessToken(liveKit.Value.ApiKey, liveKit.Value.ApiSecret, clock)
            .WithIdentity(identity)
            .WithTtl(CredentialLifetime)
            .WithGrants(new VideoGrants { Room = meeting.RoomName, CanPublish = false, CanSubscribe = false, CanPublishData = false })
            .ToJwt();
        return new JoinToken(identity, token.ToJwt(), clock.GetUtcNow() + lifetime, credential);
    }

    /// <summary>What the browser and our webhook handler read from a participant's metadata.</summary>
    public sealed record ParticipantMetadata(string Role);

    /// <summary>Readable and unique: "ada-lovelace-k3x9qz".</summary>
    static string NewIdentity(string displayName)
    {
        var name = new StringBuilder();
        foreach (var c in displayName.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                name.Append(c);
            }
            else if (name.Length > 0 && name[^1] != '-')
            {
                name.Append('-');
            }
            if (name.Length >= 24)
            {
                break;
            }
        }
        var prefix = name.ToString().Trim('-');
        var suffix = RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 6);
        return prefix.Length == 0 ? $"guest-{suffix}" : $"{prefix}-{suffix}";
    }

    static Uri WebSocketUrl(Uri url) =>
        new UriBuilder(url) { Scheme = url.Scheme == Uri.UriSchemeHttps ? "wss" : "ws" }.Uri;
}
