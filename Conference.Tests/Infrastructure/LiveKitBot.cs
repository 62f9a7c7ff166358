using System.Diagnostics;
using Conference.LiveKit;

namespace Conference.Tests.Infrastructure;

/// <summary>
/// A real participant in an emulator room: LiveKit's Rust SDK under Node (tools/livekit-emulator/bot) joined as
/// <see cref="Identity"/>, publishing synthetic microphone and camera tracks, until disposed. For tests whose
/// api calls (mute, remove) need somebody LiveKit knows — no browser needed.
/// </summary>
public sealed class LiveKitBot : IAsyncDisposable
{
    readonly Process process;

    LiveKitBot(Process process, string room, string identity)
    {
        this.process = process;
        Room = room;
        Identity = identity;
    }

    public string Room { get; }

    public string Identity { get; }

    /// <summary>The participant as the emulator reports it once its tracks are published.</summary>
    public ParticipantInfo Participant { get; private set; } = null!;

    /// <summary>Joins <paramref name="room"/> (created on join, as LiveKit's auto_create does) and waits until both tracks are published.</summary>
    public static async Task<LiveKitBot> JoinAsync(LiveKitEmulator emulator, string room, string identity)
    {
        var directory = Path.Combine(LocalMachine.RepositoryRoot, "tools", "livekit-emulator");
        var start = new ProcessStartInfo("node",
            [Path.Combine(directory, "bot", "bot.mjs"), "--url", emulator.Url.ToString(), "--key", emulator.ApiKey,
             "--secret", emulator.ApiSecret, "--room", room, "--identity", identity, "--seconds", "600"])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var bot = new LiveKitBot(process, room, identity);
        var rooms = emulator.RoomService();
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        IReadOnlyList<ParticipantInfo> participants = [];
        while (true)
        {
            participants = await ListOrNoneAsync(rooms, room);
            if (participants.FirstOrDefault(p => p.Identity == identity && p.Tracks.Count == 2) is { } joined)
            {
                bot.Participant = joined;
                return bot;
            }
            if (process.HasExited || DateTime.UtcNow > until)
            {
                // Read before disposing: a disposed Process answers "No process is associated with this object",
                // which had hidden why the bot did not join.
                var exited = process.HasExited;
                // What the room had (a track is listed once its media reaches the emulator, as in LiveKit) and what the
                // relay received: ci54 saw the bot publish both tracks and the camera never listed in 27 s.
                var listed = string.Join("; ", participants.Select(p => $"{p.Identity}: {string.Join(", ", p.Tracks.Select(t => $"{t.Source} {t.Sid}"))}"));
                var relay = await LiveKitEmulator.MediaStoriesAsync(emulator.TestControlPort, room);
                await bot.DisposeAsync();
                lock (output)
                {
                    // The emulator's side of the story: its lines about this room or identity (it logs JSON lines).
                    var emulatorLines = emulator.Output.Split('\n')
                        .Where(line => line.Contains(room, StringComparison.Ordinal) || line.Contains(identity, StringComparison.Ordinal)
                            || line.Contains("\"level\":\"warn", StringComparison.Ordinal) || line.Contains("\"level\":\"error", StringComparison.Ordinal))
                        .TakeLast(40);
                    throw new InvalidOperationException(
                        $"The bot {identity} did not join {room} with its tracks (exited: {exited}):{Environment.NewLine}{output}" +
                        $"The room listed: {(listed.Length == 0 ? "nobody" : listed)}{Environment.NewLine}" +
                        $"Emulator:{Environment.NewLine}{string.Join(Environment.NewLine, emulatorLines)}{Environment.NewLine}The relay (GET /media):{Environment.NewLine}{relay}");
                }
            }
            await Task.Delay(100);
        }
    }

    static async Task<IReadOnlyList<ParticipantInfo>> ListOrNoneAsync(RoomServiceClient rooms, string room)
    {
        try
        {
            return await rooms.ListParticipantsAsync(new ListParticipantsRequest { Room = room });
        }
        catch (LiveKitException exception) when (exception.IsNotFound)
        {
            return [];
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }
        await process.WaitForExitAsync();
        process.Dispose();
    }
}
