using Conference.Web.Meetings;
using Microsoft.Extensions.Logging.Abstractions;

namespace Conference.Tests.Web;

public sealed class MeetingChangeNotificationsTests
{
    readonly MeetingChangeNotifications notifications = new(NullLogger<MeetingChangeNotifications>.Instance);

    [Fact]
    public async Task A_page_that_throws_does_not_keep_the_others_from_hearing()
    {
        var heard = new List<MeetingChangeKind>();
        using var broken = notifications.Subscribe("abc-defg-hij", _ => throw new InvalidOperationException("a page's bug"));
        using var fine = notifications.Subscribe("abc-defg-hij", change => { heard.Add(change.What); return Task.CompletedTask; });

        await notifications.NotifyAsync(new MeetingChange("abc-defg-hij", MeetingChangeKind.Lobby));

        Assert.Equal([MeetingChangeKind.Lobby], heard);
    }

    [Fact]
    public async Task Closed_pages_hear_nothing_and_leave_nothing_behind_and_everyone_hears_a_resync()
    {
        var heard = new List<MeetingChange>();
        var closed = notifications.Subscribe("abc-defg-hij", change => { heard.Add(change); return Task.CompletedTask; });
        using var all = notifications.Subscribe(null, change => { heard.Add(change); return Task.CompletedTask; });
        closed.Dispose();
        closed.Dispose(); // twice is harmless

        await notifications.NotifyAsync(new MeetingChange("abc-defg-hij", MeetingChangeKind.Lobby));
        await notifications.NotifyEveryoneAsync();

        Assert.Equal(1, notifications.Count);
        Assert.Equal(2, heard.Count);
        Assert.True(heard[1].IsResync);
    }
}
