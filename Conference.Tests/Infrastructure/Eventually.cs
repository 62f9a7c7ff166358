using System.Diagnostics;

namespace Conference.Tests.Infrastructure;

/// <summary>
/// Waits for what the system does in its own time (a background service, a message on Redis, recovery after an
/// outage): reads again every <see cref="DefaultEvery"/> (or as told) until the answer holds, and fails naming what
/// was awaited and the last answer once <c>within</c> has passed. A test that passes returns at the first answer that
/// holds, so the limit is what a slow CI machine may need, not what the test takes.
/// </summary>
public static class Eventually
{
    /// <summary>How long to wait when the caller does not say.</summary>
    public static readonly TimeSpan DefaultWithin = TimeSpan.FromSeconds(20);

    /// <summary>The pause between two reads when the caller does not say (a caller whose reads cost, e.g. on a rate-limited endpoint, asks less often).</summary>
    public static readonly TimeSpan DefaultEvery = TimeSpan.FromMilliseconds(100);

    /// <summary>Reads until <paramref name="until"/> holds and returns that answer.</summary>
    /// <param name="awaited">What the test waits for, in words, e.g. "the recording is Ready".</param>
    public static async Task<T> ReadAsync<T>(Func<Task<T>> read, Func<T, bool> until, string awaited, TimeSpan? within = null, TimeSpan? every = null)
    {
        var limit = within ?? DefaultWithin;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var answer = await read();
            if (until(answer))
            {
                return answer;
            }
            if (clock.Elapsed > limit)
            {
                Assert.Fail($"Waited {limit.TotalSeconds:0.#} s for {awaited}; the last answer was {Describe(answer)}");
            }
            await Task.Delay(every ?? DefaultEvery);
        }
    }

    /// <summary>Asks until <paramref name="condition"/> is true.</summary>
    public static Task TrueAsync(Func<Task<bool>> condition, string awaited, TimeSpan? within = null, TimeSpan? every = null) =>
        ReadAsync(condition, holds => holds, awaited, within, every);

    /// <summary>Looks until <paramref name="condition"/> is true (state that something else changes, e.g. a queue a handler fills).</summary>
    public static Task TrueAsync(Func<bool> condition, string awaited, TimeSpan? within = null) =>
        ReadAsync(() => Task.FromResult(condition()), holds => holds, awaited, within);

    static string Describe<T>(T answer) => answer switch
    {
        null => "null",
        string text => $"\"{text}\"",
        System.Collections.IEnumerable items => $"[{string.Join(", ", items.Cast<object?>())}]",
        _ => answer.ToString() ?? "",
    };
}
