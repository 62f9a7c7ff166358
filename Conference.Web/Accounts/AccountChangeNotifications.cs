namespace Conference.Web.Accounts;

/// <summary>
/// Tells the open pages of an account that its sign-ins may have ended (<see cref="AccountChange"/>), as
/// <see cref="Meetings.MeetingChangeNotifications"/> does for meetings: a page (MainLayout, in a circuit) subscribes
/// for its account while it is open and disposes the subscription when it closes; the
/// <see cref="AccountChangeSubscriber"/> feeds in what arrives on Redis. The handler asks the api whether the page's
/// own sign-in still works; it runs on the notifying thread. One failing handler does not keep the others from hearing.
/// </summary>
public sealed class AccountChangeNotifications(ILogger<AccountChangeNotifications> logger)
{
    readonly Dictionary<string, List<Subscription>> subscriptions = [];
    readonly Lock gate = new();

    /// <summary>Calls <paramref name="checkSignIn"/> whenever account <paramref name="accountId"/>'s sign-ins may have ended, until disposed.</summary>
    public IDisposable Subscribe(string accountId, Func<Task> checkSignIn)
    {
        var subscription = new Subscription(this, accountId, checkSignIn);
        lock (gate)
        {
            if (!subscriptions.TryGetValue(accountId, out var list))
            {
                subscriptions[accountId] = list = [];
            }
            list.Add(subscription);
        }
        return subscription;
    }

    /// <summary>How many pages listen now (for tests).</summary>
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

    /// <summary>Passes a change to the pages of its account; other accounts' pages hear nothing.</summary>
    public Task NotifyAsync(AccountChange change)
    {
        Subscription[] listeners;
        lock (gate)
        {
            listeners = subscriptions.TryGetValue(change.Account, out var list) ? [.. list] : [];
        }
        return Task.WhenAll(listeners.Select(CallAsync));
    }

    /// <summary>Has every page check its sign-in: after the link to Redis came back, since what was published meanwhile is lost.</summary>
    public Task NotifyEveryoneAsync()
    {
        Subscription[] listeners;
        lock (gate)
        {
            listeners = [.. subscriptions.Values.SelectMany(list => list)];
        }
        return Task.WhenAll(listeners.Select(CallAsync));
    }

    async Task CallAsync(Subscription subscription)
    {
        try
        {
            await subscription.CheckSignIn();
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "A page failed to check its sign-in after a change of account {Account}", subscription.Account);
        }
    }

    void Remove(Subscription subscription)
    {
        lock (gate)
        {
            if (subscriptions.TryGetValue(subscription.Account, out var list) && list.Remove(subscription) && list.Count == 0)
            {
                subscriptions.Remove(subscription.Account);
            }
        }
    }

    sealed class Subscription(AccountChangeNotifications owner, string account, Func<Task> checkSignIn) : IDisposable
    {
        public string Account { get; } = account;

        public Func<Task> CheckSignIn { get; } = checkSignIn;

        public void Dispose() => owner.Remove(this);
    }
}
