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

    public async Task CloseAllAsync()
    {
        while (contexts.TryDequeue(out var context))
        {
            await context.CloseAsync();
        }
    }
}
