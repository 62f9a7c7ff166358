using System.Text.RegularExpressions;
using Conference.Tests.Api;
using Conference.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace Conference.Tests.Web;

/// <summary>A fresh server in Chromium: its sign-up form asks for the setup code from the api's log, and only then makes the admin.</summary>
[Collection(WebAppCollection.Name)]
public sealed class AdminSetupJourneyTests(WebAppFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public async Task On_a_fresh_server_the_sign_up_form_asks_for_the_setup_code_and_its_first_account_is_the_admin()
    {
        var log = new LogCapture();
        var database = await fixture.Platform.Postgres.CreateDatabaseAsync($"fresh_web_{Guid.NewGuid():N}");
        var api = fixture.Platform.CreateApi(new Dictionary<string, string?> { ["ConnectionStrings:conference"] = database },
            services => services.AddSingleton<ILoggerProvider>(log));
        api.CreateClient().Dispose();
        var code = Assert.Single(log.Lines.Select(m => Regex.Match(m, @"setup code ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})")), m => m.Success).Groups[1].Value;
        await using var web = await WebAppServer.StartAsync(api, fixture.Platform.RedisConnectionString);
        var page = await web.NewPageAsync();

        await page.GotoAsync("account/signup");
        await Assertions.Expect(page.GetByText("This server has no admin yet")).ToBeVisibleAsync();
        await page.GetByLabel("Your name").FillAsync("Olga Operator");
        await page.GetByLabel("Email").FillAsync("operator@example.org");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(WebJourney.Password);
        await page.GetByLabel("Setup code").FillAsync("WRNG-CODE-HERE");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Assertions.Expect(page.Locator("#setupCode-error")).ToContainTextAsync("wrong or has been used");

        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(WebJourney.Password);
        await page.GetByLabel("Setup code").FillAsync(code.ToLowerInvariant());
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await WebJourney.WaitForPageAsync(page, path => path == "/");
        await page.GotoAsync("account");
        await Assertions.Expect(page.GetByText("Admin (manages this server)")).ToBeVisibleAsync();

        // The code is spent: the next person's form does not ask for it, and they are a host.
        var next = await web.NewPageAsync();
        await next.GotoAsync("account/signup");
        await Assertions.Expect(next.GetByLabel("Your name")).ToBeVisibleAsync();
        await Assertions.Expect(next.GetByLabel("Setup code")).ToHaveCountAsync(0);
    }
}
