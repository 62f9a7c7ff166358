using Conference.Tests.AppHost;
using Conference.Tests.Infrastructure;
using Conference.Tests.Web;
using Microsoft.Playwright;

namespace Conference.Tests.Journeys;

/// <summary>
/// The journeys share ONE run of the README's command, so they run one after another in this collection (and not
/// beside the other AppHost runs on 2 cores).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class JourneyCollection : ICollectionFixture<JourneyFixture>
{
    public const string Name = "Journeys";
}

/// <summary>
/// The product as people run it: <c>dotnet run --project Conference.AppHost</c> (Processes variant, as built for this
/// test run) with the LiveKit emulator found on PATH as <c>livekit-server</c> (its room timeouts shortened to
/// <see cref="RoomTimeout"/> by its test switch), s3rver as the recordings bucket through the
/// <c>storage-endpoint</c> parameter, and Debian's Chromium with a fake camera and microphone reaching the site
/// through Caddy, at the address the console gives. Each <see cref="NewPageAsync"/> is a fresh browser profile: one
/// person.
/// </summary>
public sealed class JourneyFixture : IAsyncLifetime, IOpensPages
{
    /// <summary>How long the emulator keeps an empty room (LiveKit's empty and departure timeouts).</summary>
    public static readonly TimeSpan RoomTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long the web keeps a disconnected Blazor circuit before evicting it (Blazor's default is 3 minutes, which the
    /// product keeps); short here so a journey can have a circuit evicted (CircuitLossJourneys), and long enough that a
    /// page cut off for a moment while the call moves on comes back to its own circuit (NetworkDropJourneys: ~10 s on
    /// a loaded machine, more than the 5 s this was).
    /// </summary>
    public static readonly TimeSpan CircuitRetention = TimeSpan.FromSeconds(20);

    /// <summary>Bounds a start that fails; a quiet machine is ready in about half a minute.</summary>
    static readonly TimeSpan GiveUpAfter = TimeSpan.FromMinutes(4);

    readonly string dataDirectory = Directory.CreateTempSubdirectory("conference-journeys-").FullName;
    readonly S3rverServer bucket = new();
    readonly SmtpCaptureServer mail = new();
    readonly int testControlPort = LocalMachine.FreePort();
    AppHostRun? run;
    SiteBrowser? browser;

    /// <summary>The site's front door (Caddy), as the console announced it.</summary>
    public Uri Site { get; private set; } = null!;

    /// <summary>The AppHost's console so far (its own log lines; what a person sees in the terminal).</summary>
    public string Console => run?.Console ?? "";

    /// <summary>Waits until the AppHost's console has said each of <paramref name="texts"/>; fails with its console otherwise.</summary>
    public Task WaitForConsoleAsync(TimeSpan timeout, params string[] texts) =>
        (run ?? throw new InvalidOperationException("The AppHost has not started.")).WaitForConsoleAsync(timeout, texts);

    /// <summary>The bucket recordings are uploaded to.</summary>
    public S3rverServer Bucket => bucket;

    /// <summary>The SMTP server the api sends through (named by the mail-* parameters, as an operator's would be).</summary>
    public SmtpCaptureServer Mail => mail;

    public async Task InitializeAsync()
    {
        await bucket.InitializeAsync();
        await mail.InitializeAsync();

        // livekit-server on PATH is the emulator, with its test switch for short room timeouts in front of the
        // arguments the AppHost gives the real binary.
        var bin = Directory.CreateDirectory(Path.Combine(dataDirectory, "bin")).FullName;
        var wrapper = Path.Combine(bin, "livekit-server");
        var emulator = Path.Combine(LocalMachine.RepositoryRoot, "tools", "livekit-emulator", "bin", "livekit-server");
        await File.WriteAllTextAsync(wrapper,
            $"#!/usr/bin/env bash\nexec '{emulator}' --room-timeouts-ms {(int)RoomTimeout.TotalMilliseconds} --test-control-port {testControlPort} \"$@\"\n");
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The journeys run the AppHost's Processes variant, on Linux.");
        }
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        run = AppHostRun.Start(LocalMachine.RepositoryRoot, dataDirectory, ["--no-build", "-c", configuration],
            [
                "--Conference:Runtime=Processes",
                $"--Conference:DataDirectory={dataDirectory}",
                $"--Parameters:storage-endpoint={bucket.Endpoint}",
                $"--Parameters:storage-bucket={bucket.Bucket}",
                // s3rver knows one key; without it every upload is refused ("The AWS Access Key Id you provided does not exist").
                $"--Parameters:storage-access-key={S3rverServer.AccessKey}",
                $"--Parameters:storage-secret-key={S3rverServer.SecretKey}",
                // Mail goes to the test's SMTP server, which keeps every message for the journeys to read.
                "--Parameters:mail-host=127.0.0.1",
                $"--Parameters:mail-port={mail.Port}",
                "--Parameters:mail-tls=None",
                "--Parameters:mail-user=conference",
                "--Parameters:mail-password=secret",
                "--Parameters:mail-from=Conference <meet@conference.test>",
            ],
            new Dictionary<string, string>
            {
                ["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}",
                // The web's Blazor:Circuit settings; the AppHost's processes inherit its environment.
                ["Blazor__Circuit__DisconnectedCircuitRetentionPeriod"] = CircuitRetention.ToString("c"),
            });
        Site = await run.WaitForSiteAsync(GiveUpAfter);
        browser = await SiteBrowser.LaunchAsync(Site);
        // The web tests' fixture sets this too; a run of the journeys alone must wait as long as a full run does.
        Assertions.SetDefaultExpectTimeout(30_000);
        await FirstAdmin.SignUpAsync(run, browser, Journey.PageLoad);
    }

    /// <summary>
    /// The emulator cuts <paramref name="identity"/>'s signalling socket in the call of meeting <paramref name="code"/>
    /// as a lost network would (its test control; see <see cref="LiveKitEmulator.DropSignalAsync(string, string, TimeSpan?, bool)"/>).
    /// </summary>
    public Task<string> DropSignalAsync(string code, string identity, TimeSpan? offline = null, bool forget = false) =>
        LiveKitEmulator.DropSignalAsync(testControlPort, code, identity, offline, forget);

    /// <summary>What the emulator's egresses of meeting <paramref name="code"/> did, step by step (<see cref="LiveKitEmulator.EgressStoriesAsync"/>).</summary>
    public Task<string> EgressStoriesAsync(string code) => LiveKitEmulator.EgressStoriesAsync(testControlPort, code);

    /// <summary>What the emulator's relay did with the video and audio of meeting <paramref name="code"/> (<see cref="LiveKitEmulator.MediaStoriesAsync"/>).</summary>
    public Task<string> MediaStoriesAsync(string code) => LiveKitEmulator.MediaStoriesAsync(testControlPort, code);

    /// <summary>
    /// Until <paramref name="stop"/>, once a second, what the relay received of each camera and sent on of it since the
    /// second before (<see cref="LiveKitEmulator.MediaTimelineAsync"/>): where a picture that stands still was lost.
    /// </summary>
    public Task<string> MediaTimelineAsync(string code, CancellationToken stop) => LiveKitEmulator.MediaTimelineAsync(testControlPort, code, stop);

    /// <summary>A new person: a fresh browser profile with camera and microphone allowed (a phone if asked).</summary>
    internal async Task<WatchedPage> NewPageAsync(bool phone = false) => await browser!.NewPageAsync(phone);

    /// <summary>Everyone a journey brought in closes their tab (<see cref="BrowserTest"/> calls this when each test ends).</summary>
    public Task ClosePagesAsync() => browser!.ClosePagesAsync();

    /// <summary>Saves a screenshot under the test output's screenshots/ (and docs/screenshots/ when asked, as the web tests do).</summary>
    public static Task ScreenshotAsync(IPage page, string name) => WebAppServer.ScreenshotAsync(page, name);

    public async Task DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.DisposeAsync();
        }
        if (run is not null)
        {
            await run.DisposeAsync();
        }
        await bucket.DisposeAsync();
        await mail.DisposeAsync();
        var survivors = await LocalProcesses.WaitUntilNoneContainAsync(dataDirectory, TimeSpan.FromSeconds(30));
        if (Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        Assert.Empty(survivors);
    }
}
