using Conference.Tests.Infrastructure;

namespace Conference.Tests.Deploy;

/// <summary>
/// deploy/upgrade.sh against a stand-in <c>docker</c> (no engine here) that pulls, starts and reports health per
/// version as each test tells it, and stand-ins for backup.sh and restore.sh (tested for real in
/// <see cref="BackupRestoreTests"/>) that record being run. Every path: success, pull fails, start fails, health
/// fails, backup fails, and rollbacks that put back an older (shorter) or newer (longer) upgrade.sh.
/// </summary>
public sealed class UpgradeScriptTests : IDisposable
{
    const string Env = "COMPOSE_PROJECT_NAME=conference\nCONFERENCE_VERSION=v1\nPOSTGRES_PASSWORD=kept-postgres\nRECORDER_INTERNAL_KEY=kept-recorder\n"
        + "LIVEKIT_API_SECRET=kept-livekit\nREDIS_PASSWORD=kept-redis\nBACKUP_PASSPHRASE=kept-passphrase\n";

    // What the stand-in does is decided per version by files beside it: fail-pull, fail-up and unhealthy name the
    // version that fails there. "running" holds the version the last "up" started.
    const string DockerStandIn = """
        #!/usr/bin/env bash
        here=$(dirname "$0")/..
        echo "docker $* [${CONFERENCE_VERSION:-}]" >> "$here/docker.log"
        [ "$1" = compose ] || exit 0
        is() { [ -f "$here/$1" ] && [ "$(cat "$here/$1")" = "$2" ]; }
        case $2 in
          pull) if is fail-pull "$CONFERENCE_VERSION"; then echo "manifest for conference-api:$CONFERENCE_VERSION not found" >&2; exit 1; fi ;;
          up) if is fail-up "$CONFERENCE_VERSION"; then echo "container conference-api-1 exited (139)" >&2; exit 1; fi
              echo "$CONFERENCE_VERSION" > "$here/running" ;;
          ps) if is unhealthy "$(cat "$here/running")"; then echo "api running unhealthy"; else echo "api running healthy"; fi
              echo "aspire-dashboard running" ;;
        esac
        exit 0
        """;

    readonly DeployDirectory host = new("conference", "recorder");

    public UpgradeScriptTests()
    {
        host.WriteExecutable("bin/docker", DockerStandIn);
        host.WriteExecutable("backup.sh", """
            #!/usr/bin/env bash
            cd "$(dirname "$0")"
            echo "backup.sh $*" >> docker.log
            if [ -f fail-backup ]; then echo "backup.sh: copying to the bucket failed" >&2; exit 1; fi
            mkdir -p backups && echo conference-20260101T000000Z.tar > backups/latest
            """);
        host.WriteExecutable("restore.sh", """
            #!/usr/bin/env bash
            cd "$(dirname "$0")"
            echo "restore.sh $*" >> docker.log
            """);
        File.WriteAllText(Path.Combine(host.Path, "running"), "v1");
    }

    string EnvFile => Path.Combine(host.Path, ".env");

    [Fact]
    public async Task An_upgrade_pulls_backs_up_starts_waits_and_only_then_writes_the_version()
    {
        File.WriteAllText(EnvFile, Env);

        var (exitCode, output) = await UpgradeAsync("v2");

        Assert.True(exitCode == 0, output);
        Assert.Equal(Env.Replace("CONFERENCE_VERSION=v1", "CONFERENCE_VERSION=v2", StringComparison.Ordinal), File.ReadAllText(EnvFile));
        Assert.Equal(["docker compose pull --quiet [v2]", "backup.sh --quiesce", "docker compose up --detach --remove-orphans [v2]", "docker compose ps --all --format {{.Service}} {{.State}} {{.Health}} [v2]"],
            Calls());
        Assert.Contains("v2 is running (was v1)", output);
        var log = File.ReadAllText(Path.Combine(host.Path, "upgrade.log"));
        Assert.Matches(@"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ upgrade\.sh: v2 is running \(was v1\)", log);
    }

    [Fact]
    public async Task A_healthy_release_schedules_the_nightly_backup_once_and_keeps_other_cron_lines()
    {
        File.WriteAllText(EnvFile, Env);
        File.WriteAllText(Path.Combine(host.Path, "crontab.txt"), "0 * * * * /usr/local/bin/something-else\n");

        var (first, output) = await UpgradeAsync("v2");
        var (second, again) = await UpgradeAsync("v3");

        Assert.True(first == 0 && second == 0, output + again);
        var lines = File.ReadAllLines(Path.Combine(host.Path, "crontab.txt"));
        Assert.Equal(["0 * * * * /usr/local/bin/something-else", $"17 3 * * * cd {host.Path} && ./backup.sh >> backups/backup.log 2>&1"], lines);
        Assert.Contains("scheduled the nightly backup", output);
        Assert.DoesNotContain("scheduled", again);
    }

