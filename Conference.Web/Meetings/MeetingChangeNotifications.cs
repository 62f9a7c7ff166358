namespace Conference.Web.Meetings;

/// <summary>
/// Tells open pages about meeting changes, as eShop's OrderStatusNotificationService does for orders: a page
/// subscribes for one meeting (or all) while it is open and disposes the subscription when it closes; the
/// <see cref="MeetingChangeSubscriber"/> feeds in what arrives on Redis. Handlers run on the notifying thread: a page
/// marshals to its renderer (InvokeAsync) itself. One failing handler does not keep the others from hearing.
/// </summary>
public sealed class MeetingChangeNotifications(ILogger<MeetingChangeNotifications> logger)
{
    const string AllMeetings = "";

    // Few pages per meeting, and subscribing is rare next to notifying: one lock, and an empty meeting's entry goes
    // away, so a long-running web does not keep one per meeting it ever showed.
    readonly Dictionary<string, List<Subscription>> subscriptions = [];
    readonly Lock gate = new();

    /// <summary>Calls <paramref name="onChange"/> for every change of meeting <paramref name="slug"/> (null: of every meeting) until disposed.</summary>
    public IDisposable Subscribe(string? slug, Func<MeetingChange, Task> onChange)
    {
        var subscription = new Subscription(this, slug ?? AllMeetings, onChange);
        lock (gate)
        {
            if (!subscriptions.TryGetValue(subscription.Key, out var list))
            {
                subscriptions[subscription.Key] = list = [];
            }
            list.Add(subscription);
        }
        return subscription;
    }

    /// <summary>How many pages listen now (for tests and the figures in bench/).</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return subscriptions.Values.Sum(list => list.Count);
            }
        }
    }

    /// <summary>Passes a change to the pages that listen for its meeting, and to those that listen for all.</summary>
    public Task NotifyAsync(MeetingChange change)
    {
        Subscription[] listeners;
        lock (gate)
        {
            listeners = [.. Listeners(change.Slug), .. Listeners(AllMeetings)];
        }
        return Task.WhenAll(listeners.Select(s => CallAsync(s, change)));
    }

    /// <summary>Tells every page to read its data again (<see cref="MeetingChangeKind.Resync"/>).</summary>
    public Task NotifyEveryoneAsync()
    {
        Subscription[] listeners;
        lock (gate)
        {
            listeners = [.. subscriptions.Values.SelectMany(list => list)];
        }
        return Task.WhenAll(listeners.Select(s => CallAsync(s, new MeetingChange(s.Key, MeetingChangeKind.Resync))));
    }

    IEnumerable<Subscription> Listeners(string key) =>
        subscriptions.TryGetValue(key, out var list) ? list : [];

    async Task CallAsync(Subscription subscription, MeetingChange change)
    {
        try
        {
            await subscription.OnChange(change);
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "A page failed to handle the {What} change of meeting {Meeting}", change.What, change.Slug);
        }
    }

    void Remove(Subscription subscription)
    {
        lock (gate)
        {
            if (subscriptions.TryGetValue(subscription.Key, out var list) && list.Remove(subscription) && list.Count == 0)
            {
                subscriptions.Remove(subscription.Key);
            }
        }
    }

    sealed class Subscription(MeetingChangeNotifications owner, string key, Func<MeetingChange, Task> onChange) : IDisposable
    {
        public string Key { get; } = key;

        public Func<MeetingChange, Task> OnChange { get; } = onChange;

        public void Dispose() => owner.Remove(this);
    }
}
