using Aspire.Hosting.ApplicationModel;
using Conference.AppHost.Diagnostics;
using Conference.Tests.Infrastructure;

namespace Conference.Tests.AppHost;

/// <summary>
/// When a part of the stack fails, the README's run command says on its console which part, why (its last log
/// lines), and who waits for it; not only the dashboard does. Three failures in one run: PostgreSQL exits (a
/// data directory with a PG_VERSION file but no configuration), Redis fails before it starts (its data
/// directory's name is taken by a file), and a livekit-server on PATH ends by itself with exit code 0.
/// </summary>
[Collection(nameof(FailedResourceReportCollection))]
public sealed class FailedResourceReportTests
{
    /// <summary>Bounds a run that never says it; a quiet machine says it within half a minute.</summary>
    static readonly TimeSpan GiveUpAfter = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task The_console_names_each_failed_resource_with_its_last_log_lines_and_who_waits_for_it()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("conference-failures-").FullName;
        Directory.CreateDirectory(Path.Combine(dataDirectory, "postgres"));
        await File.WriteAllTextAsync(Path.Combine(dataDirectory, "postgres", "PG_VERSION"), "15\n");
        await File.WriteAllTextAsync(Path.Combine(dataDirectory, "redis"), "not a directory\n");
        // A livekit-server that ends by itself with exit code 0, as LiveKit does on a SIGTERM from outside (a newcomer's
        // mid-run stop went unreported: only non-zero exits were).
        var bin = Directory.CreateDirectory(Path.Combine(dataDirectory, "bin")).FullName;
        var liveKit = Path.Combine(bin, "livekit-server");
        await File.WriteAllTextAsync(liveKit, "#!/bin/sh\necho \"starting LiveKit\"\nsleep 1\necho \"exit requested, shutting down\"\nexit 0\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(liveKit, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var path = $"{bin}{Path.PathSeparator}{Environment.GetEnvironmentVariable("PATH")}";
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";

        await using (var run = AppHostRun.Start(LocalMachine.RepositoryRoot, dataDirectory, ["--no-build", "-c", configuration],
            ["--Conference:Runtime=Processes", $"--Conference:DataDirectory={dataDirectory}"], new Dictionary<string, string> { ["PATH"] = path }))
        {
            await run.WaitForConsoleAsync(GiveUpAfter,
                "postgres exited with code",
                "postgresql.conf", // postgres' own words
                "api, recorder and web wait for it",
                "redis failed to start",
                $"{Path.Combine(dataDirectory, "redis")}' already exists", // the exception's message, not its stack
                "fix the cause, then restart",
                "livekit stopped by itself (exit code 0)",
                "exit requested, shutting down");
            Assert.DoesNotContain("   at Conference.AppHost", run.Console);
            // The process's own words end the report, not DCP's note of how it was started.
            Assert.DoesNotContain("[sys] Starting process", run.Console);
        }

        Assert.Empty(await LocalProcesses.WaitUntilNoneContainAsync(dataDirectory, TimeSpan.FromSeconds(30)));
        Directory.Delete(dataDirectory, recursive: true);
    }
}

/// <summary>
/// Who a failure holds up, in words: a newcomer who killed Redis mid-run read "api, recorder and web wait for it"
/// while they were serving on, degraded.
/// </summary>
public sealed class FailedResourceDependentsTests
{
    [Fact]
    public void Resources_not_started_wait_and_running_ones_carry_on_degraded()
    {
        Assert.Equal("", FailedResourceReporter.Dependents("redis", [], []));
        Assert.Contains("api, recorder and web wait for it: fix the cause, then restart redis",
            FailedResourceReporter.Dependents("redis", ["api", "recorder", "web"], []));
        var running = FailedResourceReporter.Dependents("redis", [], ["api", "recorder", "web"]);
        Assert.Contains("api, recorder and web run on without it, degraded, until it is back: fix the cause, then restart redis", running);
        Assert.DoesNotContain("wait", running);
        Assert.Contains("web runs on without it", FailedResourceReporter.Dependents("api", [], ["web"]));
        Assert.Contains("recorder waits for it, and api and web run on without it, degraded",
            FailedResourceReporter.Dependents("redis", ["recorder"], ["api", "web"]));
    }
}

/// <summary>Which states of a resource are failures the console reports.</summary>
public sealed class FailedResourceStateTests
{
    static CustomResourceSnapshot Snapshot(string state, int? exitCode) =>
        new() { ResourceType = "Executable", Properties = [], State = state, ExitCode = exitCode };

    [Fact]
    public void A_server_that_ends_by_itself_failed_even_with_exit_code_0_but_one_the_AppHost_stopped_did_not()
    {
        // A newcomer stopped LiveKit with SIGTERM mid-run: it ended with 0 and the console said nothing.
        Assert.Equal("stopped by itself (exit code 0), though it should run until the AppHost stops",
            FailedResourceReporter.Failure(Snapshot(KnownResourceStates.Finished, 0)));
        Assert.Equal("exited with code 1", FailedResourceReporter.Failure(Snapshot(KnownResourceStates.Finished, 1)));
        Assert.Equal("exited with code 137", FailedResourceReporter.Failure(Snapshot(KnownResourceStates.Exited, 137)));
        Assert.Equal("failed to start", FailedResourceReporter.Failure(Snapshot(KnownResourceStates.FailedToStart, null)));
        // The dashboard's Stop and Restart end in Finished with 0 too, after the AppHost said Stopping.
        Assert.Null(FailedResourceReporter.Failure(Snapshot(KnownResourceStates.Finished, 0), stoppedByAppHost: true));
        Assert.Equal("exited with code 137", FailedResourceReporter.Failure(Snapshot(KnownResourceStates.Finished, 137), stoppedByAppHost: true));
        Assert.Null(FailedResourceReporter.Failure(Snapshot(KnownResourceStates.Running, null)));
        Assert.Null(FailedResourceReporter.Failure(Snapshot(KnownResourceStates.Stopping, null)));
    }
}

/// <summary>Runs alone: a whole AppHost on 2 cores.</summary>
[CollectionDefinition(nameof(FailedResourceReportCollection), DisableParallelization = true)]
public sealed class FailedResourceReportCollection;
