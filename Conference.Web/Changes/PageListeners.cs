namespace Conference.Web.Changes;

/// <summary>
/// The open pages listening for changes, by key (a meeting's slug, an account's id): a page adds its handler while it
/// is open and disposes the registration when it closes. Few pages per key, and adding is rare next to notifying: one
/// lock, and an empty key's entry goes away, so a long-running web keeps none for the meetings it ever showed.
/// Thread-safe; handlers are returned as a snapshot to call outside the lock.
/// </summary>
/// <typeparam name="THandler">What a page gives to be called with, e.g. <c>Func&lt;MeetingChange, Task&gt;</c>.</typeparam>
public sealed class PageListeners<THandler> where THandler : class
{
    readonly Dictionary<string, List<Listener>> listeners = [];
    readonly Lock gate = new();

    /// <summary>One page's handler for one key.</summary>
    public sealed class Listener(PageListeners<THandler> owner, string key, THandler handler) : IDisposable
    {
        public string Key { get; } = key;

        public THandler Handler { get; } = handler;

        public void Dispose() => owner.Remove(this);
    }

    /// <summary>Adds <paramref name="handler"/> for <paramref name="key"/> until the result is disposed.</summary>
    public IDisposable Add(string key, THandler handler)
    {
        var listener = new Listener(this, key, handler);
        lock (gate)
        {
            if (!listeners.TryGetValue(key, out var list))
            {
                listeners[key] = list = [];
            }
            list.Add(listener);
        }
        return listener;
    }

    /// <summary>How many pages listen now (for tests and the figures in bench/).</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return listeners.Values.Sum(list => list.Count);
            }
        }
    }

    /// <summary>The listeners for any of <paramref name="keys"/>, or for every key when none is given.</summary>
    public Listener[] Snapshot(params string[] keys)
    {
        lock (gate)
        {
            return keys.Length == 0
                ? [.. listeners.Values.SelectMany(list => list)]
                : [.. keys.SelectMany(key => listeners.TryGetValue(key, out var list) ? list : [])];
        }
    }

    void Remove(Listener listener)
    {
        lock (gate)
        {
            if (listeners.TryGetValue(listener.Key, out var list) && list.Remove(listener) && list.Count == 0)
            {
                listeners.Remove(listener.Key);
            }
        }
    }
}
