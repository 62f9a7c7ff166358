using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Conference.Tests.Infrastructure;

/// <summary>
/// A real server run as a local process for tests, on a free loopback port and in a temp directory of its own.
/// Disposing it stops the server and deletes the directory; if the test run ends first, however it ends, a
/// watchdog script in front of the server does the same. Use it as an xunit fixture (it is an
/// <see cref="IAsyncLifetime"/>) or with <c>await using</c>.
/// </summary>
public abstract class LocalServer : IAsyncLifetime, IAsyncDisposable
{
    static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    static readonly string WatchdogScript = Path.Combine(AppContext.BaseDirectory, "Infrastructure", "watchdog.sh");

    readonly StringBuilder output = new();
    Process? process;
    Process? directoryWatchdog;

    protected LocalServer(string name)
    {
        Name = name;
        WorkDirectory = Directory.CreateTempSubdirectory($"conference-{name}-").FullName;
        // Deletes the directory should the run end before disposal, even between two commands.
        directoryWatchdog = Launch("sleep", ["infinity"]);
    }

    /// <summary>The program's name, used in every message about this server.</summary>
    public string Name { get; }

    public int Port { get; } = LocalMachine.FreePort();

    public string WorkDirectory { get; }

    /// <summary>The id of the process that runs the server (a watchdog script); kept after disposal.</summary>
    public int ProcessId { get; private set; }

    /// <summary>Everything the server's processes wrote to stdout and stderr, for diagnostics.</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>Variables set for every process this server starts, on top of the test run's own.</summary>
    protected Dictionary<string, string> ProcessEnvironment { get; } = [];

    public async Task InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch
        {
            // Whoever started it may never dispose a server that failed to start (await using does not).
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (process is { HasExited: false } running)
        {
            try
            {
                await StopAsync();
                // The watchdog in front of the server stops it when its stdin closes.
                running.StandardInput.Close();
                using var timeout = new CancellationTokenSource(StopTimeout);
                await running.WaitForExitAsync(timeout.Token);
            }
            catch (Exception)
            {
                // Whatever the polite stop did, the kill below makes sure.
            }
        }
        process?.Kill(entireProcessTree: true);
        process?.Dispose();
        process = null;
        if (directoryWatchdog is { } watchdog)
        {
            watchdog.StandardInput.Close();
            await watchdog.WaitForExitAsync();
            watchdog.Dispose();
            directoryWatchdog = null;
        }
        if (Directory.Exists(WorkDirectory))
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
    }

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

    /// <summary>
    /// Stops the server but keeps its port, directory and data, so a test can watch its clients cope without it;
    /// <see cref="StartAgainAsync"/> brings it back. Needs a server whose <see cref="StopAsync"/> stops it.
    /// </summary>
    public async Task StopForNowAsync()
    {
        if (process is not { HasExited: false } running)
        {
            return;
        }
        // Only the polite stop: closing the watchdog's stdin would delete the work directory, data and all.
        await StopAsync();
        using (var timeout = new CancellationTokenSource(StopTimeout))
        {
            await running.WaitForExitAsync(timeout.Token);
        }
        running.Dispose();
        process = null;
    }

    /// <summary>Starts a server stopped by <see cref="StopForNowAsync"/> again, on the same port with the same data.</summary>
    public Task StartAgainAsync() => RestartAsync();

    /// <summary>Starts the server process again over the existing work directory; by default the whole start.</summary>
    protected virtual Task RestartAsync() => StartAsync();

    /// <summary>Prepares the work directory and calls <see cref="StartProcessAsync"/>.</summary>
    protected abstract Task StartAsync();

    /// <summary>
    /// A polite stop that returns once the server is down, for servers a kill would leave something behind of.
    /// </summary>
    protected virtual Task StopAsync() => Task.CompletedTask;

    /// <summary>Starts the long-running server process and returns once <paramref name="probe"/> succeeds.</summary>
    /// <param name="probe">Completes when the server answers; throws while it does not.</param>
    protected async Task StartProcessAsync(string fileName, IEnumerable<string> arguments, Func<CancellationToken, Task> probe)
    {
        var process = Launch(fileName, arguments);
        this.process = process;
        ProcessId = process.Id;
        process.OutputDataReceived += (_, line) => AppendOutput(line.Data);
        process.ErrorDataReceived += (_, line) => AppendOutput(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeout = new CancellationTokenSource(StartTimeout);
        while (!process.HasExited)
        {
            try
            {
                await probe(timeout.Token);
                return;
            }
            catch (Exception) when (!timeout.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100));
            }
            catch (Exception)
            {
                throw StartFailure($"did not answer within {StartTimeout.TotalSeconds:0} s", fileName, arguments);
            }
        }
        throw StartFailure($"exited with code {process.ExitCode} before it answered", fileName, arguments);
    }

    /// <summary>Runs a preparing command (initdb, chown, ...) to its end and returns its stdout.</summary>
    protected async Task<string> RunAsync(string fileName, IEnumerable<string> arguments)
    {
        using var process = Launch(fileName, arguments);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(StartTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.StandardInput.Close(); // the watchdog stops the command
            await process.WaitForExitAsync();
            throw StartFailure($"ran longer than {StartTimeout.TotalSeconds:0} s", fileName, arguments);
        }
        AppendOutput(await stdout);
        AppendOutput(await stderr);
        return process.ExitCode == 0
            ? await stdout
            : throw StartFailure($"failed with exit code {process.ExitCode}", fileName, arguments);
    }

    protected static string NewPassword() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    // Every command runs behind the watchdog, which stops it and deletes the work directory when its stdin,
    // a pipe from this run, closes: on disposal, or when the run ends however it ends.
    Process Launch(string fileName, IEnumerable<string> arguments)
    {
        var startInfo = new ProcessStartInfo("bash", [WatchdogScript, WorkDirectory, fileName, .. arguments])
        {
            WorkingDirectory = WorkDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in ProcessEnvironment)
        {
            startInfo.Environment[name] = value;
        }
        return Process.Start(startInfo) ?? throw new InvalidOperationException($"{Name}: could not start {fileName}");
    }

    void AppendOutput(string? text)
    {
        lock (output)
        {
            output.AppendLine(text);
        }
    }

    InvalidOperationException StartFailure(string what, string fileName, IEnumerable<string> arguments)
    {
        var lastLines = Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(40);
        return new InvalidOperationException(
            $"{Name} {what}.{Environment.NewLine}" +
            $"Command: {fileName} {string.Join(' ', arguments)}{Environment.NewLine}" +
            $"Last output:{Environment.NewLine}{string.Join(Environment.NewLine, lastLines)}");
    }
}
