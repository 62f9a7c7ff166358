using System.Net;
using System.Text.Json;
using Conference.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Conference.Tests.Web;

/// <summary>
/// Addresses that are no meeting, opened in Chromium: a code of no meeting answers 404 with a page that says so (and
/// is a working page: its circuit connects), an address that cannot be a meeting code says so too, never an empty 400.
/// </summary>
[Collection(WebAppCollection.Name)]
public sealed class MeetingAddressTests(WebAppFixture fixture)
{
    [Fact]
    public async Task A_code_of_no_meeting_answers_404_with_a_page_that_says_so()
    {
        var page = await fixture.NewPageAsync();

        var response = await page.GotoAsync("m/zzz-zzzz-zzz");

        Assert.NotNull(response);
        Assert.Equal(404, response.Status);
        Assert.StartsWith("text/html", response.Headers["content-type"], StringComparison.Ordinal);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Meeting not found", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("There is no meeting zzz-zzzz-zzz");
        await page.Locator("main[data-interactive=true]").WaitForAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Meeting not found", Level = 1 })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task An_address_that_cannot_be_a_meeting_code_answers_404_saying_it_is_not_a_meeting_link()
    {
        var page = await fixture.NewPageAsync();

        var response = await page.GotoAsync("m/not-a-code");

        Assert.NotNull(response);
        Assert.Equal(404, response.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "That is not a meeting link", Level = 1 })).ToBeVisibleAsync();
    }

    [Theory]
    [InlineData("m/ZZZ-ZZZZ-ZZZ")]
    [InlineData("m/zzzzzzzzzz")]
    public async Task A_code_in_capitals_or_without_dashes_goes_to_the_meeting_s_own_address(string address)
    {
        var page = await fixture.NewPageAsync();

        var response = await page.GotoAsync(address);

        // Redirected before any page is drawn; this code is no meeting, so its page says so, at its own address.
        Assert.NotNull(response);
        Assert.Equal(404, response.Status);
        Assert.EndsWith("/m/zzz-zzzz-zzz", page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Meeting not found", Level = 1 })).ToBeVisibleAsync();
    }

    /// <summary>
    /// Kestrel refuses a path with a NUL before the app sees it (an empty 400, which Chromium shows as its own error
    /// page); the repository's Caddyfile, in front of the web as deployed, answers it with the web's page instead.
    /// </summary>
    [Fact]
    public async Task Through_Caddy_a_link_with_a_NUL_is_the_page_saying_it_is_not_a_meeting_link_and_the_api_answers_a_problem()
    {
        await using var caddy = await RepositoryCaddyAsync(apiUpstream: fixture.Web.Url.Authority);
        var site = new Uri($"http://localhost:{caddy.Port}/");
        var page = await fixture.NewPageAsync();

        var problems = WatchForProblems(page);

        var response = await page.GotoAsync(new Uri(site, "m/%00").ToString());

        Assert.NotNull(response);
        Assert.Equal(404, response.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "That is not a meeting link", Level = 1 })).ToBeVisibleAsync();
        // A working page at a clean address: Blazor's router, started on the browser's address, threw on the NUL ("The
        // path contains null characters") and the circuit died under the page, its error bar up.
        await page.Locator("main[data-interactive=true]").WaitForAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "That is not a meeting link", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#blazor-error-ui")).ToBeHiddenAsync();
        Assert.Empty(problems);
        Assert.Equal(new Uri(site, "m/not-a-meeting-code").ToString(), page.Url);

        // Any other address with a control character ends at the site's "not found" page, as cleanly.
        var elsewhere = await page.GotoAsync(new Uri(site, "recordings%00").ToString());
        Assert.NotNull(elsewhere);
        Assert.Equal(404, elsewhere.Status);
        await page.Locator("main[data-interactive=true]").WaitForAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Page not found", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#blazor-error-ui")).ToBeHiddenAsync();
        Assert.Empty(problems);
        Assert.Equal(new Uri(site, "not-found").ToString(), page.Url);

        using var http = new HttpClient { BaseAddress = site };
        using var api = await http.GetAsync("api/meetings/%00");
        Assert.Equal(HttpStatusCode.BadRequest, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
        Assert.Contains("control character", JsonDocument.Parse(await api.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString());
        using var other = await http.GetAsync("recordings%0A");
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Contains("Page not found", await other.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// Caddy matches /api/* on the unescaped, cleaned path, so an address whose dots and escaped slashes clean to
    /// /api/… went to the api, which knew no such route and answered its JSON 404 on the site. The web answers it.
    /// </summary>
    [Fact]
    public async Task Through_Caddy_a_meeting_address_that_cleans_to_the_api_is_the_site_s_page_and_the_api_keeps_its_own()
    {
        await using var api = await Conference.Tests.Deploy.StubUpstream.StartAsync("api");
        await using var caddy = await RepositoryCaddyAsync(apiUpstream: api.HostAndPort);
        using var http = new HttpClient { BaseAddress = new Uri($"http://localhost:{caddy.Port}/") };

        using var disguised = await http.GetAsync("m/..%2F..%2Fapi%2Fhealth");
        Assert.Equal(HttpStatusCode.NotFound, disguised.StatusCode);
        Assert.Equal("text/html", disguised.Content.Headers.ContentType?.MediaType);
        Assert.Contains("That is not a meeting link", await disguised.Content.ReadAsStringAsync());

        using var health = await http.GetAsync("api/health");
        Assert.Equal("api /api/health", await health.Content.ReadAsStringAsync());
        using var capitals = await http.GetAsync("API/meetings/x");
        Assert.Equal("api /API/meetings/x", await capitals.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// What goes wrong on <paramref name="page"/> from now on: console errors and uncaught exceptions. The 404 a page
    /// that says "not found" answers with is what it should answer, and Chromium logs it as an error: not counted.
    /// </summary>
    static System.Collections.Concurrent.ConcurrentQueue<string> WatchForProblems(IPage page)
    {
        var problems = new System.Collections.Concurrent.ConcurrentQueue<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !message.Text.Contains("status of 404", StringComparison.Ordinal))
            {
                problems.Enqueue($"console error: {message.Text} (at {message.Location})");
            }
        };
        page.PageError += (_, error) => problems.Enqueue($"uncaught: {error}");
        return problems;
    }

    /// <summary>The repository's Caddyfile in front of this fixture's web, with /api/* going to <paramref name="apiUpstream"/>.</summary>
    async Task<CaddyServer> RepositoryCaddyAsync(string apiUpstream)
    {
        var caddyfile = await File.ReadAllTextAsync(Path.Combine(LocalMachine.RepositoryRoot, "Caddyfile"));
        return await CaddyServer.StartAsync(caddyfile, port => new Dictionary<string, string>
        {
            ["SITE_ADDRESS"] = $"http://localhost:{port}",
            ["LIVEKIT_SITE_ADDRESS"] = $"http://livekit.localhost:{port}",
            ["DASHBOARD_SITE_ADDRESS"] = $"http://dashboard.localhost:{port}",
            ["LIVEKIT_PUBLIC_ORIGIN"] = fixture.LiveKit.Url.GetLeftPart(UriPartial.Authority),
            ["LIVEKIT_PUBLIC_HTTP_ORIGIN"] = Conference.Web.Security.ContentSecurityPolicy.Origin(fixture.LiveKit.Url, http: true)!,
            ["WEB_UPSTREAM"] = fixture.Web.Url.Authority,
            ["API_UPSTREAM"] = apiUpstream,
            ["CADDY_ADMIN"] = "off",
        });
    }
}
