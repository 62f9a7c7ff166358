using Conference.Tests.Infrastructure;
using Conference.Tests.Web;
using Microsoft.Playwright;

namespace Conference.Tests.AppHost;

/// <summary>
/// The README's run command (Processes variant), in Chromium through Caddy, as a person meets it: every page loads
/// its script and styles with the right content types and without console errors, and its Blazor circuit answers
/// clicks. (The web's own tests start it differently — in the Testing environment with static web assets switched
/// on — which once hid a web that served none of its scripts when run by this command.)
/// </summary>
[Collection(nameof(RunCommandCollection))]
public sealed class RunCommandTests(RunCommand run)
{
    const string Password = "correct horse battery";

    [Fact]
    public async Task The_home_page_loads_its_script_and_styles_through_Caddy_and_its_circuit_answers_a_click()
    {
        var home = await run.Browser.NewPageAsync();
        var document = await home.GotoAsync("");
        // Through Caddy: only the Caddyfile sets this header.
        Assert.Contains("camera=(self)", await document.HeaderValueAsync("permissions-policy"));
        await home.ExpectLoadedAsync();
        await home.WaitForCircuitAsync();

        await home.Page.GetByLabel("Meeting link or code").FillAsync("not a code");
        await home.Page.GetByRole(AriaRole.Button, new() { Name = "Join", Exact = true }).ClickAsync();
        await Assertions.Expect(home.Page.Locator("#meeting-code-error")).ToContainTextAsync("A code looks like abc-defg-hij");
        await home.ExpectNothingWrongAsync();
    }

    [Fact]
    public async Task The_console_says_where_the_mail_inbox_is_and_which_parts_cannot_run_on_this_machine()
    {
        // Without a container engine Egress cannot run; the console says so (not only the dashboard), and where mail goes.
        await run.Run.WaitForConsoleAsync(TimeSpan.FromSeconds(30),
            "Mail the api sends (invitations, reminders, password resets) arrives in the inbox at http://",
            "egress cannot run on this machine: Egress runs headless Chrome in its container");
    }

    [Fact]
    public async Task Sign_up_and_sign_in_work_through_Caddy()
    {
        var email = $"{Guid.NewGuid():N}@example.org";
        var newcomer = await run.Browser.NewPageAsync();
        await newcomer.GotoAsync("account/signup");
        await newcomer.ExpectLoadedAsync();
        await newcomer.Page.GetByLabel("Your name").FillAsync("Rui Runner");
        await newcomer.Page.GetByLabel("Email").FillAsync(email);
        await newcomer.Page.GetByLabel("Password").FillAsync(Password);
        await newcomer.Page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await WebJourney.WaitForPageAsync(newcomer.Page, path => path == "/");
        await newcomer.WaitForCircuitAsync();
        await Assertions.Expect(newcomer.Page.GetByRole(AriaRole.Link, new() { Name = "Rui Runner" })).ToBeVisibleAsync();
        await newcomer.ExpectLoadedAsync();

        // Another browser signs in to the same account.
        var returning = await run.Browser.NewPageAsync();
        await returning.GotoAsync("account/signin");
        await returning.ExpectLoadedAsync();
        await returning.Page.GetByLabel("Email").FillAsync(email);
        await returning.Page.GetByLabel("Password").FillAsync(Password);
        await returning.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await WebJourney.WaitForPageAsync(returning.Page, path => path == "/");
        await returning.WaitForCircuitAsync();
        await Assertions.Expect(returning.Page.GetByRole(AriaRole.Link, new() { Name = "Rui Runner" })).ToBeVisibleAsync();
        await returning.ExpectLoadedAsync();
    }

    [Fact]
    public async Task A_meetings_prejoin_page_works_through_Caddy_with_its_call_module_and_camera_preview()
    {
        var host = await run.Browser.NewPageAsync();
        await host.GotoAsync("account/signup");
        await host.Page.GetByLabel("Your name").FillAsync("Pia Prejoin");
        await host.Page.GetByLabel("Email").FillAsync($"{Guid.NewGuid():N}@example.org");
        await host.Page.GetByLabel("Password").FillAsync(Password);
        await host.Page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await WebJourney.WaitForPageAsync(host.Page, path => path == "/");
        await host.WaitForCircuitAsync();

        await host.Page.GetByLabel("Title").FillAsync("Through the front door");
        await host.Page.GetByRole(AriaRole.Button, new() { Name = "Start meeting" }).ClickAsync();
        await WebJourney.WaitForPageAsync(host.Page, path => path.StartsWith("/m/", StringComparison.Ordinal));
        await Assertions.Expect(host.Page.GetByRole(AriaRole.Heading, new() { Name = "Through the front door", Level = 1 })).ToBeVisibleAsync();

        // The call module (js/call.js, bundled from Client/) plays the fake camera in the preview.
        await host.Page.WaitForFunctionAsync(
            "() => { const v = document.querySelector('video[aria-label=\"Camera preview\"]'); return v && v.readyState >= 2 && v.videoWidth > 0; }");
        await host.Page.GetByLabel("Camera on").UncheckAsync();
        await Assertions.Expect(host.Page.Locator(".preview-off")).ToHaveTextAsync("Camera off");

        await host.ExpectLoadedAsync("/js/call.js");
    }
}

/// <summary>One run for the class; its collection runs alone, so its start is not shared with other tests on 2 cores.</summary>
[CollectionDefinition(nameof(RunCommandCollection), DisableParallelization = true)]
public sealed class RunCommandCollection : ICollectionFixture<RunCommand>;

/// <summary>
/// <c>dotnet run --project Conference.AppHost</c> from the repository, as built for this test run (<c>--no-build</c>),
/// with the Processes variant asked for and its data in a temporary directory rather than the developer's
/// <c>.data</c>; and Chromium pointed at the address the console gives for the site.
/// </summary>
public sealed class RunCommand : IAsyncLifetime
{
    /// <summary>Bounds a start that fails; a quiet machine is ready in about half a minute.</summary>
    static readonly TimeSpan GiveUpAfter = TimeSpan.FromMinutes(3);

    readonly string dataDirectory = Directory.CreateTempSubdirectory("conference-runcommand-").FullName;
    AppHostRun? run;

    internal SiteBrowser Browser { get; private set; } = null!;

    /// <summary>The running command, with what its console said.</summary>
    internal AppHostRun Run => run ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        run = AppHostRun.Start(LocalMachine.RepositoryRoot, dataDirectory, ["--no-build", "-c", configuration],
            ["--Conference:Runtime=Processes", $"--Conference:DataDirectory={dataDirectory}"]);
        var site = await run.WaitForSiteAsync(GiveUpAfter);
        Browser = await SiteBrowser.LaunchAsync(site);
        // As a person would on a fresh server: the admin first, with the setup code from the api's log.
        await FirstAdmin.SignUpAsync(run, Browser, 60_000);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        if (run is not null)
        {
            await run.DisposeAsync();
        }
        var survivors = await LocalProcesses.WaitUntilNoneContainAsync(dataDirectory, TimeSpan.FromSeconds(30));
        if (Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        Assert.Empty(survivors);
    }
}
