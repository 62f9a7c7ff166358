using System.Text.Json;
using Microsoft.Playwright;

namespace Conference.WebCallBench;

/// <summary>
/// Debian's Chromium (Playwright for .NET) with a fake camera and the speaking fake microphone, reaching the site
/// through its front door. Each <see cref="Person"/> is a fresh browser profile: one person, one Blazor circuit.
/// </summary>
sealed class Crowd : IAsyncDisposable
{
    /// <summary>
    /// Counted in every page: the bytes of the Blazor circuit's WebSocket each way (to the web: JS interop calls
    /// such as the call module's participant snapshots; from it: render batches and interop calls), how often a
    /// tile's speaking ring came or went, and for a joiner the moments of the Join click and of the first remote
    /// video frame presented (requestVideoFrameCallback).
    /// </summary>
    const string PageProbe = """
        (() => {
          const stats = window.benchStats = { toWeb: 0, fromWeb: 0, speakingChanges: 0, joinClickAt: null, firstRemoteFrameAt: null };
          const size = d => typeof d === 'string' ? d.length : (d.byteLength ?? d.size ?? 0);
          const Native = window.WebSocket;
          window.WebSocket = class extends Native {
            constructor(url, protocols) {
              super(url, protocols);
              this.benchCircuit = String(url).includes('/_blazor');
              if (this.benchCircuit) this.addEventListener('message', e => { stats.fromWeb += size(e.data); });
            }
            send(data) { if (this.benchCircuit) stats.toWeb += size(data); return super.send(data); }
          };
          document.addEventListener('click', e => {
            if (e.target.closest?.('.prejoin-form button[type=submit]')) stats.joinClickAt = performance.now();
          }, true);
          const watch = () => new MutationObserver(records => {
            for (const r of records) {
              if (r.type === 'attributes' && r.target.matches?.('figure.tile')
                  && /\bspeaking\b/.test(r.oldValue ?? '') !== r.target.classList.contains('speaking')) stats.speakingChanges++;
            }
            document.querySelectorAll('figure.tile:not(.local):not(.screen) video:not([data-bench-watched])').forEach(v => {
              v.dataset.benchWatched = '1';
              v.requestVideoFrameCallback(() => { if (stats.joinClickAt !== null) stats.firstRemoteFrameAt ??= performance.now(); });
            });
          }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['class'], attributeOldValue: true });
          if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', watch); else watch();
        })();
        """;

    const string Password = "correct horse battery";
    const float Timeout = 60_000;

    readonly IPlaywright playwright;
    readonly IBrowser browser;
    readonly Uri site;

    Crowd(IPlaywright playwright, IBrowser browser, Uri site)
    {
        this.playwright = playwright;
        this.browser = browser;
        this.site = site;
    }

