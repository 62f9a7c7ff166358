using Bunit;
using Conference.Web.Components.Call;

namespace Conference.Tests.Web.Call;

public class ParticipantTileTests : CallTestBase
{
    IRenderedComponent<ParticipantTile> Draw(ParticipantState person, bool screen = false) =>
        Render<ParticipantTile>(p => p.Add(x => x.Tile, new Tile(person, screen)));

    [Theory]
    [InlineData("Host", "Host")]
    [InlineData("CoHost", "Co-host")]
    public void Who_runs_the_meeting_is_marked_on_their_tile_whatever_name_they_chose(string role, string mark)
    {
        var tile = Draw(Person("pat-1", "Pat", role: role));
        Assert.Equal(mark, tile.Find("[data-testid=tile-role]").TextContent);
        Assert.Equal("Pat", tile.Find(".tile-name").TextContent);
    }

    [Fact]
    public void A_guest_who_took_the_hosts_name_has_no_such_mark()
    {
        // A newcomer joined as "Hannah Host" beside the real Hannah Host: two tiles that read the same.
        var impostor = Draw(Person("guest-7", "Hannah Host"));
        var host = Draw(Person("hannah-1", "Hannah Host", role: "Host"));
        Assert.Empty(impostor.FindAll("[data-testid=tile-role]"));
        Assert.Single(host.FindAll("[data-testid=tile-role]"));
    }

    [Fact]
    public void A_hosts_shared_screen_is_not_marked_as_a_person()
    {
        var screen = Draw(Person("hannah-1", "Hannah Host", role: "Host", screen: true), screen: true);
        Assert.Empty(screen.FindAll("[data-testid=tile-role]"));
        Assert.Equal("Hannah Host's screen", screen.Find(".tile-name").TextContent);
    }
}
