using System.Net.Http.Json;

namespace Conference.Tests.Recorder;

/// <summary>
/// A recording as the api answers it (<c>/api/recordings/{id}</c>, the lists, a start), read as a type so a test says
/// what it checks. The status stays the string the JSON carries (Starting, Recording, Processing, Ready, Failed).
/// </summary>
public sealed record RecordingAnswer(Guid Id, string MeetingSlug, string? MeetingTitle, string Status, string Layout, bool AudioOnly,
    DateTimeOffset StartedAt, DateTimeOffset? EndedAt, double? DurationSeconds, long? SizeBytes, string? Error);

/// <summary>A page of recordings, newest first; <see cref="NextCursor"/> is null on the last.</summary>
public sealed record RecordingPageAnswer(IReadOnlyList<RecordingAnswer> Items, string? NextCursor);

/// <summary>A presigned link to a recording's file and when it stops working.</summary>
public sealed record DownloadAnswer(string Url, DateTimeOffset ExpiresAt);

/// <summary>Of a meeting, what the recording tests look at: whether it is being recorded now.</summary>
public sealed record MeetingRecordingAnswer(string Slug, bool Recording);

public static class RecordingReads
{
    public static async Task<RecordingAnswer> GetRecordingAsync(this HttpClient client, Guid id) =>
        (await client.GetFromJsonAsync<RecordingAnswer>($"/api/recordings/{id}"))!;

    public static async Task<RecordingPageAnswer> GetRecordingPageAsync(this HttpClient client, string path) =>
        (await client.GetFromJsonAsync<RecordingPageAnswer>(path))!;

    /// <summary>Whether the meeting's page shows it being recorded (<c>recording</c> of <c>/api/meetings/{slug}</c>).</summary>
    public static async Task<bool> IsRecordedAsync(this HttpClient client, string slug) =>
        (await client.GetFromJsonAsync<MeetingRecordingAnswer>($"/api/meetings/{slug}"))!.Recording;
}
