using Contracts = Conference.Contracts;

namespace Conference.Web.Meetings;

/// <summary>
/// "Something changed in meeting X", as the api and the recorder publish it on Redis
/// (<see cref="Contracts.MeetingChange"/>, the same JSON; the names are the contract's). <see cref="What"/> names the
/// change: one of the constants below, or a LiveKit webhook event's name (room_started, participant_joined…). Pages
/// filter on it to refresh only what changed.
/// </summary>
/// <param name="Participant">For a change to one person (<see cref="Muted"/>): their LiveKit identity.</param>
/// <param name="By">For a moderation change: the display name of the host or co-host who made it.</param>
/// <param name="Track">For <see cref="Muted"/>: the sid of the muted track.</param>
public sealed record MeetingChange(string Slug, string What, string? Participant = null, string? By = null, string? Track = null)
{
    /// <summary>The Redis channel the api and the recorder publish on.</summary>
    public const string Channel = Contracts.MeetingChange.Channel;

    /// <inheritdoc cref="Contracts.MeetingChange.Lobby"/>
    public const string Lobby = Contracts.MeetingChange.Lobby;

    /// <inheritdoc cref="Contracts.MeetingChange.Recording"/>
    public const string Recording = Contracts.MeetingChange.Recording;

    /// <inheritdoc cref="Contracts.MeetingChange.Muted"/>
    public const string Muted = Contracts.MeetingChange.Muted;

    /// <inheritdoc cref="Contracts.MeetingChange.Lock"/>
    public const string Lock = Contracts.MeetingChange.Lock;

    /// <inheritdoc cref="Contracts.MeetingChange.Settings"/>
    public const string Settings = Contracts.MeetingChange.Settings;

    /// <inheritdoc cref="Contracts.MeetingChange.Ended"/>
    public const string Ended = Contracts.MeetingChange.Ended;

    /// <inheritdoc cref="Contracts.MeetingChange.Deleted"/>
    public const string Deleted = Contracts.MeetingChange.Deleted;

    /// <summary>
    /// Not published by anyone: the web's own word, sent to every page after its link to Redis came back, because
    /// changes published while it was down are lost (Redis pub/sub keeps nothing). Pages read their data again.
    /// </summary>
    public const string Resync = "resync";

    public bool IsResync => What == Resync;
}

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

    /// <summary>Tells every page to read its data again (<see cref="MeetingChange.Resync"/>).</summary>
    public Task NotifyEveryoneAsync()
    {
        Subscription[] listeners;
        lock (gate)
        {
            listeners = [.. subscriptions.Values.SelectMany(list => list)];
        }
        return Task.WhenAll(listeners.Select(s => CallAsync(s, new MeetingChange(s.Key, MeetingChange.Resync))));
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