    public static async Task<Crowd> LaunchAsync(Uri site, string speechWav)
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--no-sandbox", "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--disable-gpu",
                $"--use-file-for-fake-audio-capture={speechWav}", "--autoplay-policy=no-user-gesture-required",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
            ],
        });
        return new Crowd(playwright, browser, site);
    }

    /// <summary>A new person: a fresh profile allowed the camera and microphone.</summary>
    public async Task<Person> NewPersonAsync()
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = site.ToString(),
            Permissions = ["camera", "microphone"],
        });
        context.SetDefaultTimeout(Timeout);
        await context.AddInitScriptAsync(PageProbe);
        return new Person(context, await context.NewPageAsync());
    }

    /// <summary>The first sign-up of a fresh server, with the setup code its console printed; ends on the home page.</summary>
    public async Task<Person> SignUpAdminAsync(string setupCode)
    {
        var admin = await NewPersonAsync();
        var page = admin.Page;
        await page.GotoAsync("account/signup");
        await page.GetByLabel("Your name").FillAsync("Ada Admin");
        await page.GetByLabel("Email").FillAsync($"{Guid.NewGuid():N}@example.org");
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByLabel("Setup code").FillAsync(setupCode);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        return admin;
    }

    /// <summary>From the home page: starts a meeting and returns its code; the host is left on its pre-join page.</summary>
    public async Task<string> StartMeetingAsync(Person host, string title)
    {
        var page = host.Page;
        await page.Locator("main[data-interactive=true]").WaitForAsync();
        await page.GetByLabel("Title").FillAsync(title);
        await page.GetByRole(AriaRole.Button, new() { Name = "Start meeting" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath.StartsWith("/m/", StringComparison.Ordinal));
        await page.GetByRole(AriaRole.Heading, new() { Name = title, Level = 1 }).WaitForAsync();
        return new Uri(page.Url).AbsolutePath["/m/".Length..];
    }

    /// <summary>A new person on the meeting's pre-join page, its circuit live.</summary>
    public async Task<Person> OpenAsync(string code)
    {
        var person = await NewPersonAsync();
        await person.Page.GotoAsync($"m/{code}");
        await person.Page.Locator("main[data-interactive=true]").WaitForAsync();
        return person;
    }

    /// <summary>On the pre-join page: camera on or off, the name, Join; waits until the call says Connected.</summary>
    public async Task JoinAsync(Person person, string name, bool camera)
    {
        await ClickJoinAsync(person, name, camera);
        await WaitConnectedAsync(person);
    }

    /// <summary>Joins with the camera on and returns the time from the Join click to the first remote video frame, in ms.</summary>
    public async Task<double> TimeJoinToFirstFrameAsync(Person person, string name)
    {
        await ClickJoinAsync(person, name, camera: true);
        await person.Page.WaitForFunctionAsync("() => window.benchStats.firstRemoteFrameAt !== null", null,
            new() { Timeout = Timeout, PollingInterval = 50 });
        return await person.Page.EvaluateAsync<double>("() => window.benchStats.firstRemoteFrameAt - window.benchStats.joinClickAt");
    }

    static async Task ClickJoinAsync(Person person, string name, bool camera)
    {
        var page = person.Page;
        await page.GetByLabel("Camera preview").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        if (!camera)
        {
            await page.GetByLabel("Camera on").UncheckAsync();
        }
        else
        {
            await page.WaitForFunctionAsync("() => { const v = document.querySelector('video[aria-label=\"Camera preview\"]'); return v && v.readyState >= 2 && v.videoWidth > 0; }");
        }
        await page.Locator("#display-name").FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Join", Exact = true }).ClickAsync();
    }

    static async Task WaitConnectedAsync(Person person)
    {
        var call = person.Page.GetByTestId("call-room");
        try
        {
            await person.Page.Locator("[data-testid=call-room][data-state=Connected], [data-testid=join-error]").First.WaitForAsync();
        }
        catch (TimeoutException timeout)
        {
            var state = await person.Page.EvaluateAsync<string>(
                "() => (document.querySelector('[data-testid=call-room]')?.dataset.state ?? 'no call page') + ': ' + document.querySelector('main')?.innerText.slice(0, 1500)");
            throw new TimeoutException($"{person.Page.Url} did not connect; the page: {state}", timeout);
        }
        if (await call.GetAttributeAsync("data-state") != "Connected")
        {
            throw new InvalidOperationException($"{person.Page.Url}: the join failed: {await person.Page.GetByTestId("join-error").InnerTextAsync()}");
        }
    }

    /// <summary>Everyone shows <paramref name="count"/> tiles: all have joined everyone's call.</summary>
    public async Task WaitForTilesAsync(IEnumerable<Person> people, int count)
    {
        foreach (var person in people)
        {
            await person.Page.WaitForFunctionAsync("n => document.querySelectorAll('[data-testid=tile]:not(.screen)').length === n", count);
        }
    }

    /// <summary>Leaves as a closed tab does: the page unloads (Blazor tells the server its circuit is gone), then the profile closes.</summary>
    public async Task LeaveAsync(Person person)
    {
        await person.Page.GotoAsync("about:blank");
        await person.Context.CloseAsync();
    }

    public async Task GoHomeAsync(Person person)
    {
        await person.Page.GotoAsync("");
        await person.Page.Locator("main[data-interactive=true]").WaitForAsync();
    }

    public async Task<IReadOnlyList<PageStats>> CountersAsync(IEnumerable<Person> people)
    {
        var counters = new List<PageStats>();
        foreach (var person in people)
        {
            var json = await person.Page.EvaluateAsync<string>("() => JSON.stringify(window.benchStats)");
            counters.Add(JsonSerializer.Deserialize<PageStats>(json, JsonSerializerOptions.Web)!);
        }
        return counters;
    }

    public async ValueTask DisposeAsync()
    {
        await browser.DisposeAsync();
        playwright.Dispose();
    }
}

sealed record Person(IBrowserContext Context, IPage Page);

/// <summary>One page's counters (<see cref="Crowd"/>'s probe): circuit bytes each way and speaking rings shown.</summary>
sealed record PageStats(double ToWeb, double FromWeb, double SpeakingChanges);

/// <summary>Per page and second, the mean over the call's pages.</summary>
sealed record PageCounters(double BytesToWeb, double BytesFromWeb, double SpeakingChanges)
{
    public static PageCounters PerPageRate(IReadOnlyList<PageStats> before, IReadOnlyList<PageStats> after, double seconds)
    {
        double Mean(Func<PageStats, double> field) => before.Zip(after, (b, a) => field(a) - field(b)).Average() / seconds;
        return new PageCounters(Mean(s => s.ToWeb), Mean(s => s.FromWeb), Mean(s => s.SpeakingChanges));
    }
}
