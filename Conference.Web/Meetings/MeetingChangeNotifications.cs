using Conference.Web.Changes;

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

    readonly PageListeners<Func<MeetingChange, Task>> pages = new();

    /// <summary>Calls <paramref name="onChange"/> for every change of meeting <paramref name="slug"/> (null: of every meeting) until disposed.</summary>
    public IDisposable Subscribe(string? slug, Func<MeetingChange, Task> onChange) => pages.Add(slug ?? AllMeetings, onChange);

    /// <summary>How many pages listen now (for tests and the figures in bench/).</summary>
    public int Count => pages.Count;

    /// <summary>Passes a change to the pages that listen for its meeting, and to those that listen for all.</summary>
    public Task NotifyAsync(MeetingChange change) =>
        Task.WhenAll(pages.Snapshot(change.Slug, AllMeetings).Select(page => CallAsync(page, change)));

    /// <summary>Tells every page to read its data again (<see cref="MeetingChangeKind.Resync"/>).</summary>
    public Task NotifyEveryoneAsync() =>
        Task.WhenAll(pages.Snapshot().Select(page => CallAsync(page, new MeetingChange(page.Key, MeetingChangeKind.Resync))));

    async Task CallAsync(PageListeners<Func<MeetingChange, Task>>.Listener page, MeetingChange change)
    {
        try
        {
            await page.Handler(change);
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "A page failed to handle the {What} change of meeting {Meeting}", change.What, change.Slug);
        }
    }
}
