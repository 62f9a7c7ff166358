using System.Text.Json.Nodes;
using Conference.Tests.Infrastructure;
using static Conference.Tests.Emulator.EmulatorSdk;

namespace Conference.Tests.Emulator;

/// <summary>
/// The emulator's Egress service called with LiveKit's EgressClient (Node SDK): a room composite recording joins
/// as a hidden EGRESS participant, uploads a WebM that Chromium plays to s3rver, and reports it in webhooks.
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class EgressTests(LiveKitEmulator emulator, CallBrowser browser, S3rverServer s3) : CallBrowserTest(browser),
    IClassFixture<S3rverServer>
{
    [Fact]
    public async Task A_recording_is_uploaded_as_a_playable_webm_and_reported_with_file_results()
    {
        var room = $"rec-{Guid.NewGuid():N}";
        var ada = await Browser.JoinAsync(emulator, room, "ada");
        var bob = await Browser.JoinAsync(emulator, room, "bob", publish: false);
        await bob.WaitForVideoAsync("ada");

        var publishedBefore = await ada.PublishedVideoAsync();
        // The file cannot be longer than from asking to start until the stop was answered, nor much shorter than from
        // the start's answer until the stop was asked. Each call starts a Node process for the SDK: under load they took
        // 2.4 s in all, and one clock around both calls saw 16.0 s where the egress had recorded 13.6 (ci52). (Timed from after
        // the checks below, a loaded machine spent over a second on them while the file was already running.)
        var sinceAskedToStart = System.Diagnostics.Stopwatch.StartNew();
        var started = Ok(await EmulatorSdk.EgressAsync(emulator, "startRoomCompositeEgress", room, Output(s3.Bucket, "recordings/{room_name}-{time}"), new { layout = "grid" }));
        var sinceStarted = System.Diagnostics.Stopwatch.StartNew();
        var egressId = started["egressId"]!.GetValue<string>();
        // protojson leaves out the default: no status is EGRESS_STARTING (0).
        Assert.Null(started["status"]);
        await emulator.WaitForWebhookAsync(w => w.Event == "egress_started" && w.Json["egressInfo"]?["egressId"]?.GetValue<string>() == egressId);
        await bob.Page.WaitForFunctionAsync("() => window.room.isRecording");
        // The recorder is a hidden participant: people do not see it.
        Assert.Equal(["ada"], await bob.RemoteIdentitiesAsync());
        var egressJoined = await emulator.WaitForWebhookAsync(w => w.Event == "participant_joined" && w.RoomName == room && w.Identity!.StartsWith("EG_"));
        Assert.Equal("EGRESS", egressJoined.Json["participant"]?["kind"]?.GetValue<string>());
        Assert.True(egressJoined.Json["participant"]?["permission"]?["recorder"]?.GetValue<bool>());

        await Task.Delay(TimeSpan.FromSeconds(4));
        var listed = (JsonArray)Ok(await EmulatorSdk.EgressAsync(emulator, "listEgress", new { roomName = room, active = true }));
        Assert.Equal(egressId, Assert.Single(listed)!["egressId"]!.GetValue<string>());
        var recordedAtLeast = sinceStarted.Elapsed;
        var stopping = Ok(await EmulatorSdk.EgressAsync(emulator, "stopEgress", egressId));
        var recordedAtMost = sinceAskedToStart.Elapsed;
        var publishedAfter = await ada.PublishedVideoAsync();
        Assert.Equal("EGRESS_ENDING", stopping["status"]!.GetValue<string>());
        // While its file is closed and uploaded the egress is still listed (as LiveKit's store keeps it), and a
        // second stop is refused as for an ended one.
        var whileEnding = (JsonArray)Ok(await EmulatorSdk.EgressAsync(emulator, "listEgress", new { egressId }));
        var endingStatus = Assert.Single(whileEnding)!["status"]!.GetValue<string>();
        Assert.Contains(endingStatus, new[] { "EGRESS_ENDING", "EGRESS_COMPLETE" });
        if (endingStatus == "EGRESS_ENDING")
        {
            Assert.Equal("failed_precondition", (await EmulatorSdk.EgressAsync(emulator, "stopEgress", egressId))["code"]!.GetValue<string>());
        }

        var ended = await emulator.WaitForWebhookAsync(w => w.Event == "egress_ended" && w.Json["egressInfo"]?["egressId"]?.GetValue<string>() == egressId);
        var info = ended.Json["egressInfo"]!;
        Assert.Equal("EGRESS_COMPLETE", info["status"]!.GetValue<string>());
        var file = info["fileResults"]![0]!;
        var key = file["filename"]!.GetValue<string>();
        Assert.StartsWith($"recordings/{room}-", key);
        Assert.EndsWith(".webm", key);
        Assert.True(long.Parse(file["size"]!.GetValue<string>()) > 10_000);
        Assert.True(long.Parse(file["duration"]!.GetValue<string>()) > 2_000_000_000L, $"duration {file["duration"]} ns");
        Assert.Equal($"{s3.Endpoint.ToString().TrimEnd('/')}/{s3.Bucket}/{key}", file["location"]!.GetValue<string>());
        await bob.Page.WaitForFunctionAsync("() => !window.room.isRecording");

        // The uploaded bytes are a WebM that Chromium decodes: frames with a size, and time that advances.
        using var http = new HttpClient();
        var webm = await http.GetByteArrayAsync(file["location"]!.GetValue<string>());
        Assert.Equal(long.Parse(file["size"]!.GetValue<string>()), webm.Length);
        var played = await bob.Page.EvaluateAsync<double[]>("""
            async ([base64]) => {
              const bytes = Uint8Array.from(atob(base64), c => c.charCodeAt(0));
              const video = document.createElement('video');
              video.muted = true;
              video.src = URL.createObjectURL(new Blob([bytes], { type: 'video/webm' }));
              document.body.appendChild(video);
              await video.play();
              await new Promise(resolve => setTimeout(resolve, 1500));
              return [video.videoWidth, video.videoHeight, video.currentTime, video.duration];
            }
            """, new object[] { Convert.ToBase64String(webm) });
        Assert.True(played[0] > 0 && played[1] > 0, $"recording plays at {played[0]}x{played[1]}");
        Assert.True(played[2] > 0.5, $"recording's time reached {played[2]} s");

        // The file's own length (the Segment Info's Duration, what a player shows) is what was recorded: at most the
        // time between asking to start and to stop (the file begins once the egress has its tracks), both tracks'
        // frames run to its end, and egress reported the same in file_results.
        var header = WebmFile.Read(webm);
        var reported = TimeSpan.FromTicks(long.Parse(file["duration"]!.GetValue<string>()) / 100);
        var declared = header.DeclaredDuration ?? throw new Xunit.Sdk.XunitException("the WebM declares no duration");
        // The publisher's frame rate while it was recorded: of its simulcast layers, the one that sent the most frames
        // (each layer encodes every captured frame unless bandwidth has paused it; the egress records the highest).
        var publishedFps = publishedAfter.Max(after => publishedBefore.FirstOrDefault(b => b.Rid == after.Rid) is { } before
            ? (after.FramesSent - before.FramesSent) / ((after.At - before.At) / 1000) : 0);
        var tracks = string.Join("; ", header.Tracks.Values.Select(t => $"{t.Kind}: {t.Blocks} frames from {t.First.TotalSeconds} s to {t.Last.TotalSeconds} s"))
            + $"; the publisher sent {publishedFps:0.0} frames/s ({string.Join(", ", publishedAfter.Select(l => $"{l.Rid} {l.Width}x{l.Height}"))})"
            + $"\nThe egress: {await LiveKitEmulator.EgressStoriesAsync(emulator.TestControlPort, room)}";
        // It holds all of it but the start: the egress joining, subscribing and its first keyframe, well under 2 s. A
        // writer that had put a fraction of the media in the file when it was uploaded (werift's MediaRecorder, ci45 and
        // ci47: one track, or 3 s of 6.7) is caught here.
        Assert.True(declared > recordedAtLeast - TimeSpan.FromSeconds(2) && declared < recordedAtMost + TimeSpan.FromSeconds(0.5),
            $"the WebM declares {declared.TotalSeconds} s; between the start's answer and asking to stop {recordedAtLeast.TotalSeconds} s passed, between asking to start and the stop's answer {recordedAtMost.TotalSeconds} s ({tracks})");
        // ci45: one track, unexplained (the egress subscribed to both); its story says what the egress had when it began.
        Assert.True(header.Tracks.Count == 2, $"the WebM has {header.Tracks.Count} track(s) ({tracks})");
        // Both tracks run to the file's end, and the video holds about as many frames as the publisher sent meanwhile.
        // Half is the bar — the file starts at a keyframe asked for, and a loaded machine delays a few — and a writer
        // that keeps only keyframes (as werift's did when padding-only packets reached it: 3-10 frames in 4 s) is far below it.
        // "Its end" is the stop less the time a track sent nothing before it: a loaded browser's camera once sent no
        // packet for the last 675 ms (ci54), and the file rightly ends its video that early. The egress measures that
        // quiet (GET /egress, quietAtStopMs); a writer that loses the last frames it was given is still caught.
        var quiet = await QuietAtStopAsync(emulator.TestControlPort, room, egressId);
        Assert.True(header.Audio.Last > declared - TimeSpan.FromSeconds(0.5) - quiet.Audio && header.Audio.Blocks > 10, $"the WebM declares {declared.TotalSeconds} s ({tracks})");
        Assert.True(header.Video.Last > declared - TimeSpan.FromSeconds(0.5) - quiet.Video,
            $"the video stops early: the WebM declares {declared.TotalSeconds} s, and at the stop the video had sent nothing for {quiet.Video.TotalMilliseconds} ms ({tracks})");
        Assert.True(publishedFps > 5, $"the publisher sent too few frames to judge the recording by ({tracks})");
        Assert.True(header.Video.Blocks >= publishedFps * declared.TotalSeconds / 2,
            $"the video holds {header.Video.Blocks} frames in {declared.TotalSeconds} s; the publisher sent {publishedFps:0.0} frames/s ({tracks})");
        Assert.True((declared - reported).Duration() < TimeSpan.FromSeconds(0.5), $"the WebM declares {declared.TotalSeconds} s; egress reported {reported.TotalSeconds} s");
        Assert.True(Math.Abs(played[3] - declared.TotalSeconds) < 0.5, $"Chromium says the recording lasts {played[3]} s; the file declares {declared.TotalSeconds} s");

        await ada.LeaveAsync();
        await bob.LeaveAsync();
    }

    [Fact]
    public async Task A_failing_upload_ends_the_egress_failed_with_the_storages_error()
    {
        var room = $"recfail-{Guid.NewGuid():N}";
        var ada = await Browser.JoinAsync(emulator, room, "ada");
        var started = Ok(await EmulatorSdk.EgressAsync(emulator, "startRoomCompositeEgress", room, Output("no-such-bucket", "x/{room_name}.webm"), new { }));
        var egressId = started["egressId"]!.GetValue<string>();
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Ok(await EmulatorSdk.EgressAsync(emulator, "stopEgress", egressId));

        var ended = await emulator.WaitForWebhookAsync(w => w.Event == "egress_ended" && w.Json["egressInfo"]?["egressId"]?.GetValue<string>() == egressId);
        Assert.Equal("EGRESS_FAILED", ended.Json["egressInfo"]!["status"]!.GetValue<string>());
        Assert.Contains("bucket does not exist", ended.Json["egressInfo"]!["error"]!.GetValue<string>());

        var again = await EmulatorSdk.EgressAsync(emulator, "stopEgress", egressId);
        Assert.Equal("failed_precondition", again["code"]!.GetValue<string>());
        var missing = await EmulatorSdk.EgressAsync(emulator, "startRoomCompositeEgress", "no-such-room", Output(s3.Bucket, "x"), new { });
        Assert.Equal("not_found", missing["code"]!.GetValue<string>());
        await ada.LeaveAsync();
    }

    object Output(string bucket, string filepath) => new
    {
        filepath,
        output = new
        {
            @case = "s3",
            value = new
            {
                accessKey = S3rverServer.AccessKey, secret = S3rverServer.SecretKey, region = "us-east-1",
                endpoint = s3.Endpoint.ToString().TrimEnd('/'), bucket, forcePathStyle = true,
            },
        },
    };

    /// <summary>
    /// Per track kind, how long it had sent nothing when the egress stopped (the emulator's test control, GET /egress:
    /// quietAtStopMs); zero for a kind that sent nothing at all.
    /// </summary>
    static async Task<(TimeSpan Audio, TimeSpan Video)> QuietAtStopAsync(int controlPort, string room, string egressId)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var egresses = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{controlPort}/egress?room={Uri.EscapeDataString(room)}"))!.AsArray();
        var quiet = egresses.Single(e => e!["egressId"]!.GetValue<string>() == egressId)!["quietAtStopMs"]
            ?? throw new Xunit.Sdk.XunitException($"the emulator's egress {egressId} reports no quietAtStopMs");
        TimeSpan Of(string kind) => TimeSpan.FromMilliseconds(Math.Max(0, quiet[kind]?.GetValue<double>() ?? 0));
        return (Of("audio"), Of("video"));
    }
}
