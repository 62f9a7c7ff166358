using Microsoft.Playwright;

namespace Conference.Tests.Infrastructure;

/// <summary>A fixture whose tests open browser pages (people, each in a browser profile of their own).</summary>
public interface IOpensPages
{
    /// <summary>Closes every page opened so far, as people closing their tabs.</summary>
    Task ClosePagesAsync();
}

/// <summary>
/// A test class whose tests open browser pages: when each test ends, its people close their tabs. A page left open
/// stays in its call, sending and decoding video; a full run once had 56 Chromium renderers alive (journeys) and,
/// another time, 49 (web tests), and every later test shared two cores with them all.
/// </summary>
public abstract class BrowserTest(IOpensPages pages) : IAsyncLifetime
{
    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => pages.ClosePagesAsync();
}

/// <summary>The browser contexts a fixture opened and has not closed yet.</summary>
sealed class OpenContexts
{
    readonly System.Collections.Concurrent.ConcurrentQueue<IBrowserContext> contexts = new();

    public void Add(IBrowserContext context) => contexts.Enqueue(context);

    /// <summary>
    /// How long one context may take to close. Closing takes well under a second; once (session 19, the web-restart
    /// journey failed with its pages reloading) it had not returned after six minutes, and a hang here would hold the
    /// whole run until CI's limit. Past this the test fails, naming the pages, and the rest of the run goes on.
    /// </summary>
    static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Closes every context; throws <see cref="TimeoutException"/> naming the pages of any that did not close in time.</summary>
    public async Task CloseAllAsync()
    {
        var stuck = new List<string>();
        while (contexts.TryDequeue(out var context))
        {
            try
            {
                await context.CloseAsync().WaitAsync(CloseTimeout);
            }
            catch (TimeoutException)
            {
                stuck.Add(string.Join(", ", context.Pages.Select(page => page.Url)));
            }
        }
        if (stuck.Count > 0)
        {
            throw new TimeoutException($"{stuck.Count} browser contexts did not close within {CloseTimeout.TotalSeconds} s; their pages: {string.Join("; ", stuck)}");
        }
    }
}
