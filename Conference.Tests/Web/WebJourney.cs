using Microsoft.Playwright;

namespace Conference.Tests.Web;

/// <summary>The steps the browser tests share: signing up, starting a meeting, waiting for a live page.</summary>
static class WebJourney
{
    public const string Password = "correct horse battery";

    /// <summary>Signs up through the form (and so is signed in); returns the new account's email.</summary>
    public static async Task<string> SignUpAsync(IPage page, string name)
    {
        var email = $"{Guid.NewGuid():N}@example.org";
        await page.GotoAsync("account/signup");
        await page.GetByLabel("Your name").FillAsync(name);
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await WaitForPageAsync(page, path => path == "/");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = name })).ToBeVisibleAsync();
        return email;
    }

    /// <summary>
    /// Waits until the page is at a path that <paramref name="arrived"/> accepts and its document has loaded
    /// (<c>readyState</c> "complete"), up to 60 s. A timeout says where the page is and which requests it still waits for.
    /// </summary>
    /// <remarks>
    /// Not <c>IPage.WaitForURLAsync</c>: Playwright for .NET checks the URL, then subscribes to navigations, and an
    /// event delivered on its reader thread between the two is lost (microsoft/playwright-dotnet#3364). A Blazor
    /// <c>NavigateTo</c> is one same-document navigation, so losing it left the wait hanging with the page already there
    /// ("waiting for navigation until Load", no "navigated to" line): 2 of ~30 fresh runs. Polling the URL the page has
    /// now cannot miss it.
    /// </remarks>
    public static async Task WaitForPageAsync(IPage page, Func<string, bool> arrived)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!arrived(new Uri(page.Url).AbsolutePath))
        {
            if (DateTime.UtcNow > deadline)
            {
                var pending = WebAppServer.PendingRequests.TryGetValue(page, out var requests)
                    ? string.Join("; ", requests.Select(r => $"{r.Key.Method} {r.Key.Url} since {r.Value:HH:mm:ss.fff}"))
                    : "unknown";
                throw new TimeoutException($"After 60 s the page is at {page.Url}, not where it should have arrived; requests in flight: {(pending.Length == 0 ? "none" : pending)}.");
            }
            await Task.Delay(50);
        }
        // Reruns in the new document if a navigation replaces this one while it waits.
        await page.WaitForFunctionAsync("() => document.readyState === 'complete'", null, new() { Timeout = 60_000 });
    }

    /// <summary>The page is live (its Blazor circuit is connected): typing now is not lost to the prerendered copy.</summary>
    public static async Task GotoInteractiveAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        await page.Locator("main[data-interactive=true]").WaitForAsync();
    }

    public static async Task<string> StartMeetingAsync(IPage page, string title, bool lobby = false)
    {
        await page.Locator("main[data-interactive=true]").WaitForAsync();
        await page.GetByLabel("Title").FillAsync(title);
        if (lobby)
        {
            await page.GetByLabel("Guests wait in a lobby").CheckAsync();
        }
        await page.GetByRole(AriaRole.Button, new() { Name = "Start meeting" }).ClickAsync();
        await WaitForPageAsync(page, path => path.StartsWith("/m/", StringComparison.Ordinal));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = title, Level = 1 })).ToBeVisibleAsync();
        return new Uri(page.Url).AbsolutePath["/m/".Length..];
    }

    /// <summary>The pre-join preview is playing the fake camera: a video with real frames.</summary>
    public static async Task ExpectCameraPreviewAsync(IPage page)
    {
        var preview = page.GetByLabel("Camera preview");
        await Assertions.Expect(preview).ToBeVisibleAsync();
        await page.WaitForFunctionAsync("() => { const v = document.querySelector('video[aria-label=\"Camera preview\"]'); return v && v.readyState >= 2 && v.videoWidth > 0; }");
    }

    /// <summary>Signs <paramref name="to"/> (another browser profile, e.g. a phone) in as <paramref name="from"/> is.</summary>
    public static async Task ShareSignInAsync(IPage from, IPage to) =>
        await to.Context.AddCookiesAsync((await from.Context.CookiesAsync()).Select(c => new Cookie
        {
            Name = c.Name, Value = c.Value, Domain = c.Domain, Path = c.Path, HttpOnly = c.HttpOnly, Secure = c.Secure, SameSite = c.SameSite,
        }));
}
