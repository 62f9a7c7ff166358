using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Conference.Tests.Infrastructure;

/// <summary>
/// A real server run as a local process for tests, on a free loopback port and in a temp directory of its own.
/// Disposing it kills its whole process tree and deletes the directory; so does the test run's exit, for
/// servers a crashed fixture never disposed. Use it as an xunit fixture (it is an <see cref="IAsyncLifetime"/>)
/// or with <c>await using</c>.
/// </summary>
public abstract class LocalServer : IAsyncLifetime, IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private static readonly ConcurrentDictionary<LocalServer, byte> Running = new();

    private readonly StringBuilder _output = new();
    private Process? _process;

    static LocalServer() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var server in Running.Keys)
        {
            server.KillAndDeleteFiles();
        }
    };

    protected LocalServer(string name)
    {
        Name = name;
        WorkDirectory = Directory.CreateTempSubdirectory($"conference-{name}-").FullName;
    }

    /// <summary>The program's name, used in every message about this server.</summary>
    public string Name { get; }

    public int Port { get; } = LocalMachine.FreePort();

    public string WorkDirectory { get; }

    /// <summary>The id of the server's process (or of the runuser in front of it); kept after disposal.</summary>
    public int ProcessId { get; private set; }

    /// <summary>Everything the server's processes wrote to stdout and stderr, for diagnostics.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
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
            // xunit does not dispose a fixture whose start failed: clean up here so nothing is left behind.
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            try
            {
                await StopAsync();
            }
            catch (Exception)
            {
                // Whatever the polite stop did, the kill below makes sure.
            }
        }
        KillAndDeleteFiles();
    }

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

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
        _process = process;
        ProcessId = process.Id;
        Running[this] = 0;
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
                throw StartFailure($"did not answer within {StartTimeout.TotalSeconds:0} s", process.StartInfo);
            }
        }
        throw StartFailure($"exited with code {process.ExitCode} before it answered", process.StartInfo);
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
            process.Kill(entireProcessTree: true);
            throw StartFailure($"ran longer than {StartTimeout.TotalSeconds:0} s", process.StartInfo);
        }
        AppendOutput(await stdout);
        AppendOutput(await stderr);
        return process.ExitCode == 0
            ? await stdout
            : throw StartFailure($"failed with exit code {process.ExitCode}", process.StartInfo);
    }

    protected static string NewPassword() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private Process Launch(string fileName, IEnumerable<string> arguments)
    {
        var startInfo = new ProcessStartInfo(fileName, arguments)
        {
            WorkingDirectory = WorkDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in ProcessEnvironment)
        {
            startInfo.Environment[name] = value;
        }
        return Process.Start(startInfo) ?? throw new InvalidOperationException($"{Name}: could not start {fileName}");
    }

    private void AppendOutput(string? text)
    {
        lock (_output)
        {
            _output.AppendLine(text);
        }
    }

    private InvalidOperationException StartFailure(string what, ProcessStartInfo command)
    {
        var lastLines = Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(40);
        return new InvalidOperationException(
            $"{Name} {what}.{Environment.NewLine}" +
            $"Command: {command.FileName} {string.Join(' ', command.ArgumentList)}{Environment.NewLine}" +
            $"Last output:{Environment.NewLine}{string.Join(Environment.NewLine, lastLines)}");
    }

    private void KillAndDeleteFiles()
    {
        // Exchange: disposal and the run's exit may both get here.
        if (Interlocked.Exchange(ref _process, null) is { } process)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(StopTimeout);
            process.Dispose();
        }
        Running.TryRemove(this, out _);
        if (Directory.Exists(WorkDirectory))
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
    }
}
