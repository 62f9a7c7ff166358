using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Conference.LiveKit;

/// <summary>LiveKit's RoomService: create, list and delete rooms; manage participants, tracks, data and metadata.</summary>
public sealed class RoomServiceClient
{
    static readonly VideoGrants CreateGrant = new() { RoomCreate = true };
    static readonly VideoGrants ListGrant = new() { RoomList = true };

    readonly TwirpClient twirp;

    /// <summary>A client over <paramref name="httpClient"/> (from IHttpClientFactory when registered with <c>AddLiveKitClient</c>).</summary>
    public RoomServiceClient(HttpClient httpClient, IOptions<LiveKitOptions> options, TimeProvider? timeProvider = null) =>
        twirp = new TwirpClient(httpClient, options.Value, timeProvider ?? TimeProvider.System, "RoomService");

    /// <summary>Creates a room (or returns the existing one of that name).</summary>
    public Task<Room> CreateRoomAsync(CreateRoomRequest request, CancellationToken cancellationToken = default) =>
        twirp.CallAsync<CreateRoomRequest, Room>("CreateRoom", request, CreateGrant, cancellationToken);

    /// <summary>Lists the named rooms, or all active rooms.</summary>
    public async Task<IReadOnlyList<Room>> ListRoomsAsync(ListRoomsRequest? request = null, CancellationToken cancellationToken = default) =>
        (await twirp.CallAsync<ListRoomsRequest, ListRoomsResponse>("ListRooms", request ?? new(), ListGrant, cancellationToken)).Rooms ?? [];

    /// <summary>Deletes a room, disconnecting everyone in it.</summary>
    public Task DeleteRoomAsync(DeleteRoomRequest request, CancellationToken cancellationToken = default) =>
        twirp.CallAsync<DeleteRoomRequest, Empty>("DeleteRoom", request, CreateGrant, cancellationToken);

    /// <summary>Lists the participants of a room.</summary>
    public async Task<IReadOnlyList<ParticipantInfo>> ListParticipantsAsync(ListParticipantsRequest request, CancellationToken cancellationToken = default) =>
        (await twirp.CallAsync<ListParticipantsRequest, ListParticipantsResponse>("ListParticipants", request, AdminOf(request.Room), cancellationToken)).Participants ?? [];

    /// <summary>Gets one participant.</summary>
    public Task<ParticipantInfo> GetParticipantAsync(RoomParticipantIdentity request, CancellationToken cancellationToken = default) =>
        twirp.CallAsync<RoomParticipantIdentity, ParticipantInfo>("GetParticipant", request, AdminOf(request.Room), cancellationToken);

    /// <summary>Removes a participant; their current tokens can no longer join (see <see cref="RoomParticipantIdentity.RevokeTokenTs"/>).</summary>
    public Task RemoveParticipantAsync(RoomParticipantIdentity request, CancellationToken cancellationToken = default) =>
        twirp.CallAsync<RoomParticipantIdentity, Empty>("RemoveParticipant", request, AdminOf(request.Room), cancellationToken);

    /// <summary>Mutes or unmutes a published track; returns the track.</summary>
    public async Task<TrackInfo?> MutePublishedTrackAsync(MuteRoomTrackRequest request, CancellationToken cancellationToken = default) =>
        (await twirp.CallAsync<MuteRoomTrackRequest, MuteRoomTrackResponse>("MutePublishedTrack", request, AdminOf(request.Room), cancellationToken)).Track;

    /// <summary>Changes a participant's metadata, name, attributes or permission.</summary>
    public Task<ParticipantInfo> UpdateParticipantAsync(UpdateParticipantRequest request, CancellationToken cancellationToken = default) =>
        twirp.CallAsync<UpdateParticipantRequest, ParticipantInfo>("UpdateParticipant", request, AdminOf(request.Room), cancellationToken);

    /// <summary>Subscribes or unsubscribes a participant to tracks.</summary>
    public Task UpdateSubscriptionsAsync(UpdateSubscriptionsRequest request, CancellationToken cancellationToken = default) =>
        twirp.CallAsync<UpdateSubscriptionsRequest, Empty>("UpdateSubscriptions", request, AdminOf(request.Room), cancellationToken);

    /// <summary>Sends a data packet into a room.</summary>
    public Task SendDataAsync(SendDataRequest request, CancellationToken cancellationToken = default) =>
        twirp.CallAsync<SendDataRequest, Empty>("SendData", request with { Nonce = request.Nonce ?? RandomNumberGenerator.GetBytes(16) }, AdminOf(request.Room), cancellationToken);

    /// <summary>Replaces the room's metadata; returns the room.</summary>
    public Task<Room> UpdateRoomMetadataAsync(UpdateRoomMetadataRequest request, CancellationToken cancellationToken = default) =>
        twirp.CallAsync<UpdateRoomMetadataRequest, Room>("UpdateRoomMetadata", request, AdminOf(request.Room), cancellationToken);

    // roomAdmin is scoped: the server checks that the token's room is the request's room.
    static VideoGrants AdminOf(string room) => new() { RoomAdmin = true, Room = room };
}
