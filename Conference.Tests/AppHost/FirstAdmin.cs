using System.Text.RegularExpressions;
using Conference.Tests.Web;
using Microsoft.Playwright;

namespace Conference.Tests.AppHost;

/// <summary>
/// A fresh server has no admin: its first sign-up needs the one-time setup code the api prints in its log. A person
/// reads it in the dashboard's console logs (the console gives the dashboard's login link); so does this, then signs
/// the admin up through the form, after which everyone else signs up as anyone does.
/// </summary>
static partial class FirstAdmin
{
    public static async Task SignUpAsync(AppHostRun run, SiteBrowser browser, float timeoutMilliseconds)
    {
        var login = DashboardLogin().Match(run.Console);
        Assert.True(login.Success, $"The console gave no dashboard login link:{Environment.NewLine}{run.Console}");
        var dashboard = await browser.NewPageAsync();
        await dashboard.Page.GotoAsync(login.Groups["url"].Value);
        await dashboard.Page.GotoAsync(new Uri(new Uri(login.Groups["url"].Value), "/consolelogs/resource/api").ToString());
        var line = dashboard.Page.GetByText(SetupCodeLine()).First;
        await line.WaitForAsync(new() { Timeout = timeoutMilliseconds });
        var code = SetupCode().Match(await line.InnerTextAsync()).Groups["code"].Value;
        await dashboard.Page.Context.CloseAsync();

        var admin = await browser.NewPageAsync();
        await admin.Page.GotoAsync("account/signup");
        await admin.Page.GetByLabel("Your name").FillAsync("Ada Admin");
        await admin.Page.GetByLabel("Email").FillAsync($"{Guid.NewGuid():N}@example.org");
        await admin.Page.GetByLabel("Password").FillAsync(WebJourney.Password);
        await admin.Page.GetByLabel("Setup code").FillAsync(code);
        await admin.Page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await admin.Page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        await admin.Page.Context.CloseAsync();
    }

    [GeneratedRegex(@"Login to the dashboard at (?<url>http\S+)")]
    private static partial Regex DashboardLogin();

    [GeneratedRegex("Sign up with the setup code [A-Z0-9-]{14}")]
    private static partial Regex SetupCodeLine();

    [GeneratedRegex("setup code (?<code>[A-Z0-9-]{14})")]
    private static partial Regex SetupCode();
}
