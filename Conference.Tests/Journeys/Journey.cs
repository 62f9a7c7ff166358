using Conference.Tests.AppHost;
using Conference.Tests.Web;
using Microsoft.Playwright;

namespace Conference.Tests.Journeys;

/// <summary>What people do in the journeys, step by step, in the words of the page (labels, roles, test ids).</summary>
static class Journey
{
    /// <summary>How long a page may take to load, as the browser's own default for actions (SiteBrowser).</summary>
    public static readonly float PageLoad = 60_000;

    /// <summary>
    /// How long starting a new track may take (capture, encoder, renegotiation with the emulator): over 5 s has been
    /// seen with three browsers on 2 cores under a load average near 80.
    /// </summary>
    public static readonly float MediaStart = 30_000;

    /// <summary>
    /// Every journey's browser reaches the api from one address (127.0.0.1, through Caddy), and the api allows 10
    /// account steps a minute per address (sign-up, sign-in, password reset, personal-link redeem: the
    /// <c>WithSignInRateLimit</c> endpoints), in windows of the clock's whole minutes. Once each journey closed its
    /// pages, journeys took seconds and met that limit (429 at sign-up). So journeys take their steps from this budget
    /// and wait for the next minute when it is spent, as people sharing one office address would have to.
    /// </summary>
    public static async Task AccountStepsAsync(int steps)
    {
        await AccountGate.WaitAsync();
        try
        {
            while (true)
            {
                var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                var window = now / 60_000;
                if (window != accountWindow)
                {
                    (accountWindow, accountStepsInWindow) = (window, 0);
                }
                // Not in a window's last 3 s: a step sent then may be counted in the next window by the api.
                if (accountStepsInWindow + steps <= AccountStepsPerMinute && now % 60_000 < 57_000)
                {
                    accountStepsInWindow += steps;
                    return;
                }
                await Task.Delay(TimeSpan.FromMilliseconds((window + 1) * 60_000 - now + 250));
            }
        }
        finally
        {
            AccountGate.Release();
        }
    }

    /// <summary>The api's 10, less a margin for the fixture's first admin (two steps) and for clocks' edges.</summary>
    const int AccountStepsPerMinute = 8;
    static readonly SemaphoreSlim AccountGate = new(1, 1);
    static long accountWindow;
    static int accountStepsInWindow;

    /// <summary>Signs up through the form (and so is signed in) on a fresh page; returns the account's email.</summary>
    public static async Task<string> SignUpAsync(WatchedPage person, string name)
    {
        await AccountStepsAsync(2); // the web signs up, then signs in
        var email = await WebJourney.SignUpAsync(person.Page, name);
        await person.WaitForCircuitAsync();
        return email;
    }

    /// <summary>Starts a meeting from the home page; returns its code (the slug in /m/CODE).</summary>
    public static Task<string> StartMeetingAsync(WatchedPage host, string title, bool lobby = false) =>
        WebJourney.StartMeetingAsync(host.Page, title, lobby);

    /// <summary>Opens the meeting's page, waits for the camera preview, types the name and clicks Join.</summary>
    public static async Task OpenAndJoinAsync(WatchedPage person, string code, string name)
    {
        await WebJourney.GotoInteractiveAsync(person.Page, $"m/{code}");
        await JoinFromPreJoinAsync(person, name);
    }

    /// <summary>On the pre-join page: waits for the camera preview, types the name and clicks Join.</summary>
    public static async Task JoinFromPreJoinAsync(WatchedPage person, string name)
    {
        // The meeting page loads its meeting from the api first: with four browsers on 2 cores that has taken over 5 s.
        await Assertions.Expect(person.Page.GetByLabel("Camera preview")).ToBeVisibleAsync(new() { Timeout = PageLoad });
        await WebJourney.ExpectCameraPreviewAsync(person.Page);
        await person.Page.Locator("#display-name").FillAsync(name);
        await person.Page.GetByRole(AriaRole.Button, new() { Name = "Join", Exact = true }).ClickAsync();
    }

