using Conference.Web.Changes;

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
    readonly PageListeners<Func<Task>> pages = new();

    /// <summary>Calls <paramref name="checkSignIn"/> whenever account <paramref name="accountId"/>'s sign-ins may have ended, until disposed.</summary>
    public IDisposable Subscribe(string accountId, Func<Task> checkSignIn) => pages.Add(accountId, checkSignIn);

    /// <summary>How many pages listen now (for tests).</summary>
    public int Count => pages.Count;

    /// <summary>Passes a change to the pages of its account; other accounts' pages hear nothing.</summary>
    public Task NotifyAsync(AccountChange change) => Task.WhenAll(pages.Snapshot(change.Account).Select(CallAsync));

    /// <summary>Has every page check its sign-in: after the link to Redis came back, since what was published meanwhile is lost.</summary>
    public Task NotifyEveryoneAsync() => Task.WhenAll(pages.Snapshot().Select(CallAsync));

    async Task CallAsync(PageListeners<Func<Task>>.Listener page)
    {
        try
        {
            await page.Handler();
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "A page failed to check its sign-in after a change of account {Account}", page.Key);
        }
    }
}
