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
    // version that fails there; unhealthy-config holds a line that makes what "up" starts unhealthy when
    // docker-compose.yml or .env contains it (a setting or layout that does not work). "running" holds the version
    // the last "up" started, "running-unhealthy" exists when it started a configuration that does not work.
    const string DockerStandIn = """
        #!/usr/bin/env bash
        here=$(dirname "$0")/..
        echo "docker $* [${CONFERENCE_VERSION:-}]" >> "$here/docker.log"
        [ "$1" = compose ] || exit 0
        is() { [ -f "$here/$1" ] && [ "$(cat "$here/$1")" = "$2" ]; }
        case $2 in
          pull) if is fail-pull "$CONFERENCE_VERSION"; then echo "manifest for conference-api:$CONFERENCE_VERSION not found" >&2; exit 1; fi ;;
          up) if is fail-up "$CONFERENCE_VERSION"; then echo "container conference-api-1 exited (139)" >&2; exit 1; fi
              echo "$CONFERENCE_VERSION" > "$here/running"
              if [ -f "$here/unhealthy-config" ] && cat "$here/docker-compose.yml" "$here/.env" 2>/dev/null | grep -qxF -f "$here/unhealthy-config"; then
                touch "$here/running-unhealthy"
              else
                rm -f "$here/running-unhealthy"
              fi ;;
          ps) if is unhealthy "$(cat "$here/running")" || [ -f "$here/running-unhealthy" ]; then echo "api running unhealthy"; else echo "api running healthy"; fi
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
    public async Task Switching_to_the_TURN_layout_at_the_same_version_backs_up_pulls_starts_and_keeps_it_when_healthy()
    {
        await RunningHealthyAsync("v1", "plain layout");
        var tarball = host.WriteRelease("v1", "turn", ReleaseFiles("turn layout"));

        var (exitCode, output) = await host.RunAsync("install-release.sh", [tarball], Fast);

        Assert.True(exitCode == 0, output);
        Assert.Equal(["docker compose pull --quiet [v1]", "backup.sh --quiesce", "docker compose up --detach --remove-orphans [v1]", "docker compose ps --all --format {{.Service}} {{.State}} {{.Health}} [v1]"],
            Calls());
        Assert.Equal("turn layout\n", File.ReadAllText(Path.Combine(host.Path, "docker-compose.yml")));
        Assert.Equal(Env, File.ReadAllText(EnvFile));
        Assert.Equal(Env, File.ReadAllText(Path.Combine(host.Path, ".env.healthy")));
        // The plain layout's files were needed only until the TURN one ran healthy.
        Assert.False(Directory.Exists(Path.Combine(host.Path, ".previous")));
        Assert.Contains("v1 is running (was v1)", File.ReadAllText(Path.Combine(host.Path, "upgrade.log")));
    }

    [Fact]
    public async Task A_same_version_switch_that_is_not_healthy_puts_back_the_previous_files_and_env_keeps_the_database_and_fails()
    {
        await RunningHealthyAsync("v1", "plain layout");
        // The operator edits .env for the new layout (the edit is what breaks it) and installs the TURN tarball.
        var edited = Env + "TURN_SETTING=does-not-work\n";
        File.WriteAllText(EnvFile, edited);
        File.WriteAllText(Path.Combine(host.Path, "unhealthy-config"), "TURN_SETTING=does-not-work\n");
        var tarball = host.WriteRelease("v1", "turn", ReleaseFiles("turn layout"));

        var (exitCode, output) = await host.RunAsync("install-release.sh", [tarball], Fast);

        Assert.Equal(1, exitCode);
        Assert.Contains("rolling back to v1 as it ran before", output);
        Assert.Contains("rolled back; v1 is running again", output);
        Assert.Equal("plain layout\n", File.ReadAllText(Path.Combine(host.Path, "docker-compose.yml")));
        Assert.Equal(Env, File.ReadAllText(EnvFile));
        Assert.Equal(edited, File.ReadAllText(Path.Combine(host.Path, ".env.failed")));
        Assert.Equal("v1", File.ReadAllText(Path.Combine(host.Path, "running")).Trim());
        Assert.False(File.Exists(Path.Combine(host.Path, "running-unhealthy")));
        var calls = Calls();
        Assert.Equal(["docker compose pull --quiet [v1]", "backup.sh --quiesce", "docker compose up --detach --remove-orphans [v1]"], calls.Take(3));
        Assert.Equal("docker compose up --detach --remove-orphans [v1]", calls[^2]);
        // The same release migrated nothing: what was written meanwhile stays.
        Assert.DoesNotContain(calls, call => call.StartsWith("restore.sh", StringComparison.Ordinal) || call.Contains("stop api", StringComparison.Ordinal));
        var log = File.ReadAllText(Path.Combine(host.Path, "upgrade.log"));
        Assert.Contains("v1 is running (was nothing)", log);
        Assert.Contains("put back the previous release's files", log);
        Assert.Contains("rolled back; v1 is running again", log);
        // The replaced files are gone once put back: a later change at v1 cannot put them back a second time.
        Assert.False(Directory.Exists(Path.Combine(host.Path, ".previous")));
    }

    [Fact]
    public async Task A_change_to_env_applied_without_a_version_runs_the_same_version_and_is_rolled_back_when_not_healthy()
    {
        await RunningHealthyAsync("v1", "plain layout");
        // A release installed earlier left files in .previous/ under an older upgrade.sh; they are not this change's.
        Directory.CreateDirectory(Path.Combine(host.Path, ".previous"));
        File.WriteAllText(Path.Combine(host.Path, ".previous", "docker-compose.yml"), "an older release's layout\n");
        File.SetLastWriteTimeUtc(Path.Combine(host.Path, ".previous"), DateTime.UtcNow.AddDays(-30));
        var edited = Env.Replace("REDIS_PASSWORD=kept-redis", "REDIS_PASSWORD=does-not-work", StringComparison.Ordinal);
        File.WriteAllText(EnvFile, edited);
        File.WriteAllText(Path.Combine(host.Path, "unhealthy-config"), "REDIS_PASSWORD=does-not-work\n");

        var (exitCode, output) = await UpgradeAsync(null);

        Assert.Equal(1, exitCode);
        Assert.Contains("rolled back; v1 is running again", output);
        Assert.Equal(Env, File.ReadAllText(EnvFile));
        Assert.Equal(edited, File.ReadAllText(Path.Combine(host.Path, ".env.failed")));
        Assert.Equal("plain layout\n", File.ReadAllText(Path.Combine(host.Path, "docker-compose.yml")));
        Assert.Contains("docker compose pull --quiet [v1]", Calls());
        Assert.Contains("backup.sh --quiesce", Calls());

        // Fixed, the same command applies it.
        File.WriteAllText(EnvFile, Env.Replace("REDIS_PASSWORD=kept-redis", "REDIS_PASSWORD=rotated", StringComparison.Ordinal));
        var (fixedExitCode, fixedOutput) = await UpgradeAsync(null);
        Assert.True(fixedExitCode == 0, fixedOutput);
        Assert.Contains("REDIS_PASSWORD=rotated", File.ReadAllText(Path.Combine(host.Path, ".env.healthy")));
    }

    [Fact]
    public async Task A_rolled_back_change_keeps_the_backup_passphrase_its_backup_is_encrypted_with()
    {
        await RunningHealthyAsync("v1", "plain layout");
        var edited = Env.Replace("BACKUP_PASSPHRASE=kept-passphrase", "BACKUP_PASSPHRASE=new-passphrase", StringComparison.Ordinal) + "BROKEN=yes\n";
        File.WriteAllText(EnvFile, edited);
        File.WriteAllText(Path.Combine(host.Path, "unhealthy-config"), "BROKEN=yes\n");

        var (exitCode, output) = await UpgradeAsync("v1");

        Assert.Equal(1, exitCode);
        Assert.Equal(Env.Replace("BACKUP_PASSPHRASE=kept-passphrase", "BACKUP_PASSPHRASE=new-passphrase", StringComparison.Ordinal), File.ReadAllText(EnvFile));
    }

    [Fact]
    public async Task Without_a_version_and_with_none_running_it_asks_for_one()
    {
        File.WriteAllText(EnvFile, "POSTGRES_PASSWORD=x\n");
        var (exitCode, output) = await UpgradeAsync(null);
        Assert.NotEqual(0, exitCode);
        Assert.Contains("usage: upgrade.sh [VERSION]", output);
        Assert.Empty(Calls());
    }

    [Fact]
    public async Task A_version_that_is_not_an_image_tag_is_refused()
    {
        File.WriteAllText(EnvFile, Env);
        var (exitCode, output) = await UpgradeAsync("v2; rm -rf /");
        Assert.NotEqual(0, exitCode);
        Assert.Contains("usage: upgrade.sh [VERSION]", output);
        Assert.Empty(Calls());
    }

    static Dictionary<string, string> Fast => new() { ["UPGRADE_HEALTH_TIMEOUT"] = "0" };

    List<string> Calls() => host.DockerCalls().Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();

    Task<(int ExitCode, string Output)> UpgradeAsync(string? version)
    {
        File.Delete(Path.Combine(host.Path, "docker.log"));
        return host.RunAsync("upgrade.sh", version is null ? [] : [version], Fast);
    }

    /// <summary>The host after a healthy first start of VERSION with the given compose file (so .env.healthy exists); the docker log emptied.</summary>
    async Task RunningHealthyAsync(string version, string compose)
    {
        File.WriteAllText(Path.Combine(host.Path, "docker-compose.yml"), compose + "\n");
        // As .env.example has it: the version empty until upgrade.sh writes it.
        File.WriteAllText(EnvFile, Env.Replace("CONFERENCE_VERSION=v1\n", "CONFERENCE_VERSION=\n", StringComparison.Ordinal));
        var (exitCode, output) = await UpgradeAsync(version);
        Assert.True(exitCode == 0 && File.ReadAllText(EnvFile) == Env, output);
        File.Delete(Path.Combine(host.Path, "docker.log"));
    }

    /// <summary>A release's files with this repository's scripts (the stand-in backup.sh and restore.sh kept) and the given compose file.</summary>
    Dictionary<string, string> ReleaseFiles(string compose) => new()
    {
        ["docker-compose.yml"] = compose + "\n",
        ["upgrade.sh"] = File.ReadAllText(Path.Combine(host.Path, "upgrade.sh")),
        ["install-release.sh"] = File.ReadAllText(Path.Combine(host.Path, "install-release.sh")),
        ["backup.sh"] = File.ReadAllText(Path.Combine(host.Path, "backup.sh")),
        ["restore.sh"] = File.ReadAllText(Path.Combine(host.Path, "restore.sh")),
    };

    public void Dispose() => host.Dispose();
}
