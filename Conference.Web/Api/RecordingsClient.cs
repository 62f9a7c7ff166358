namespace Conference.Web.Api;

/// <summary>Recordings: per meeting and "all mine", a short-lived download link, delete, and start/stop during a meeting.</summary>
public sealed class RecordingsClient(HttpClient http, ApiCredentials credentials) : ApiClient(http, credentials)
{
    public async Task<RecordingPage> ListForMeetingAsync(string slug, string? cursor = null, int limit = 20, CancellationToken cancellationToken = default) =>
        await GetAsync<RecordingPage>($"api/meetings/{Uri.EscapeDataString(slug)}/recordings{Paging(cursor, limit)}", cancellationToken);

    /// <summary>Every recording the signed-in person may see, newest first.</summary>
    public async Task<RecordingPage> ListMineAsync(string? cursor = null, int limit = 20, CancellationToken cancellationToken = default) =>
        await GetAsync<RecordingPage>($"api/recordings{Paging(cursor, limit)}", cancellationToken);

    public async Task<Recording> GetAsync(Guid id, CancellationToken cancellationToken = default) =>
        await GetAsync<Recording>($"api/recordings/{id}", cancellationToken);

    /// <summary>A presigned link to the file in object storage, valid until <see cref="RecordingDownload.ExpiresAt"/>.</summary>
    public async Task<RecordingDownload> DownloadAsync(Guid id, CancellationToken cancellationToken = default) =>
        await GetAsync<RecordingDownload>($"api/recordings/{id}/download", cancellationToken);

    public async Task DeleteAsync(Guid id, CancellationToken cancellationToken = default) =>
        await SendWithoutResultAsync(HttpMethod.Delete, $"api/recordings/{id}", cancellationToken: cancellationToken);

    public async Task<Recording> StartAsync(string slug, RecordingLayout layout, bool audioOnly, string? participantCredential = null,
        CancellationToken cancellationToken = default) =>
        await PostAsync<Recording>($"api/meetings/{Uri.EscapeDataString(slug)}/recordings",
            new { layout = layout == RecordingLayout.Speaker ? "speaker" : "grid", audioOnly }, participantCredential, cancellationToken);

    /// <summary>Whether this server can record now (hosts and co-hosts); when not, the reason in words for people.</summary>
    public async Task<RecordingAvailability> AvailabilityAsync(string slug, string? participantCredential = null, CancellationToken cancellationToken = default) =>
        await ReadAsync<RecordingAvailability>(await SendAsync(HttpMethod.Get, $"api/meetings/{Uri.EscapeDataString(slug)}/recordings/availability", null,
            participantCredential, cancellationToken), cancellationToken);

    public async Task StopAsync(string slug, string? participantCredential = null, CancellationToken cancellationToken = default) =>
        await SendWithoutResultAsync(HttpMethod.Post, $"api/meetings/{Uri.EscapeDataString(slug)}/recordings/stop", null, participantCredential, cancellationToken);

    static string Paging(string? cursor, int limit) =>
        cursor is null ? $"?limit={limit}" : $"?cursor={Uri.EscapeDataString(cursor)}&limit={limit}";
}

public sealed record RecordingPage(IReadOnlyList<Recording> Items, string? NextCursor);

/// <summary>A recording as the api answers it.</summary>
/// <param name="MeetingSlug">The code of the meeting it recorded.</param>
/// <param name="MeetingTitle">That meeting's title; null once the meeting is deleted.</param>
public sealed record Recording(Guid Id, string MeetingSlug, string? MeetingTitle, RecordingStatus Status, string? Layout, bool AudioOnly,
    DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, double? DurationSeconds, long? SizeBytes, string? Error)
{
    public bool IsReady => Status == RecordingStatus.Ready;
}

public sealed record RecordingDownload(string Url, DateTimeOffset ExpiresAt);


public enum RecordingLayout
{
    Grid,
    Speaker,
}
