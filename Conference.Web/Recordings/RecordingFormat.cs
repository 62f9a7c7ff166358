using System.Globalization;
using Conference.Web.Api;

namespace Conference.Web.Recordings;

/// <summary>A recording's facts in words: "12 min 5 s · 48.3 MB · speaker layout".</summary>
public static class RecordingFormat
{
    public static string Describe(Recording recording)
    {
        var parts = new List<string>();
        if (recording.DurationSeconds is { } seconds)
        {
            parts.Add(Duration(TimeSpan.FromSeconds(seconds)));
        }
        if (recording.SizeBytes is { } bytes)
        {
            parts.Add(Size(bytes));
        }
        parts.Add(recording.AudioOnly ? "audio only" : $"{recording.Layout ?? "grid"} layout");
        return string.Join(" · ", parts);
    }

    /// <summary>
    /// What the recording is of, for labels: "Design review (abc-defg-hij)" — a title alone can repeat across a
    /// person's meetings, the code cannot; the code alone once the meeting is deleted.
    /// </summary>
    public static string Meeting(Recording recording) =>
        string.IsNullOrWhiteSpace(recording.MeetingTitle) ? recording.MeetingSlug : $"{recording.MeetingTitle} ({recording.MeetingSlug})";

    public static string Duration(TimeSpan duration) => duration switch
    {
        { TotalHours: >= 1 } => $"{(int)duration.TotalHours} h {duration.Minutes} min",
        { TotalMinutes: >= 1 } => $"{duration.Minutes} min {duration.Seconds} s",
        _ => $"{Math.Max(0, duration.Seconds)} s",
    };

    public static string Size(long bytes) => bytes switch
    {
        >= 1_000_000_000 => (bytes / 1e9).ToString("0.0", CultureInfo.InvariantCulture) + " GB",
        >= 1_000_000 => (bytes / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " MB",
        >= 1_000 => (bytes / 1e3).ToString("0", CultureInfo.InvariantCulture) + " kB",
        _ => $"{bytes} B",
    };
}
