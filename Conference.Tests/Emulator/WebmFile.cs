using System.Buffers.Binary;

namespace Conference.Tests.Emulator;

/// <summary>
/// What a WebM file says about its length, read the way a player reads it (Matroska/WebM, RFC 9559): the Segment
/// Info's <c>Duration</c> in <c>TimestampScale</c> units, against the time of the last block in its clusters, and
/// which track is video and which audio (each TrackEntry's <c>TrackType</c>).
/// Only the elements needed for that are read; masters of unknown size (a live writer's Segment and Clusters) are
/// walked into, everything else is skipped by its size.
/// </summary>
sealed record WebmFile(TimeSpan? DeclaredDuration, IReadOnlyDictionary<int, WebmFile.Track> Tracks)
{
    /// <summary>One track's kind (<c>video</c>, <c>audio</c>, or the TrackType number) and blocks (frames): how many, and the time of the first and the last.</summary>
    public sealed record Track(string Kind, int Blocks, TimeSpan First, TimeSpan Last);

    /// <summary>The track whose TrackType says video (1).</summary>
    public Track Video => Tracks.Values.Single(t => t.Kind == "video");

    /// <summary>The track whose TrackType says audio (2).</summary>
    public Track Audio => Tracks.Values.Single(t => t.Kind == "audio");

    /// <summary>The time of the last block of any track: how long the file's media really lasts.</summary>
    public TimeSpan LastBlock => Tracks.Values.Select(t => t.Last).DefaultIfEmpty().Max();

    const uint Ebml = 0x1A45DFA3, Segment = 0x18538067, Info = 0x1549A966, TimestampScale = 0x2AD7B1, Duration = 0x4489,
        Cluster = 0x1F43B675, Timestamp = 0xE7, SimpleBlock = 0xA3, BlockGroup = 0xA0, Block = 0xA1,
        TrackList = 0x1654AE6B, TrackEntry = 0xAE, TrackNumber = 0xD7, TrackType = 0x83;

    /// <summary>Reads <paramref name="file"/>; throws <see cref="InvalidDataException"/> when it is not EBML.</summary>
    public static WebmFile Read(ReadOnlySpan<byte> file)
    {
        var position = 0;
        var scale = 1_000_000L; // ns per unit: Matroska's default
        double? duration = null;
        long clusterTime = 0;
        var tracks = new Dictionary<int, (int Blocks, long First, long Last)>();
        var kinds = new Dictionary<int, string>();
        (int? Number, ulong? Type) entry = (null, null);
        var first = true;
        while (position < file.Length)
        {
            var id = ReadId(file, ref position);
            var size = ReadSize(file, ref position);
            if (first && id != Ebml)
            {
                throw new InvalidDataException($"not an EBML file (first element 0x{id:X})");
            }
            first = false;
            switch (id)
            {
                case Segment or Info or Cluster or BlockGroup or TrackList:
                    continue; // walk in: their children follow
                case TrackEntry:
                    entry = (null, null);
                    continue;
                case var _ when size is null:
                    throw new InvalidDataException($"element 0x{id:X} at {position} has an unknown size and is not a master this reader walks into");
                case TimestampScale:
                    scale = (long)ReadUnsigned(file.Slice(position, (int)size!.Value));
                    break;
                case Duration:
                    duration = size == 4 ? BinaryPrimitives.ReadSingleBigEndian(file.Slice(position, 4)) : BinaryPrimitives.ReadDoubleBigEndian(file.Slice(position, 8));
                    break;
                case TrackNumber or TrackType:
                    var value = ReadUnsigned(file.Slice(position, (int)size!.Value));
                    entry = id == TrackNumber ? (checked((int)value), entry.Type) : (entry.Number, value);
                    if (entry is { Number: { } number, Type: { } type })
                    {
                        kinds[number] = type switch { 1 => "video", 2 => "audio", _ => type.ToString() };
                    }
                    break;
                case Timestamp:
                    clusterTime = (long)ReadUnsigned(file.Slice(position, (int)size!.Value));
                    break;
                case SimpleBlock or Block:
                    var inner = position;
                    var track = (int)ReadSize(file, ref inner)!.Value; // the track number, coded like a size
                    var time = clusterTime + BinaryPrimitives.ReadInt16BigEndian(file.Slice(inner, 2));
                    tracks[track] = tracks.TryGetValue(track, out var seen)
                        ? (seen.Blocks + 1, Math.Min(seen.First, time), Math.Max(seen.Last, time))
                        : (1, time, time);
                    break;
            }
            position += (int)Math.Min(size!.Value, file.Length - position);
        }
        TimeSpan Time(double units) => TimeSpan.FromTicks((long)(units * scale / 100));
        return new WebmFile(duration is { } d ? Time(d) : null,
            tracks.ToDictionary(t => t.Key, t => new Track(kinds.GetValueOrDefault(t.Key, "unknown"), t.Value.Blocks, Time(t.Value.First), Time(t.Value.Last))));
    }

    static uint ReadId(ReadOnlySpan<byte> file, ref int position)
    {
        var length = LeadingZeros(file[position]) + 1;
        if (length > 4)
        {
            throw new InvalidDataException($"bad element id at {position}");
        }
        uint id = 0;
        for (var i = 0; i < length; i++)
        {
            id = (id << 8) | file[position + i];
        }
        position += length;
        return id;
    }

    /// <summary>An EBML variable-size integer; null for "unknown size" (all value bits set).</summary>
    static long? ReadSize(ReadOnlySpan<byte> file, ref int position)
    {
        var length = LeadingZeros(file[position]) + 1;
        if (length > 8)
        {
            throw new InvalidDataException($"bad size at {position}");
        }
        long value = file[position] & (0xFF >> length);
        var allOnes = value == (0xFF >> length);
        for (var i = 1; i < length; i++)
        {
            value = (value << 8) | file[position + i];
            allOnes &= file[position + i] == 0xFF;
        }
        position += length;
        return allOnes ? null : value;
    }

    static ulong ReadUnsigned(ReadOnlySpan<byte> bytes)
    {
        ulong value = 0;
        foreach (var b in bytes)
        {
            value = (value << 8) | b;
        }
        return value;
    }

    static int LeadingZeros(byte b) => b == 0 ? 8 : System.Numerics.BitOperations.LeadingZeroCount((uint)b) - 24;
}
