namespace Conference.Contracts;

/// <summary>The Redis keys the api and the recorder share (both already use the one Redis).</summary>
public static class SharedRedisKeys
{
    /// <summary>Set by the recorder while the meeting is being recorded; read by the api for <c>GET /api/meetings/{slug}</c>.</summary>
    public static string RecordingFlag(string meetingSlug) => $"conference:recording:{meetingSlug}";
}
