using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Conference.Tests.Infrastructure;

namespace Conference.Tests.AppHost;

/// <summary>
/// The AppHost started the way the README starts it, <c>dotnet run --project Conference.AppHost</c>, in a checkout
/// of the repository, read through its console like a person reads it. Only the dashboard's ports are moved off
/// 18888-18891, so a developer's own run (or the other run test) does not collide with it. It runs behind the
/// fixtures' watchdog, so it ends with the test run however that ends.
/// </summary>
sealed partial class AppHostRun : IAsyncDisposable
{
    static readonly string WatchdogScript = Path.Combine(AppContext.BaseDirectory, "Infrastructure", "watchdog.sh");
    static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    readonly Process watchdog;
    readonly StringBuilder console = new();
    readonly TaskCompletionSource<Uri> siteReady = new(TaskCreationOptions.RunContinuationsAsynchronously);

    AppHostRun(Process watchdog)
    {
        this.watchdog = watchdog;
    }

    /// <summary>Everything the command wrote to stdout and stderr so far.</summary>
    public string Console
    {
        get
        {
            lock (console)
            {
                return console.ToString();
            }
        }
    }

    /// <summary>
    /// Runs <c>dotnet run --project Conference.AppHost [build options] -- [arguments]</c> in <paramref name="checkout"/>,
    /// with <paramref name="environment"/> on top of the test run's own variables (e.g. a PATH that finds a tool).
    /// <paramref name="workDirectory"/> is deleted by the watchdog should the test run end before <see cref="DisposeAsync"/>.
    /// </summary>
    public static AppHostRun Start(string checkout, string workDirectory, IEnumerable<string> buildOptions, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        string[] dashboard =
        [
            $"--ASPNETCORE_URLS=http://localhost:{LocalMachine.FreePort()}",
            $"--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://localhost:{LocalMachine.FreePort()}",
            $"--ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL=http://localhost:{LocalMachine.FreePort()}",
            $"--ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://localhost:{LocalMachine.FreePort()}",
        ];
        var startInfo = new ProcessStartInfo("bash",
            [WatchdogScript, workDirectory, "dotnet", "run", "--project", "Conference.AppHost", .. buildOptions, "--", .. dashboard, .. arguments])
        {
            WorkingDirectory = checkout,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }
        var run = new AppHostRun(Process.Start(startInfo)!);
        run.watchdog.OutputDataReceived += (_, line) => run.Read(line.Data);
        run.watchdog.ErrorDataReceived += (_, line) => run.Read(line.Data);
        run.watchdog.BeginOutputReadLine();
        run.watchdog.BeginErrorReadLine();
        return run;
    }

    /// <summary>
    /// The site's address, once the console says it is ready. Fails with the console's text if the command ends,
    /// or the console reports a failed resource, or <paramref name="timeout"/> passes first.
    /// </summary>
    public async Task<Uri> WaitForSiteAsync(TimeSpan timeout)
    {
        var exited = watchdog.WaitForExitAsync();
        var first = await Task.WhenAny(siteReady.Task, exited, Task.Delay(timeout));
        if (first == siteReady.Task)
        {
            return await siteReady.Task;
        }
        var what = first == exited ? $"ended with exit code {watchdog.ExitCode}" : $"did not say the site is ready within {timeout.TotalSeconds:0} s";
        throw new InvalidOperationException($"dotnet run --project Conference.AppHost {what}. Its console:{Environment.NewLine}{Console}");
    }

    /// <summary>
    /// Waits until the console has said everything in <paramref name="texts"/>; fails with the console's text if the
    /// command ends or <paramref name="timeout"/> passes first.
    /// </summary>
    public async Task WaitForConsoleAsync(TimeSpan timeout, params string[] texts)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!texts.All(text => Console.Contains(text, StringComparison.Ordinal)))
        {
            if (watchdog.HasExited || DateTime.UtcNow > deadline)
            {
                var what = watchdog.HasExited ? $"ended with exit code {watchdog.ExitCode}" : $"ran {timeout.TotalSeconds:0} s";
                var missing = texts.Where(text => !Console.Contains(text, StringComparison.Ordinal));
                throw new InvalidOperationException(
                    $"dotnet run --project Conference.AppHost {what} without saying: {string.Join(" | ", missing)}. Its console:{Environment.NewLine}{Console}");
            }
            await Task.Delay(250);
        }
    }

    /// <summary>The data directory PostgreSQL uses, as the console said, if it said it moved it.</summary>
    public string? MovedPostgresData => MovedPostgresDataLine().Match(Console) is { Success: true } match ? match.Groups["path"].Value : null;

    void Read(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (console)
        {
            console.AppendLine(line);
        }
        if (SiteReadyLine().Match(line) is { Success: true } ready)
        {
            siteReady.TrySetResult(new Uri(ready.Groups["url"].Value.TrimEnd('/') + "/"));
        }
        else if (line.StartsWith("fail: Conference.AppHost.Diagnostics.FailedResourceReporter", StringComparison.Ordinal))
        {
            // The report's text follows on the next lines; give it a moment to arrive.
            _ = Task.Delay(TimeSpan.FromSeconds(1)).ContinueWith(_ =>
                siteReady.TrySetException(new InvalidOperationException($"A resource failed. The console:{Environment.NewLine}{Console}")));
        }
    }

    /// <summary>Stops it as Ctrl+C would (SIGTERM to <c>dotnet run</c>, which passes it on) and waits for the end.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!watchdog.HasExited && DotnetRunProcessId() is { } dotnetRun)
        {
            using (var term = Process.Start("kill", ["-TERM", dotnetRun.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }
            using var timeout = new CancellationTokenSource(StopTimeout);
            try
            {
                await watchdog.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // The watchdog's stop follows.
            }
        }
        if (!watchdog.HasExited)
        {
            watchdog.StandardInput.Close(); // the watchdog stops the command, then kills it
            await watchdog.WaitForExitAsync();
        }
        watchdog.Dispose();
    }

    /// <summary>The watchdog runs <c>dotnet run</c> as its child (setsid execs in place in a background job).</summary>
    int? DotnetRunProcessId()
    {
        try
        {
            var children = File.ReadAllText($"/proc/{watchdog.Id}/task/{watchdog.Id}/children")
                .Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse);
            return children.FirstOrDefault(child =>
                File.ReadAllText($"/proc/{child}/cmdline").StartsWith("dotnet\0run", StringComparison.Ordinal)) is var pid and > 0 ? pid : null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"The site is ready at (?<url>https?://\S+)")]
    private static partial Regex SiteReadyLine();

    [GeneratedRegex(@"PostgreSQL keeps its data in (?<path>/\S+?):")]
    private static partial Regex MovedPostgresDataLine();
}
