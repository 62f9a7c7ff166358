using System.Diagnostics;
using System.Text.Json.Nodes;
using Conference.Tests.Infrastructure;

namespace Conference.Tests.Emulator;

/// <summary>
/// A second client implementation, LiveKit's Rust SDK under Node (@livekit/rtc-node, tools/livekit-emulator/bot),
/// in a call with livekit-client in Chromium through the emulator: each receives the other's video and audio.
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class RtcNodeBotTests(LiveKitEmulator emulator, CallBrowser browser)
{
    [Fact]
    public async Task A_rtc_node_bot_and_a_browser_receive_each_others_video_and_audio()
    {
        var room = $"bot-{Guid.NewGuid():N}";
        var ada = await browser.JoinAsync(emulator, room, "ada");
        var bot = RunBotAsync(room, "bot", seconds: 15);

        var (width, height) = await ada.WaitForVideoAsync("bot");
        Assert.Equal((320, 240), (width, height));
        Assert.True(await ada.WaitForAudioAsync("bot") > 0.05);

        var report = await bot;
        Assert.True(report["videoFrames"]?["ada"]?.GetValue<int>() > 20, report.ToJsonString());
        Assert.True(report["audioFrames"]?["ada"]?.GetValue<int>() > 100, report.ToJsonString());
        await ada.LeaveAsync();
    }

    async Task<JsonNode> RunBotAsync(string room, string identity, int seconds)
    {
        var directory = Path.Combine(LocalMachine.RepositoryRoot, "tools", "livekit-emulator");
        var start = new ProcessStartInfo("node",
            [Path.Combine(directory, "bot", "bot.mjs"), "--url", emulator.Url.ToString(), "--key", emulator.ApiKey,
             "--secret", emulator.ApiSecret, "--room", room, "--identity", identity, "--seconds", seconds.ToString()])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var node = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        var output = node.StandardOutput.ReadToEndAsync();
        var errors = node.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds + 60));
        try
        {
            await node.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!node.HasExited)
            {
                node.Kill(entireProcessTree: true);
            }
        }
        var marker = "BOT_REPORT ";
        var report = (await output).Split('\n').FirstOrDefault(l => l.StartsWith(marker, StringComparison.Ordinal));
        return node.ExitCode == 0 && report is not null
            ? JsonNode.Parse(report[marker.Length..])!
            : throw new InvalidOperationException($"the bot exited with {node.ExitCode}: {await errors}");
    }
}
