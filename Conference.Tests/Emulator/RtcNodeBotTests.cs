using System.Diagnostics;
using System.Text.Json.Nodes;
using Conference.Tests.Infrastructure;

namespace Conference.Tests.Emulator;

/// <summary>
/// A second client implementation, LiveKit's Rust SDK under Node (@livekit/rtc-node, tools/livekit-emulator/bot),
/// in a call with livekit-client in Chromium through the emulator: each receives the other's video and audio.
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class RtcNodeBotTests(LiveKitEmulator emulator, CallBrowser browser) : CallBrowserTest(browser)
{
    [Fact]
    public async Task A_rtc_node_bot_and_a_browser_receive_each_others_video_and_audio()
    {
        var room = $"bot-{Guid.NewGuid():N}";
        var ada = await Browser.JoinAsync(emulator, room, "ada");
        var bot = RunBotAsync(room, "bot", seconds: 15);

        (int Width, int Height) size;
        try
        {
            size = await ada.WaitForVideoAsync("bot");
        }
        catch (TimeoutException noVideo)
        {
            // Under load (ci34, ci35) the bot's microphone reached ada and its camera never did: say where it stopped.
            string botSaid;
            try
            {
                botSaid = (await bot).ToJsonString();
            }
            catch (InvalidOperationException failed)
            {
                botSaid = failed.Message;
            }
            var emulatorSaid = string.Join(Environment.NewLine, emulator.Output.Split('\n').Where(line => line.Contains(room, StringComparison.Ordinal) || line.Contains("\"level\":\"warn\"", StringComparison.Ordinal) || line.Contains("\"level\":\"error\"", StringComparison.Ordinal)).TakeLast(40));
            throw new TimeoutException($"{noVideo.Message}{Environment.NewLine}The bot: {botSaid}{Environment.NewLine}The relay: {await LiveKitEmulator.MediaStoriesAsync(emulator.TestControlPort, room)}" +
                $"{Environment.NewLine}The emulator's log:{Environment.NewLine}{emulatorSaid}", noVideo);
        }
        Assert.Equal((320, 240), size);
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
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            // ci63: the bot neither sent its video nor exited, and the test's message was a bare "A task was
            // canceled": say what it got to (its BOT_PROGRESS lines) so the next time shows where it hung.
            node.Kill(entireProcessTree: true);
            await node.WaitForExitAsync();
            throw new InvalidOperationException($"the bot did not exit within {seconds + 60} s (asked to run {seconds} s); it said: {await errors}");
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
        if (node.ExitCode != 0 || report is null)
        {
            throw new InvalidOperationException($"the bot exited with {node.ExitCode}: {await errors}");
        }
        var result = JsonNode.Parse(report[marker.Length..])!;
        // Its progress, with times (BOT_PROGRESS lines on stderr), for a failure's message.
        result["progress"] = new JsonArray([.. (await errors).Split('\n').Where(line => line.StartsWith("BOT_PROGRESS", StringComparison.Ordinal)).Select(line => (JsonNode)line.Trim())]);
        return result;
    }
}
