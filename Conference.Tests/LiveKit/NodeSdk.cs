using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Conference.Tests.LiveKit;

/// <summary>Runs the Node scripts in LiveKit/node/ against LiveKit's official server SDK (tools/node).</summary>
static class NodeSdk
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>Runs <paramref name="script"/> with <paramref name="input"/> as JSON on stdin and returns its JSON output.</summary>
    public static async Task<JsonNode> RunAsync(string script, object input)
    {
        var sdk = Path.Combine(RepoRoot, "tools", "node", "node_modules", "livekit-server-sdk");
        if (!Directory.Exists(sdk))
        {
            throw new InvalidOperationException(
                $"LiveKit's Node SDK is not installed ({sdk} is missing): run ./test.sh or npm ci in tools/node.");
        }

        var start = new ProcessStartInfo("node", Path.Combine(RepoRoot, "Conference.Tests", "LiveKit", "node", script))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var node = Process.Start(start) ?? throw new InvalidOperationException("Could not start node.");
        await node.StandardInput.WriteAsync(JsonSerializer.Serialize(input));
        node.StandardInput.Close();
        var output = node.StandardOutput.ReadToEndAsync();
        var errors = node.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await node.WaitForExitAsync(timeout.Token);
        if (node.ExitCode != 0)
        {
            throw new InvalidOperationException($"node {script} exited with {node.ExitCode}: {await errors}");
        }

        return JsonNode.Parse(await output) ?? throw new InvalidOperationException($"node {script} printed nothing.");
    }

    static string FindRepoRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Conference.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Conference.slnx above {AppContext.BaseDirectory}: run the tests from the repository.");
    }
}

/// <summary>A clock the test sets.</summary>
sealed class ManualTimeProvider(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
