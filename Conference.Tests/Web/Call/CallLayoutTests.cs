using Conference.Web.Components.Call;

namespace Conference.Tests.Web.Call;

public class CallLayoutTests
{
    static ParticipantState Person(string identity, bool isLocal = false, bool screen = false) =>
        new(identity, identity, isLocal, "Guest", false, ConnectionQuality.Good, true, true, screen, false, null, null, null, null);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(4, 2)]
    [InlineData(5, 3)]
    [InlineData(10, 4)]
    public void Grid_is_near_square(int tiles, int columns) => Assert.Equal(columns, CallLayout.Columns(tiles));

    [Fact]
    public void Everyone_in_a_grid_when_nothing_is_shared_or_pinned()
    {
        var snapshot = new RoomSnapshot([Person("me", isLocal: true), Person("ada")], ["ada"]);
        var arrangement = CallLayout.Arrange(snapshot, LayoutMode.Grid, null, null);
        Assert.Null(arrangement.Focus);
        Assert.Equal(["me", "ada"], arrangement.Others.Select(t => t.Key));
    }

    [Fact]
    public void A_screen_share_takes_the_stage_by_itself()
    {
        var snapshot = new RoomSnapshot([Person("me", isLocal: true), Person("ada", screen: true)], []);
        var arrangement = CallLayout.Arrange(snapshot, LayoutMode.Grid, null, null);
        Assert.Equal("ada/screen", arrangement.Focus!.Key);
        Assert.Equal("ada's screen", arrangement.Focus.Label);
        Assert.Equal(["me", "ada"], arrangement.Others.Select(t => t.Key));
    }

    [Fact]
    public void A_pinned_tile_wins_over_a_screen_share()
    {
        var snapshot = new RoomSnapshot([Person("me", isLocal: true), Person("ada", screen: true), Person("bob")], []);
        Assert.Equal("bob", CallLayout.Arrange(snapshot, LayoutMode.Grid, "bob", null).Focus!.Key);
    }

    [Fact]
    public void Speaker_layout_follows_the_loudest_remote_and_keeps_the_last_one_in_a_pause()
    {
        var people = new[] { Person("me", isLocal: true), Person("ada"), Person("bob") };
        Assert.Equal("bob", CallLayout.Arrange(new RoomSnapshot(people, ["me", "bob", "ada"]), LayoutMode.Speaker, null, null).Focus!.Key);
        Assert.Equal("bob", CallLayout.Arrange(new RoomSnapshot(people, []), LayoutMode.Speaker, null, "bob").Focus!.Key);
        Assert.Equal("bob", CallLayout.LoudestRemote(new RoomSnapshot(people, ["me", "bob"])));
    }

    [Fact]
    public void Speaker_layout_alone_in_the_room_is_a_grid()
    {
        var snapshot = new RoomSnapshot([Person("me", isLocal: true)], []);
        Assert.Null(CallLayout.Arrange(snapshot, LayoutMode.Speaker, null, null).Focus);
    }
}
