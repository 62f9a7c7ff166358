using Conference.AppHost.Diagnostics;
using Conference.Tests.Infrastructure;

namespace Conference.Tests.AppHost;

/// <summary>
/// When a part of the stack fails, the README's run command says on its console which part, why (its last log
/// lines), and who waits for it; not only the dashboard does. Two real failures in one run: PostgreSQL exits (a
/// data directory with a PG_VERSION file but no configuration), and Redis fails before it starts (its data
/// directory's name is taken by a file).
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
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";

        await using (var run = AppHostRun.Start(LocalMachine.RepositoryRoot, dataDirectory, ["--no-build", "-c", configuration],
            ["--Conference:Runtime=Processes", $"--Conference:DataDirectory={dataDirectory}"]))
        {
            await run.WaitForConsoleAsync(GiveUpAfter,
                "postgres exited with code",
                "postgresql.conf", // postgres' own words
                "api, recorder and web wait for it",
                "redis failed to start",
                $"{Path.Combine(dataDirectory, "redis")}' already exists", // the exception's message, not its stack
                "fix the cause, then restart");
            Assert.DoesNotContain("   at Conference.AppHost", run.Console);
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

/// <summary>Runs alone: a whole AppHost on 2 cores.</summary>
[CollectionDefinition(nameof(FailedResourceReportCollection), DisableParallelization = true)]
public sealed class FailedResourceReportCollection;