    [Fact]
    public async Task An_upgrade_generates_a_secret_new_in_the_release_and_keeps_the_others()
    {
        // A .env from before the recorder had its internal key, written by hand: no newline at its end, one secret
        // exported, one with spaces around "=", one left empty.
        File.WriteAllText(EnvFile, "CONFERENCE_VERSION=v1\nexport POSTGRES_PASSWORD=kept-postgres\nREDIS_PASSWORD = kept-redis\n"
            + "LIVEKIT_API_SECRET=\nSTORAGE_ACCESS_KEY=kept-storage");

        var (exitCode, output) = await UpgradeAsync("v2");

        Assert.True(exitCode == 0, output);
        var lines = File.ReadAllLines(EnvFile);
        Assert.Contains("STORAGE_ACCESS_KEY=kept-storage", lines);
        Assert.Contains("export POSTGRES_PASSWORD=kept-postgres", lines);
        Assert.Contains("REDIS_PASSWORD = kept-redis", lines);
        Assert.Single(lines, line => line.Contains("POSTGRES_PASSWORD", StringComparison.Ordinal));
        Assert.Single(lines, line => line.Contains("REDIS_PASSWORD", StringComparison.Ordinal));
        Assert.Matches("^[0-9a-f]{64}$", Assert.Single(lines, line => line.StartsWith("RECORDER_INTERNAL_KEY=", StringComparison.Ordinal))["RECORDER_INTERNAL_KEY=".Length..]);
        Assert.Matches("^[0-9a-f]{64}$", Assert.Single(lines, line => line.StartsWith("LIVEKIT_API_SECRET", StringComparison.Ordinal))["LIVEKIT_API_SECRET=".Length..]);
        Assert.Contains("generated RECORDER_INTERNAL_KEY", output);
        Assert.Contains("CONFERENCE_VERSION=v2", lines);
        // Secrets only the operator can give (storage keys from Oracle) are not invented.
        Assert.DoesNotContain(lines, line => line.StartsWith("STORAGE_SECRET_KEY", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_second_upgrade_changes_no_secret()
    {
        File.WriteAllText(EnvFile, "CONFERENCE_VERSION=v1\nPOSTGRES_PASSWORD=kept-postgres\n");
        var (first, output) = await UpgradeAsync("v2");
        Assert.True(first == 0, output);
        var before = File.ReadAllText(EnvFile);

        var (second, again) = await UpgradeAsync("v3");

        Assert.True(second == 0, again);
        Assert.DoesNotContain("generated", again);
        Assert.Equal(before.Replace("CONFERENCE_VERSION=v2", "CONFERENCE_VERSION=v3", StringComparison.Ordinal), File.ReadAllText(EnvFile));
    }

    [Fact]
    public async Task A_failed_pull_changes_nothing_and_fails()
    {
        // .env lacks a secret the release brings: even so it is not written before the images are here.
        var env = "CONFERENCE_VERSION=v1\nPOSTGRES_PASSWORD=kept-postgres\n";
        File.WriteAllText(EnvFile, env);
        File.WriteAllText(Path.Combine(host.Path, "fail-pull"), "v2");

        var (exitCode, output) = await UpgradeAsync("v2");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("pulling v2 failed; nothing was changed, v1 keeps running", output);
        // The two causes a first install meets: compose's own error is above it.
        Assert.Contains("a missing image (is v2 released?), or a setting .env lacks", output);
        Assert.Equal(env, File.ReadAllText(EnvFile));
        Assert.Equal(["docker compose pull --quiet [v2]"], Calls());
    }

    [Fact]
    public async Task A_failed_backup_changes_nothing_and_fails()
    {
        File.WriteAllText(EnvFile, Env);
        File.WriteAllText(Path.Combine(host.Path, "fail-backup"), "");

        var (exitCode, output) = await UpgradeAsync("v2");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("the backup before the upgrade failed", output);
        Assert.Equal(Env, File.ReadAllText(EnvFile));
        Assert.DoesNotContain(Calls(), call => call.Contains("up --detach", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("fail-up")]
    [InlineData("unhealthy")]
    public async Task A_release_that_does_not_start_healthy_is_rolled_back_with_its_database_and_fails(string failure)
    {
        File.WriteAllText(EnvFile, Env);
        File.WriteAllText(Path.Combine(host.Path, failure), "v2");

        var (exitCode, output) = await UpgradeAsync("v2");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("rolling back to v1", output);
        Assert.Contains("rolled back; v1 is running again", output);
        Assert.Equal(Env, File.ReadAllText(EnvFile));
        Assert.Equal("v1", File.ReadAllText(Path.Combine(host.Path, "running")).Trim());
        var calls = Calls();
        var restore = calls.IndexOf("restore.sh --no-start backups/conference-20260101T000000Z.tar");
        Assert.True(restore > calls.IndexOf("docker compose stop api recorder [v2]"), string.Join('\n', calls));
        Assert.True(restore < calls.IndexOf("docker compose up --detach --remove-orphans [v1]"), string.Join('\n', calls));
    }

    [Fact]
    public async Task A_secret_generated_for_a_release_that_is_rolled_back_is_kept_with_the_old_version()
    {
        // The backup before the upgrade encrypts .env with BACKUP_PASSPHRASE: it must be written down even if the
        // release that brought it does not stay.
        var env = Env.Replace("BACKUP_PASSPHRASE=kept-passphrase\n", "", StringComparison.Ordinal);
        File.WriteAllText(EnvFile, env);
        File.WriteAllText(Path.Combine(host.Path, "unhealthy"), "v2");

        var (exitCode, output) = await UpgradeAsync("v2");

        Assert.NotEqual(0, exitCode);
        var lines = File.ReadAllLines(EnvFile);
        Assert.Contains("CONFERENCE_VERSION=v1", lines);
        Assert.Matches("^BACKUP_PASSPHRASE=[0-9a-f]{64}$", Assert.Single(lines, line => line.StartsWith("BACKUP_PASSPHRASE", StringComparison.Ordinal)));
        var calls = Calls();
        Assert.True(calls.IndexOf("backup.sh --quiesce") > calls.IndexOf("docker compose pull --quiet [v2]"), output);
    }

    [Fact]
    public async Task A_first_start_schedules_a_nightly_backup_whose_log_has_a_folder_to_go_to()
    {
        // A first start takes no backup, so nothing else has made backups/ when cron first runs the line.
        File.WriteAllText(EnvFile, "POSTGRES_PASSWORD=x\n");

        var (exitCode, output) = await UpgradeAsync("v1");

        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain(Calls(), call => call.StartsWith("backup.sh", StringComparison.Ordinal));
        // The command of the crontab line (after its five time fields), run as cron runs it: a shell.
        var line = Assert.Single(File.ReadAllLines(Path.Combine(host.Path, "crontab.txt")));
        host.WriteExecutable("nightly.sh", "#!/usr/bin/env bash\n" + string.Join(' ', line.Split(' ').Skip(5)) + "\n");
        var (nightly, nightlyOutput) = await host.RunAsync("nightly.sh", []);
        Assert.True(nightly == 0, nightlyOutput);
        Assert.Contains(Calls(), call => call.StartsWith("backup.sh", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(host.Path, "backups", "backup.log")));
    }

    [Fact]
    public async Task A_first_start_that_is_not_healthy_fails_without_a_backup_or_a_rollback()
    {
        File.WriteAllText(EnvFile, "POSTGRES_PASSWORD=x\n");
        File.WriteAllText(Path.Combine(host.Path, "unhealthy"), "v1");

        var (exitCode, output) = await UpgradeAsync("v1");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("no other release to go back to", output);
        Assert.DoesNotContain(Calls(), call => call.StartsWith("backup.sh", StringComparison.Ordinal));
        Assert.DoesNotContain("CONFERENCE_VERSION", File.ReadAllText(EnvFile));
        Assert.Contains("BACKUP_PASSPHRASE=", File.ReadAllText(EnvFile));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_rollback_that_puts_back_another_upgrade_sh_does_not_run_any_of_it(bool longer)
    {
        File.WriteAllText(EnvFile, Env);
        File.WriteAllText(Path.Combine(host.Path, "unhealthy"), "v2");
        // The release that ran before had a shorter script (one that would exit 0), or a longer one whose bytes
        // at this script's offsets are the middle of a command.
        var previous = longer
            ? "#!/usr/bin/env bash\n" + string.Concat(Enumerable.Range(0, 400).Select(i => $"# an older release's long explanation, line {i}\n"))
              + string.Concat(Enumerable.Range(0, 400).Select(i => $"echo FRAGMENT {i}; exit 0\n"))
            : "#!/usr/bin/env bash\necho FRAGMENT; exit 0\n";
        Directory.CreateDirectory(Path.Combine(host.Path, ".previous"));
        File.WriteAllText(Path.Combine(host.Path, ".previous", "upgrade.sh"), previous);

        var (exitCode, output) = await UpgradeAsync("v2");

        Assert.Equal(1, exitCode);
        Assert.DoesNotContain("FRAGMENT", output);
        Assert.DoesNotContain("command not found", output);
        Assert.Contains("rolled back; v1 is running again", output);
        Assert.Equal(previous, File.ReadAllText(Path.Combine(host.Path, "upgrade.sh")));
    }

    [Fact]
    public async Task A_version_that_is_not_an_image_tag_is_refused()
    {
        File.WriteAllText(EnvFile, Env);
        var (exitCode, output) = await UpgradeAsync("v2; rm -rf /");
        Assert.NotEqual(0, exitCode);
        Assert.Contains("usage: upgrade.sh VERSION", output);
        Assert.Empty(Calls());
    }

    List<string> Calls() => host.DockerCalls().Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();

    Task<(int ExitCode, string Output)> UpgradeAsync(string version)
    {
        File.Delete(Path.Combine(host.Path, "docker.log"));
        return host.RunAsync("upgrade.sh", [version], new() { ["UPGRADE_HEALTH_TIMEOUT"] = "0" });
    }

    public void Dispose() => host.Dispose();
}
