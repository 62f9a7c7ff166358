using System.Text.RegularExpressions;
using Conference.Tests.Web;
using Microsoft.Playwright;

namespace Conference.Tests.AppHost;

/// <summary>
/// A fresh server has no admin: its first sign-up needs the one-time setup code the api prints in its log, which the
/// run command's console repeats once the api is ready (a person looks there first; the dashboard's api log has it
/// too). This reads it from the console, as that person would, then signs the admin up through the form, after which
/// everyone else signs up as anyone does.
/// </summary>
static partial class FirstAdmin
{
    public static async Task SignUpAsync(AppHostRun run, SiteBrowser browser, float timeoutMilliseconds)
    {
        await run.WaitForConsoleAsync(TimeSpan.FromMilliseconds(timeoutMilliseconds), "Sign up with the setup code ");
        var code = SetupCode().Match(run.Console);
        Assert.True(code.Success, $"The console's setup-code line has no code:{Environment.NewLine}{run.Console}");

        var admin = await browser.NewPageAsync();
        await admin.Page.GotoAsync("account/signup");
        await admin.Page.GetByLabel("Your name").FillAsync("Ada Admin");
        await admin.Page.GetByLabel("Email").FillAsync($"{Guid.NewGuid():N}@example.org");
        await admin.Page.GetByLabel("Password").FillAsync(WebJourney.Password);
        await admin.Page.GetByLabel("Setup code").FillAsync(code.Groups["code"].Value);
        await admin.Page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await WebJourney.WaitForPageAsync(admin.Page, path => path == "/");
        await admin.Page.Context.CloseAsync();
    }

    [GeneratedRegex("setup code (?<code>[A-Z0-9-]{14})")]
    private static partial Regex SetupCode();
}
