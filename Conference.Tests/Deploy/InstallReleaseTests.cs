using Conference.Tests.Infrastructure;

namespace Conference.Tests.Deploy;

/// <summary>
/// deploy/install-release.sh with a release tarball shaped as release.yml packs it, and the release workflow's
/// promises read from its text: both architectures, an anonymous pull check, the tarball on the release, no
/// registry login on the host.
/// </summary>
public sealed class InstallReleaseTests : IDisposable
{
    readonly DeployDirectory host = new("conference");

    [Fact]
    public async Task Installing_keeps_the_running_release_in_previous_leaves_env_and_backups_alone_and_runs_the_new_upgrade()
    {
        File.WriteAllText(Path.Combine(host.Path, ".env"), "CONFERENCE_VERSION=v1\n");
        File.WriteAllText(Path.Combine(host.Path, "docker-compose.yml"), "old compose\n");
        File.WriteAllText(Path.Combine(host.Path, "upgrade.log"), "old log\n");
        Directory.CreateDirectory(Path.Combine(host.Path, "backups"));
        File.WriteAllText(Path.Combine(host.Path, "backups", "latest"), "conference-20260101T000000Z.tar\n");
        var tarball = host.WriteRelease("v2", "", new()
        {
            ["docker-compose.yml"] = "new compose\n",
            ["install-release.sh"] = File.ReadAllText(Path.Combine(LocalMachine.RepositoryRoot, "deploy", "install-release.sh")),
            // The new release's upgrade.sh records how it was run.
            ["upgrade.sh"] = "#!/usr/bin/env bash\ncd \"$(dirname \"$0\")\"\necho \"upgrade.sh $*\" > upgraded\n",
        });

        var (exitCode, output) = await host.RunAsync("install-release.sh", [tarball]);

        Assert.True(exitCode == 0, output);
        Assert.Equal("upgrade.sh v2\n", File.ReadAllText(Path.Combine(host.Path, "upgraded")));
        Assert.Equal("new compose\n", File.ReadAllText(Path.Combine(host.Path, "docker-compose.yml")));
        Assert.Equal("old compose\n", File.ReadAllText(Path.Combine(host.Path, ".previous", "docker-compose.yml")));
        Assert.Equal("CONFERENCE_VERSION=v1\n", File.ReadAllText(Path.Combine(host.Path, ".env")));
        Assert.Equal("old log\n", File.ReadAllText(Path.Combine(host.Path, "upgrade.log")));
        Assert.False(File.Exists(Path.Combine(host.Path, ".previous", ".env")));
        Assert.False(Directory.Exists(Path.Combine(host.Path, ".previous", "backups")));
        Assert.Contains("upgrade.sh", File.ReadAllLines(Path.Combine(host.Path, ".release-files")));
    }

    [Fact]
    public async Task Something_that_is_not_a_release_is_refused_before_anything_changes()
    {
        File.WriteAllText(Path.Combine(host.Path, "docker-compose.yml"), "old compose\n");
        var notARelease = Path.Combine(host.Path, "photo.tar.gz");
        File.WriteAllBytes(notARelease, [1, 2, 3]);

        var (exitCode, output) = await host.RunAsync("install-release.sh", [notARelease]);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("is not a release of this deployment", output);
        Assert.Equal("old compose\n", File.ReadAllText(Path.Combine(host.Path, "docker-compose.yml")));
        Assert.False(Directory.Exists(Path.Combine(host.Path, ".previous")));
    }

    [Fact]
    public void The_release_workflow_publishes_both_architectures_publicly_and_never_logs_the_host_in()
    {
        var workflows = Path.Combine(LocalMachine.RepositoryRoot, ".github", "workflows");
        var release = File.ReadAllText(Path.Combine(workflows, "release.yml"));
        Assert.Contains("ContainerRuntimeIdentifiers=\"linux-arm64%3Blinux-x64\"", release);
        foreach (var project in new[] { "Api", "Web", "Recorder" })
        {
            Assert.Contains(project, release);
        }
        // The anonymous pull check asks GHCR for an anonymous token and both architectures in the index.
        Assert.Contains("https://ghcr.io/token?scope=repository:$repository:pull", release);
        Assert.Contains("for arch in arm64 amd64", release);
        Assert.Contains("gh release create", release);
        // The TURN Caddyfile is validated by the layer-4 image before the release exists (no caddy-l4 here).
        var validate = release.IndexOf("\"ghcr.io/$owner/conference-caddy-l4:$GITHUB_REF_NAME\" caddy validate --config /etc/caddy/Caddyfile --adapter caddyfile", StringComparison.Ordinal);
        Assert.True(validate > 0 && validate < release.IndexOf("gh release create", StringComparison.Ordinal));
        Assert.Contains("$PWD/dist/conference-deploy-turn-$GITHUB_REF_NAME/Caddyfile:/etc/caddy/Caddyfile:ro", release);
        // Both deployments are attached: the plain one and the one published with TURN on 443 (docs/deploy.md
        // section 5), so an operator needs no SDK for either; the deploy job installs the one DEPLOY_TURN names.
        Assert.Contains("pack \"conference-deploy-$GITHUB_REF_NAME\"\n", release);
        Assert.Contains("pack \"conference-deploy-turn-$GITHUB_REF_NAME\" --Conference:Turn=true\n", release);
        Assert.Contains("dist/conference-deploy-*.tar.gz dist/conference-deploy-*.tar.gz.sha256", release);
        Assert.Contains("conference-deploy-${{ vars.DEPLOY_TURN == 'true' && 'turn-' || '' }}${{ github.ref_name }}.tar.gz", release);
        // No workflow runs docker login over SSH on the host.
        foreach (var workflow in Directory.GetFiles(workflows, "*.yml"))
        {
            Assert.DoesNotMatch(@"ssh[^\n]*docker login", File.ReadAllText(workflow));
        }
    }

    public void Dispose() => host.Dispose();
}
