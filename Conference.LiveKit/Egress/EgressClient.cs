using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;

namespace Conference.LiveKit;

/// <summary>
/// LiveKit's Egress service (Twirp <c>livekit.Egress</c>): start, update, list and stop recordings and streams.
/// Calls fail with "egress not connected (redis required)" when no egress worker shares the server's Redis.
/// </summary>
public sealed class EgressClient
{
    static readonly VideoGrants RecordGrant = new() { RoomRecord = true };

    readonly TwirpClient twirp;

    /// <summary>A client over <paramref name="httpClient"/> (from IHttpClientFactory when registered with <c>AddLiveKitClient</c>).</summary>
    public EgressClient(HttpClient httpClient, IOptions<LiveKitOptions> options, TimeProvider? timeProvider = null) =>
        twirp = new TwirpClient(httpClient, options.Value, timeProvider ?? TimeProvider.System, "Egress");

    /// <summary>Records or streams a whole room.</summary>
    public Task<EgressInfo> StartRoomCompositeEgressAsync(RoomCompositeEgressRequest request, CancellationToken cancellationToken = default) =>
        Call("StartRoomCompositeEgress", request, cancellationToken);

    /// <summary>Records one participant.</summary>
    public Task<EgressInfo> StartParticipantEgressAsync(ParticipantEgressRequest request, CancellationToken cancellationToken = default) =>
        Call("StartParticipantEgress", request, cancellationToken);

    /// <summary>Records an audio and/or a video track together.</summary>
    public Task<EgressInfo> StartTrackCompositeEgressAsync(TrackCompositeEgressRequest request, CancellationToken cancellationToken = default) =>
        Call("StartTrackCompositeEgress", request, cancellationToken);

    /// <summary>Exports one track without transcoding.</summary>
    public Task<EgressInfo> StartTrackEgressAsync(TrackEgressRequest request, CancellationToken cancellationToken = default) =>
        Call("StartTrackEgress", request, cancellationToken);

    /// <summary>Records a web page.</summary>
    public Task<EgressInfo> StartWebEgressAsync(WebEgressRequest request, CancellationToken cancellationToken = default) =>
        Call("StartWebEgress", request, cancellationToken);

    /// <summary>Changes the layout of a running room composite.</summary>
    public Task<EgressInfo> UpdateLayoutAsync(UpdateLayoutRequest request, CancellationToken cancellationToken = default) =>
        Call("UpdateLayout", request, cancellationToken);

    /// <summary>Adds or removes stream URLs.</summary>
    public Task<EgressInfo> UpdateStreamAsync(UpdateStreamRequest request, CancellationToken cancellationToken = default) =>
        Call("UpdateStream", request, cancellationToken);

    /// <summary>One page of egresses; pass <see cref="ListEgressResponse.NextPageToken"/> back for the next.</summary>
    public Task<ListEgressResponse> ListEgressAsync(ListEgressRequest? request = null, CancellationToken cancellationToken = default) =>
        twirp.CallAsync<ListEgressRequest, ListEgressResponse>("ListEgress", request ?? new(), RecordGrant, cancellationToken);

    /// <summary>All egresses matching <paramref name="request"/>, walking every page.</summary>
    public async IAsyncEnumerable<EgressInfo> ListAllEgressAsync(ListEgressRequest? request = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        request ??= new();
        while (true)
        {
            var page = await ListEgressAsync(request, cancellationToken);
            foreach (var egress in page.Items)
            {
                yield return egress;
            }

            if (string.IsNullOrEmpty(page.NextPageToken?.Token))
            {
                yield break;
            }

            request = request with { PageToken = page.NextPageToken };
        }
    }

    /// <summary>Stops an egress; its results arrive with the <c>egress_ended</c> webhook.</summary>
    public Task<EgressInfo> StopEgressAsync(StopEgressRequest request, CancellationToken cancellationToken = default) =>
        Call("StopEgress", request, cancellationToken);

    Task<EgressInfo> Call<TRequest>(string method, TRequest request, CancellationToken cancellationToken) =>
        twirp.CallAsync<TRequest, EgressInfo>(method, request, RecordGrant, cancellationToken);
}
