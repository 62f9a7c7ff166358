namespace Conference.Web.Components.Call;

/// <summary>One tile: a participant's camera, or their screen share.</summary>
public sealed record Tile(ParticipantState Participant, bool IsScreenShare)
{
    /// <summary>Stable across snapshots: pinning and the DOM keys use it.</summary>
    public string Key => IsScreenShare ? $"{Participant.Identity}/screen" : Participant.Identity;

    public string Source => IsScreenShare ? "screen_share" : "camera";

    public string Label => IsScreenShare ? $"{Participant.Name}'s screen" : Participant.Name;
}

public enum LayoutMode
{
    Grid,
    Speaker,
}

/// <summary>What the stage shows: one focused tile with the rest in a strip, or everyone in a grid.</summary>
public sealed record Arrangement(Tile? Focus, IReadOnlyList<Tile> Others, int Columns);

/// <summary>
/// Picks the arrangement, as LiveKit Meet and Jitsi do: a pinned tile wins; else a screen share takes the stage
/// by itself; else the speaker layout follows the loudest remote speaker; else a grid.
/// </summary>
public static class CallLayout
{
    public static IReadOnlyList<Tile> Tiles(RoomSnapshot snapshot)
    {
        var tiles = new List<Tile>();
        foreach (var p in snapshot.Participants)
        {
            tiles.Add(new Tile(p, false));
        }
        foreach (var p in snapshot.Participants.Where(p => p.ScreenSharing))
        {
            tiles.Add(new Tile(p, true));
        }
        return tiles;
    }

    public static Arrangement Arrange(RoomSnapshot snapshot, LayoutMode mode, string? pinnedKey, string? lastSpeaker)
    {
        var tiles = Tiles(snapshot);
        var focus = tiles.FirstOrDefault(t => t.Key == pinnedKey)
                    ?? tiles.FirstOrDefault(t => t.IsScreenShare)
                    ?? (mode == LayoutMode.Speaker && tiles.Count > 1 ? SpeakerTile(tiles, snapshot, lastSpeaker) : null);
        if (focus is null)
        {
            return new Arrangement(null, tiles, Columns(tiles.Count));
        }
        return new Arrangement(focus, tiles.Where(t => t != focus).ToList(), 0);
    }

    /// <summary>The loudest remote speaker now, or the last one heard (so the stage does not jump at every pause).</summary>
    static Tile? SpeakerTile(IReadOnlyList<Tile> tiles, RoomSnapshot snapshot, string? lastSpeaker)
    {
        var cameras = tiles.Where(t => !t.IsScreenShare).ToList();
        var speaking = snapshot.ActiveSpeakers.Select(id => cameras.FirstOrDefault(t => t.Key == id && !t.Participant.IsLocal)).FirstOrDefault(t => t is not null);
        return speaking
               ?? cameras.FirstOrDefault(t => t.Key == lastSpeaker)
               ?? cameras.FirstOrDefault(t => !t.Participant.IsLocal);
    }

    /// <summary>A near-square grid: 1, 2, 2, 2, 3, 3, 3, 3, 3, 4… columns (CSS narrows it on a phone).</summary>
    public static int Columns(int count) => Math.Max(1, (int)Math.Ceiling(Math.Sqrt(count)));

    /// <summary>The remote speaker to remember for the speaker layout.</summary>
    public static string? LoudestRemote(RoomSnapshot snapshot) =>
        snapshot.ActiveSpeakers.FirstOrDefault(id => snapshot.Participants.Any(p => p.Identity == id && !p.IsLocal));
}
