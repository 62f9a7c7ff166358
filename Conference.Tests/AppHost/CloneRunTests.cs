using System.Diagnostics;
using System.Runtime.Versioning;
using Conference.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Conference.Tests.AppHost;

/// <summary>
/// A fresh clone in the home directory, in a directory only its owner may enter (as root's home is on most
/// servers), started with nothing but the README's command: it builds, every part starts, and the site works in
/// Chromium through Caddy. The clone is of HEAD, so uncommitted changes are not in it. It costs a whole Debug
/// build of the AppHost's projects (about a minute on a quiet 2-core machine), which is part of what it checks:
/// a fresh clone builds (npm ci and the call module's bundle included).
/// </summary>
[Collection(nameof(CloneRunCollection))]
[SupportedOSPlatform("linux")]
public sealed class CloneRunTests
{
    /// <summary>Bounds a build and start that fail; on a quiet machine both take about a minute and a half.</summary>
    static readonly TimeSpan GiveUpAfter = TimeSpan.FromMinutes(8);

    [Fact]
    public async Task A_clone_in_a_home_directory_only_its_owner_may_enter_runs_with_the_README_command()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var clone = Path.Combine(home, $"conference-clone-{Guid.NewGuid():N}");
        Directory.CreateDirectory(clone, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string? movedPostgresData = null;
        try
        {
            var head = (await GitAsync(LocalMachine.RepositoryRoot, "rev-parse", "HEAD")).Trim();
            await GitAsync(home, "clone", "--quiet", "--no-checkout", LocalMachine.RepositoryRoot, clone);
            await GitAsync(clone, "checkout", "--quiet", "--detach", head);

            await using (var run = AppHostRun.Start(clone, clone, buildOptions: [], arguments: []))
            {
                var site = await run.WaitForSiteAsync(GiveUpAfter);
                movedPostgresData = run.MovedPostgresData;

                await using var browser = await SiteBrowser.LaunchAsync(site);
                var page = await browser.NewPageAsync();
                var document = await page.GotoAsync("");
                Assert.Contains("camera=(self)", await document.HeaderValueAsync("permissions-policy")); // through Caddy
                await page.ExpectLoadedAsync();
                await page.WaitForCircuitAsync();
                await page.Page.GetByLabel("Meeting link or code").FillAsync("not a code");
                await page.Page.GetByRole(AriaRole.Button, new() { Name = "Join", Exact = true }).ClickAsync();
                await Assertions.Expect(page.Page.Locator("#meeting-code-error")).ToContainTextAsync("A code looks like abc-defg-hij");
                await page.ExpectNothingWrongAsync();

                if (Environment.UserName == "root")
                {
                    // The postgres user cannot enter the clone, so the cluster lives where it can, and the console says where.
                    Assert.StartsWith("/var/lib/conference/", movedPostgresData);
                }
            }

            var survivors = await LocalProcesses.WaitUntilNoneContainAsync(clone, TimeSpan.FromSeconds(30));
            Assert.Empty(survivors);
            if (movedPostgresData is not null)
            {
                Assert.Empty(await LocalProcesses.WaitUntilNoneContainAsync(movedPostgresData, TimeSpan.FromSeconds(30)));
            }
        }
        finally
        {
            if (Directory.Exists(clone))
            {
                Directory.Delete(clone, recursive: true);
            }
            // The clone's own cluster (/var/lib/conference/ID/postgres and the file naming its checkout).
            if (movedPostgresData is not null && Path.GetDirectoryName(movedPostgresData) is { } clusterHome && Directory.Exists(clusterHome))
            {
                Directory.Delete(clusterHome, recursive: true);
                // And the shared folder, unless another checkout keeps its cluster there.
                if (Path.GetDirectoryName(clusterHome) is { } shared && !Directory.EnumerateFileSystemEntries(shared).Any())
                {
                    Directory.Delete(shared);
                }
            }
        }
    }

    static async Task<string> GitAsync(string directory, params string[] arguments)
    {
        using var git = Process.Start(new ProcessStartInfo("git", arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = git.StandardOutput.ReadToEndAsync();
        var error = git.StandardError.ReadToEndAsync();
        await git.WaitForExitAsync();
        Assert.True(git.ExitCode == 0, $"git {string.Join(' ', arguments)} failed: {await error}");
        return await output;
    }
}

/// <summary>Runs alone: a build and a whole stack on 2 cores.</summary>
[CollectionDefinition(nameof(CloneRunCollection), DisableParallelization = true)]
public sealed class CloneRunCollection;
