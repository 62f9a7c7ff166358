using System.Net.Http.Json;
using Conference.Tests.Api;
using Conference.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Conference.Tests.Web;

/// <summary>End to end in Chromium: accounts, the admin's settings and the usage pages.</summary>
[Collection(WebAppCollection.Name)]
public sealed class AccountsAndUsageTests(WebAppFixture fixture) : BrowserTest(fixture)
{
    static async Task SignInAsync(IPage page, string email, string password)
    {
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    [Fact]
    public async Task The_api_counts_each_browser_by_its_own_address_not_the_webs()
    {
        // As behind Caddy: the browser's address arrives in X-Forwarded-For, and the web passes it on to the api
        // both from page requests (the sign-up form) and from the live circuit (starting a meeting).
        var page = await fixture.NewPageAsync(forwardedFor: "203.0.113.41");
        await WebJourney.SignUpAsync(page, "Remote Host");
        await WebJourney.StartMeetingAsync(page, "Far away");

        var seen = fixture.ClientAddresses.ToArray();
        Assert.Contains(("POST /api/accounts/signin", "203.0.113.41"), seen);
        Assert.Contains(("POST /api/meetings", "203.0.113.41"), seen);
    }

    [Fact]
    public async Task Signing_out_and_back_in_returns_to_the_page_that_asked()
    {
        var page = await fixture.NewPageAsync();
        var email = await WebJourney.SignUpAsync(page, "Sol Host");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Sign in" })).ToBeVisibleAsync();

        await page.GotoAsync("recordings");
        await WebJourney.WaitForPageAsync(page, path => path == "/account/signin");
        Assert.Contains("returnUrl=%2Frecordings", page.Url);

        await SignInAsync(page, email, "not the password");
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("The email or password is wrong.");

        await SignInAsync(page, email, WebJourney.Password);
        await WebJourney.WaitForPageAsync(page, path => path == "/recordings");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your recordings" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Sign_up_mistakes_are_shown_at_their_fields()
    {
        var page = await fixture.NewPageAsync(phone: true);
        await page.GotoAsync("account/signup");
        await page.GetByLabel("Your name").FillAsync("Taken Name");
        await page.GetByLabel("Email").FillAsync(WebAppFixture.AdminEmail);
        await page.GetByLabel("Password").FillAsync(WebJourney.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();

        // One message, about the email, by the email field; not Identity's "Username '…' is already taken." twice.
        await Assertions.Expect(page.Locator("#email-error")).ToHaveTextAsync(
            "An account with this email address already exists. Sign in, or reset its password if you have forgotten it.");
        await Assertions.Expect(page.GetByText("already exists")).ToHaveCountAsync(1);
        Assert.DoesNotContain("already taken", await page.ContentAsync());
        await WebAppFixture.ScreenshotAsync(page, "signup-error-phone");
    }

    [Fact]
    public async Task Sign_up_while_signed_in_says_who_is_signed_in_and_signs_out_only_when_asked()
    {
        // A newcomer signed in as one account used the sign-up form (an email that had an account) and landed on the
        // home page signed out, with no word said. Signed in, the page says so and offers to sign out first.
        var page = await fixture.NewPageAsync();
        var email = await WebJourney.SignUpAsync(page, "Carl Host");

        await page.GotoAsync("account/signup");
        var notice = page.GetByTestId("signed-in-as");
        await Assertions.Expect(notice).ToContainTextAsync($"You are signed in as Carl Host ({email}). To create another account, sign out first.");
        await Assertions.Expect(page.GetByLabel("Password")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Carl Host" }))
            .ToBeVisibleAsync();

        await notice.GetByRole(AriaRole.Button, new() { Name = "Sign out and create an account" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("Password")).ToBeVisibleAsync();
        Assert.Equal("/account/signup", new Uri(page.Url).AbsolutePath);
        await Assertions.Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Sign in" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_admin_closes_sign_up_and_a_newcomer_is_told()
    {
        var admin = await fixture.NewPageAsync();
        await admin.GotoAsync("account/signin");
        await SignInAsync(admin, WebAppFixture.AdminEmail, WebJourney.Password);
        await admin.Locator("main[data-interactive=true]").WaitForAsync();
        await admin.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Admin", Exact = true }).ClickAsync();
        await Assertions.Expect(admin.GetByRole(AriaRole.Heading, new() { Name = "Server settings" })).ToBeVisibleAsync();
        await admin.Locator("main[data-interactive=true]").WaitForAsync();
        await Assertions.Expect(admin.GetByLabel("Anyone may sign up")).ToBeCheckedAsync();

        try
        {
            await admin.GetByLabel("Anyone may sign up").UncheckAsync();
            // This fixture's api has no recorder, which owns retention: the page says so instead of a field.
            await Assertions.Expect(admin.GetByTestId("no-recorder")).ToContainTextAsync("This server has no recorder");
            await Assertions.Expect(admin.GetByLabel("Keep recordings for (days)")).ToHaveCountAsync(0);
            await admin.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await Assertions.Expect(admin.GetByRole(AriaRole.Status)).ToHaveTextAsync("Saved.");
            await WebAppFixture.ScreenshotAsync(admin, "admin-settings-desktop");

            var newcomer = await fixture.NewPageAsync();
            await newcomer.GotoAsync("account/signup");
            await newcomer.GetByLabel("Your name").FillAsync("Late Comer");
            await newcomer.GetByLabel("Email").FillAsync($"{Guid.NewGuid():N}@example.org");
            await newcomer.GetByLabel("Password").FillAsync(WebJourney.Password);
            await newcomer.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
            await Assertions.Expect(newcomer.GetByRole(AriaRole.Alert)).ToContainTextAsync("Sign-up is closed on this server");
        }
        finally
        {
            // The other tests in this collection sign up: open it again.
            using var client = fixture.Api.CreateClient();
            var signIn = await client.PostAsJsonAsync("/api/accounts/signin", new { email = WebAppFixture.AdminEmail, password = WebJourney.Password });
            var token = (await signIn.Content.ReadFromJsonAsync<ApiFixture.BearerToken>())!;
            client.DefaultRequestHeaders.Authorization = new("Bearer", token.AccessToken);
            (await client.PutAsJsonAsync("/api/admin/settings", new { signUpOpen = true })).EnsureSuccessStatusCode();
        }
    }

    [Fact]
    public async Task A_host_sees_usage_over_time_and_per_meeting_as_charts()
    {
        var page = await fixture.NewPageAsync();
        await WebJourney.SignUpAsync(page, "Uma Host");
        var slug = await WebJourney.StartMeetingAsync(page, "All hands");

        // LiveKit reports the meeting: yesterday (UTC) from 10:00; three people came, two have left by 10:40, the host at
        // 10:50. Inside one UTC day whatever the clock says: a call across midnight counts on both days (the CI run
        // that found this started at 00:1x and saw 4 participant-days for 3 people).
        var started = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-1).AddHours(10), TimeSpan.Zero);
        using var webhooks = fixture.Api.CreateClient();
        async Task PostAsync(string body) => (await fixture.Platform.PostWebhookAsync(webhooks, body)).EnsureSuccessStatusCode();
        await PostAsync(WebhookJson.RoomStarted(slug, started));
        await PostAsync(WebhookJson.Participant("participant_joined", slug, "uma-1", "Uma Host", started, started, role: "Host"));
        await PostAsync(WebhookJson.Participant("participant_joined", slug, "sam-1", "Sam", started.AddMinutes(5), started.AddMinutes(5)));
        await PostAsync(WebhookJson.Participant("participant_joined", slug, "kim-1", "Kim", started.AddMinutes(10), started.AddMinutes(10)));
        await PostAsync(WebhookJson.Participant("participant_left", slug, "sam-1", "Sam", started.AddMinutes(5), started.AddMinutes(35)));
        await PostAsync(WebhookJson.Participant("participant_left", slug, "kim-1", "Kim", started.AddMinutes(10), started.AddMinutes(40)));
        await PostAsync(WebhookJson.Participant("participant_left", slug, "uma-1", "Uma Host", started, started.AddMinutes(50), role: "Host"));

        await WebJourney.GotoInteractiveAsync(page, "analytics");
        await Assertions.Expect(page.Locator("figure.chart")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator(".stat-card").Nth(1)).ToContainTextAsync("3");
        await Assertions.Expect(page.Locator(".stat-card").Nth(3)).ToContainTextAsync("3");
        Assert.True(await page.Locator("rect.chart-bar[height]:not([height='0'])").CountAsync() >= 3, "That day's bars should have height.");
        await WebAppFixture.ScreenshotAsync(page, "analytics-desktop");

        await WebJourney.GotoInteractiveAsync(page, $"m/{slug}/analytics");
        await Assertions.Expect(page.Locator(".stat-card").Nth(0)).ToContainTextAsync("3");
        await Assertions.Expect(page.Locator(".stat-card").Nth(1)).ToContainTextAsync("3");

        var phone = await fixture.NewPageAsync(phone: true);
        await WebJourney.ShareSignInAsync(page, phone);
        await WebJourney.GotoInteractiveAsync(phone, "analytics");
        await Assertions.Expect(phone.Locator("figure.chart")).ToHaveCountAsync(3);
        await WebAppFixture.ScreenshotAsync(phone, "analytics-phone");
        var overflow = await phone.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
        Assert.True(overflow <= 0, $"The page is {overflow}px wider than the phone.");
    }
}
