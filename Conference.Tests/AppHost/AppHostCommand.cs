using System.Diagnostics;
using Conference.Tests.Infrastructure;

namespace Conference.Tests.AppHost;

/// <summary>Runs the built AppHost the way a developer does from the repository root (publishing needs no engine).</summary>
static class AppHostCommand
{
    public static async Task RunAsync(params string[] arguments)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var startInfo = new ProcessStartInfo("dotnet",
            ["run", "--project", Path.Combine(LocalMachine.RepositoryRoot, "Conference.AppHost"), "--no-build", "-c", configuration, "--", .. arguments])
        {
            WorkingDirectory = LocalMachine.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"the AppHost failed ({string.Join(' ', arguments)}): {await error}{await output}");
    }
}