    /// <summary>The call page says it is connected.</summary>
    public static async Task ExpectConnectedAsync(WatchedPage person)
    {
        try
        {
            await Assertions.Expect(person.Page.GetByTestId("call-room")).ToHaveAttributeAsync("data-state", "Connected", new() { Timeout = 30_000 });
        }
        catch (PlaywrightException notConnected)
        {
            // What went wrong on the page (a refused request, a console error) says more than the state alone; the
            // state comes first (ci65: a page with expected decryption errors showed only those, not where it stood).
            var state = await person.Page.GetByTestId("call-room").GetAttributeAsync("data-state", new() { Timeout = 1_000 })
                .ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : "(no call page)");
            var problems = await Record.ExceptionAsync(() => person.ExpectNothingWrongAsync());
            throw new PlaywrightException($"The call page's state: {state}.{Environment.NewLine}{problems?.Message ?? "Nothing went wrong on the page."}" +
                $"{Environment.NewLine}{notConnected.Message}", notConnected);
        }
    }

    /// <summary>The tile of the person whose display name is <paramref name="name"/> (their camera, not a screen).</summary>
    public static ILocator Tile(WatchedPage viewer, string name) =>
        viewer.Page.Locator("[data-testid=tile]:not(.screen)").Filter(new() { Has = viewer.Page.Locator(".tile-name", new() { HasTextString = name }) });

    /// <summary>
    /// <paramref name="viewer"/> shows <paramref name="name"/>'s camera as a video whose frames are decoding: its
    /// decoded-frame count goes up while we watch.
    /// </summary>
    public static async Task ExpectVideoFramesFromAsync(WatchedPage viewer, string name)
    {
        var identity = await Tile(viewer, name).GetAttributeAsync("data-identity");
        var video = $"[data-video-identity=\"{identity}\"][data-video-source=camera] video";
        // Every matching element is watched and the one people see must advance; on failure the message says what
        // each showed (an element left behind by a re-render would otherwise be taken for the tile's).
        await EventuallyAsync(viewer, $"{name}'s video decoding frames", $$"""
            async () => {
                const videos = [...document.querySelectorAll('{{video}}')];
                const frames = () => videos.map(v => v.getVideoPlaybackQuality().totalVideoFrames);
                const before = frames();
                await new Promise(r => setTimeout(r, 300));
                const after = frames();
                const advancing = videos.some((v, i) => v.checkVisibility() && v.readyState >= 2 && v.videoWidth > 0 && after[i] > before[i]);
                window.lastVideoCheck = JSON.stringify(videos.map((v, i) => ({ visible: v.checkVisibility(), readyState: v.readyState,
                    width: v.videoWidth, paused: v.paused, frames: after[i], advanced: after[i] - before[i],
                    track: v.srcObject?.getVideoTracks()[0]?.readyState ?? 'none', muted: v.srcObject?.getVideoTracks()[0]?.muted })));
                return advancing;
            }
            """);
    }

    /// <summary>
    /// <paramref name="listener"/> plays <paramref name="count"/> remote microphones with sound in them: each
    /// <c>&lt;audio&gt;</c> the call page plays peaks above silence (Chromium's fake microphone beeps) within 2 s.
    /// </summary>
    public static async Task ExpectAudioFromOthersAsync(WatchedPage listener, int count) =>
        await EventuallyAsync(listener, $"sound from {count} remote microphones", """
            async count => {
                const playing = [...document.querySelectorAll('audio')].filter(a => a.srcObject && a.srcObject.getAudioTracks().length > 0);
                if (playing.length < count) return false;
                const context = new AudioContext();
                await context.resume();
                const analysers = playing.map(a => {
                    const analyser = context.createAnalyser();
                    analyser.fftSize = 2048;
                    context.createMediaStreamSource(a.srcObject).connect(analyser);
                    return analyser;
                });
                const peaks = analysers.map(() => 0);
                const samples = new Float32Array(2048);
                for (let i = 0; i < 40; i++) {
                    await new Promise(r => setTimeout(r, 50));
                    analysers.forEach((analyser, k) => {
                        analyser.getFloatTimeDomainData(samples);
                        for (const s of samples) peaks[k] = Math.max(peaks[k], Math.abs(s));
                    });
                }
                await context.close();
                return peaks.filter(p => p > 0.01).length >= count;
            }
            """, count);

    /// <summary>What the page's peer connections received (getStats inbound-rtp): where a stalled video stopped.</summary>
    static async Task<string> InboundMediaAsync(WatchedPage page)
    {
        try
        {
            return await page.Page.EvaluateAsync<string>("""
                async () => JSON.stringify(await Promise.all((window.peerConnections ?? []).map(async pc => ({
                    state: pc.connectionState, signaling: pc.signalingState,
                    inbound: [...(await pc.getStats()).values()].filter(s => s.type === 'inbound-rtp').map(s => ({
                        kind: s.kind, mid: s.mid, ssrc: s.ssrc, packets: s.packetsReceived, lost: s.packetsLost,
                        frames: s.framesDecoded, keyFrames: s.keyFramesDecoded, plis: s.pliCount, nacks: s.nackCount,
                        width: s.frameWidth, lastPacket: s.lastPacketReceivedTimestamp })),
                }))))
                """);
        }
        catch (PlaywrightException exception)
        {
            return $"(unreadable: {exception.Message.Split('\n')[0]})";
        }
    }

    /// <summary>
    /// Asks <paramref name="asyncFunction"/> (a page function that resolves to true or false) again every 250 ms
    /// until it answers true; fails after 30 s naming <paramref name="what"/>. Not WaitForFunctionAsync: Playwright
    /// does not await a predicate's promise, and a promise is truthy, so an async predicate passes at once whatever
    /// it resolves to (the video and audio checks had asserted nothing).
    /// </summary>
    public static async Task EventuallyAsync(WatchedPage page, string what, string asyncFunction, object? arg = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await page.Page.EvaluateAsync<bool>(asyncFunction, arg))
        {
            if (DateTime.UtcNow > deadline)
            {
                var seen = await page.Page.EvaluateAsync<string?>("() => window.lastVideoCheck ?? null");
                Assert.Fail($"{page.Page.Url} did not show {what} within 30 s.{(seen is null ? "" : $" The page's videos: {seen}")}" +
                    $" Its inbound media: {await InboundMediaAsync(page)}");
            }
            await Task.Delay(250);
        }
    }

    /// <summary>
    /// A host signs up, starts a meeting and joins it; then each of <paramref name="guests"/> opens the meeting's
    /// page in a browser of their own and joins. Everyone is connected and sees everyone's tile.
    /// </summary>
    public static async Task<Call> MeetAsync(JourneyFixture fixture, string title, string hostName, params string[] guests)
    {
        var host = await fixture.NewPageAsync();
        var hostEmail = await SignUpAsync(host, hostName);
        var code = await StartMeetingAsync(host, title);
        await JoinFromPreJoinAsync(host, hostName);
        await ExpectConnectedAsync(host);
        var people = new List<WatchedPage> { host };
        foreach (var name in guests)
        {
            var guest = await fixture.NewPageAsync();
            await OpenAndJoinAsync(guest, code, name);
            await ExpectConnectedAsync(guest);
            people.Add(guest);
        }
        foreach (var person in people)
        {
            await Assertions.Expect(person.Page.Locator("[data-testid=tile]:not(.screen)")).ToHaveCountAsync(people.Count);
        }
        return new Call(code, host, people.Skip(1).ToList(), hostEmail);
    }

    /// <summary>Opens the side panel <paramref name="testId"/> (toggle-chat, toggle-people) if it is not open.</summary>
    public static async Task OpenPanelAsync(WatchedPage person, string testId)
    {
        var toggle = person.Page.GetByTestId(testId);
        if (await toggle.GetAttributeAsync("aria-pressed") != "true")
        {
            await toggle.ClickAsync();
        }
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-pressed", "true");
    }

    /// <summary>
    /// Runs <paramref name="expectation"/>; when it fails, the message also gives what each of <paramref name="pages"/>
    /// showed then: its call state, its people list and anything that went wrong on it (console errors, refused requests).
    /// A failure seen once in a CI run is otherwise only "element(s) not found".
    /// </summary>
    public static async Task ExplainedAsync(Func<Task> expectation, params WatchedPage[] pages)
    {
        try
        {
            await expectation();
        }
        catch (PlaywrightException failed)
        {
            var seen = new List<string>();
            foreach (var page in pages)
            {
                var state = await page.Page.GetByTestId("call-room").GetAttributeAsync("data-state", new() { Timeout = 1_000 }).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : "(no call)");
                var people = await page.Page.GetByTestId("people-list").InnerTextAsync(new() { Timeout = 1_000 }).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result.ReplaceLineEndings(" | ") : "(people list closed)");
                // A page waiting for its circuit is covered by the reconnect dialog (clicks wait, then time out), and one
                // whose circuit the server rejected reloads itself onto the pre-join page: say which, if either.
                var connection = await page.Page.EvaluateAsync<string>("""
                    () => {
                      const dialog = document.getElementById('components-reconnect-modal');
                      const loaded = performance.getEntriesByType('navigation')[0]?.type ?? 'unknown';
                      return `reconnect dialog ${dialog ? (dialog.open ? 'open (' + dialog.className + ')' : 'closed') : 'absent'}, page loaded by ${loaded}`;
                    }
                    """).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : "(page not answering)");
                var problems = await Record.ExceptionAsync(() => page.ExpectNothingWrongAsync());
                seen.Add($"{page.Page.Url}: call {state}; people: {people}; {connection}; {problems?.Message ?? "nothing went wrong on the page"}");
            }
            // First, as CI shows only the message's first lines; Playwright's own (locator, call log, aria snapshot) follows.
            throw new PlaywrightException($"{string.Join(Environment.NewLine, seen)}{Environment.NewLine}{failed.Message}", failed);
        }
    }

    /// <summary>Sends <paramref name="text"/> in the chat (opening it first).</summary>
    public static async Task SendChatAsync(WatchedPage person, string text)
    {
        await OpenPanelAsync(person, "toggle-chat");
        await person.Page.GetByLabel("Message", new() { Exact = true }).FillAsync(text);
        await person.Page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Assertions.Expect(person.Page.Locator("[data-testid=chat-log] li.mine p").Last).ToHaveTextAsync(text);
    }
}

/// <summary>A meeting in progress: its code, the host's page, the guests' pages in the order they joined, and the host's account.</summary>
sealed record Call(string Code, WatchedPage Host, IReadOnlyList<WatchedPage> Guests, string HostEmail)
{
    public IEnumerable<WatchedPage> Everyone => [Host, .. Guests];
}
