using System.Collections.Concurrent;
using System.Text.Json;
using Conference.LiveKit;
using Conference.Tests.LiveKit;

namespace Conference.Tests.Recorder;

/// <summary>
/// LiveKit's Egress service as the recorder sees it, over the Twirp stand-in: egresses start as EGRESS_STARTING,
/// StopEgress makes them EGRESS_ENDING, ListEgress reports what tests set. Other services keep their samples.
/// </summary>
public sealed class EgressStandIn
{
    readonly ConcurrentDictionary<string, EgressInfo> egresses = new();

    public EgressStandIn(TwirpCaptureServer server)
    {
        var others = server.Respond;
        server.Respond = request => request.Service == "livekit.Egress" ? Answer(request) : others(request);
        server.BeforeAnswer = request => request.Method == "StartRoomCompositeEgress" && heldStarts is { } held ? held.Task : Task.CompletedTask;
    }

    TaskCompletionSource? heldStarts;

    /// <summary>
    /// StartRoomCompositeEgress is answered (as it would be) only once the returned source is set: a LiveKit slow to
    /// answer. Dispose it to answer normally again.
    /// </summary>
    public HeldStarts HoldStarts() => new(this, heldStarts = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public sealed class HeldStarts(EgressStandIn standIn, TaskCompletionSource gate) : IDisposable
    {
        /// <summary>Whether the held starts were let through.</summary>
        public bool Answered => gate.Task.IsCompleted;

        public void Answer() => gate.TrySetResult();

        public void Dispose()
        {
            standIn.heldStarts = null;
            gate.TrySetResult();
        }
    }

    /// <summary>When set, every Egress call fails as LiveKit does without an egress worker.</summary>
    public bool Unavailable { get; set; }

    public EgressInfo this[string egressId] => egresses[egressId];

    /// <summary>The egress most recently started for a room.</summary>
    public EgressInfo Latest(string roomName) => egresses.Values.Where(e => e.RoomName == roomName).MaxBy(e => e.StartedAt)!;

    /// <summary>Where the recorder asked egress to upload the file.</summary>
    public string FileKey(string egressId) => egresses[egressId].RoomComposite!.FileOutputs![0].Filepath!;

    /// <summary>An egress LiveKit runs whatever the recorder knows (one it started before a crash).</summary>
    public EgressInfo Add(EgressInfo egress) => egresses[egress.EgressId] = egress;

    /// <summary>LiveKit restarted and lost the egress: ListEgress no longer reports it.</summary>
    public void Forget(string egressId) => egresses.TryRemove(egressId, out _);

    public EgressInfo Set(string egressId, Func<EgressInfo, EgressInfo> change) => egresses.AddOrUpdate(egressId, _ => throw new KeyNotFoundException(egressId), (_, e) => change(e));

    /// <summary>The egress as it is when it finished: the file uploaded at its path, with its duration.</summary>
    public EgressInfo Complete(string egressId, long size, TimeSpan duration) => Set(egressId, egress =>
    {
        var key = FileKey(egressId);
        var now = DateTimeOffset.UtcNow;
        return egress with
        {
            Status = EgressStatus.Complete,
            EndedAt = now,
            UpdatedAt = now,
            FileResults = [new EgressFileInfo { Filename = key, Size = size, Duration = duration, Location = $"s3://bucket/{key}", StartedAt = egress.StartedAt, EndedAt = now }],
        };
    });

    (int, string, string) Answer(CapturedRequest request)
    {
        if (Unavailable)
        {
            return (500, "application/json", """{"code":"internal","msg":"egress not connected (redis required)"}""");
        }
        switch (request.Method)
        {
            case "StartRoomCompositeEgress":
                var start = JsonSerializer.Deserialize<RoomCompositeEgressRequest>(request.Body, ProtoJson.SnakeCase)!;
                var started = new EgressInfo
                {
                    EgressId = $"EG_{Guid.NewGuid():N}"[..15],
                    RoomId = $"RM_{start.RoomName}",
                    RoomName = start.RoomName,
                    Status = EgressStatus.Starting,
                    StartedAt = DateTimeOffset.UtcNow,
                    UpdatedAt = DateTimeOffset.UtcNow,
                    RoomComposite = start,
                };
                egresses[started.EgressId] = started;
                return Json(started);

            case "StopEgress":
                var stop = JsonSerializer.Deserialize<StopEgressRequest>(request.Body, ProtoJson.SnakeCase)!;
                if (!egresses.TryGetValue(stop.EgressId, out var running) || !running.IsActive)
                {
                    return (412, "application/json", """{"code":"failed_precondition","msg":"egress is not active"}""");
                }
                return Json(Set(stop.EgressId, e => e with { Status = EgressStatus.Ending, UpdatedAt = DateTimeOffset.UtcNow }));

            case "ListEgress":
                var list = JsonSerializer.Deserialize<ListEgressRequest>(request.Body, ProtoJson.SnakeCase)!;
                var items = egresses.Values
                    .Where(e => string.IsNullOrEmpty(list.EgressId) || e.EgressId == list.EgressId)
                    .Where(e => string.IsNullOrEmpty(list.RoomName) || e.RoomName == list.RoomName)
                    .Where(e => list.Active != true || e.IsActive)
                    .ToList();
                return Json(new ListEgressResponse { Items = items });

            default:
                return (501, "application/json", """{"code":"unimplemented","msg":"not in the stand-in"}""");
        }
    }

    static (int, string, string) Json<T>(T value) => (200, "application/json", JsonSerializer.Serialize(value, ProtoJson.SnakeCase));
}
