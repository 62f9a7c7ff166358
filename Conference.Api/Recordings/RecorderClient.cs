using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Conference.Api.Meetings;
using Conference.Contracts;

namespace Conference.Api.Recordings;

/// <summary>
/// The recorder's internal HTTP interface (<c>https+http://recorder</c> through service discovery). The api decides
/// who may do what; the recorder owns the recordings. Problems the recorder answers come back as they are.
/// </summary>
public sealed class RecorderClient(HttpClient http)
{
    public const string ConfigurationKey = "Recorder:Url";
    public const string DefaultUrl = "https+http://recorder";

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public Task<RecorderReply<RecordingInfo>> StartAsync(string slug, string hostId, string? layout, bool? audioOnly, CancellationToken cancellationToken) =>
        SendAsync<RecordingInfo>(HttpMethod.Post, $"internal/meetings/{slug}/recordings", new StartRecordingRequest(hostId, layout, audioOnly), cancellationToken);

    /// <summary>Whether the recorder can record (LiveKit Egress and object storage configured).</summary>
    public Task<RecorderReply<RecordingAvailability>> AvailabilityAsync(CancellationToken cancellationToken) =>
        SendAsync<RecordingAvailability>(HttpMethod.Get, "internal/recording-availability", null, cancellationToken);

    public Task<RecorderReply<RecordingInfo>> StopAsync(string slug, CancellationToken cancellationToken) =>
        SendAsync<RecordingInfo>(HttpMethod.Post, $"internal/meetings/{slug}/recordings/stop", null, cancellationToken);

    public Task<RecorderReply<RecordingInfoPage>> MeetingRecordingsAsync(string slug, string? cursor, int? limit, CancellationToken cancellationToken) =>
        SendAsync<RecordingInfoPage>(HttpMethod.Get, $"internal/meetings/{slug}/recordings{Query(cursor, limit)}", null, cancellationToken);

    public Task<RecorderReply<RecordingInfoPage>> HostRecordingsAsync(string hostId, string? cursor, int? limit, CancellationToken cancellationToken) =>
        SendAsync<RecordingInfoPage>(HttpMethod.Get, $"internal/hosts/{Uri.EscapeDataString(hostId)}/recordings{Query(cursor, limit)}", null, cancellationToken);

    public Task<RecorderReply<RecordingInfo>> GetAsync(Guid id, CancellationToken cancellationToken) =>
        SendAsync<RecordingInfo>(HttpMethod.Get, $"internal/recordings/{id}", null, cancellationToken);

    /// <summary>The recording and, when it is Ready, a presigned link: the api authorises, then passes the link on or not.</summary>
    public Task<RecorderReply<DownloadableRecording>> DownloadAsync(Guid id, CancellationToken cancellationToken) =>
        SendAsync<DownloadableRecording>(HttpMethod.Get, $"internal/recordings/{id}/download", null, cancellationToken);

    /// <summary>Deletes the recording if it is <paramref name="hostId"/>'s (403 when another host's, 409 while running).</summary>
    public Task<RecorderReply<object>> DeleteAsync(string hostId, Guid id, CancellationToken cancellationToken) =>
        SendAsync<object>(HttpMethod.Delete, $"internal/hosts/{Uri.EscapeDataString(hostId)}/recordings/{id}", null, cancellationToken);

    /// <summary>The retention the recorder applies (the admin's, or its configured default until one is set).</summary>
    public Task<RecorderReply<RetentionSetting>> RetentionAsync(CancellationToken cancellationToken) =>
        SendAsync<RetentionSetting>(HttpMethod.Get, "internal/retention", null, cancellationToken);

    /// <summary>Hands the admin's retention to the recorder, which stores it (a validation problem names <c>days</c>).</summary>
    public Task<RecorderReply<RetentionSetting>> SetRetentionAsync(int days, CancellationToken cancellationToken) =>
        SendAsync<RetentionSetting>(HttpMethod.Put, "internal/retention", new RetentionSetting(days), cancellationToken);

    static string Query(string? cursor, int? limit)
    {
        var parts = new List<string>();
        if (!string.IsNullOrEmpty(cursor))
        {
            parts.Add($"cursor={Uri.EscapeDataString(cursor)}");
        }
        if (limit is { } value)
        {
            parts.Add($"limit={value}");
        }
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }

    async Task<RecorderReply<T>> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body, options: Json) };
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return new RecorderReply<T>(default, (int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
        }
        var value = response.Content.Headers.ContentLength == 0 ? default : await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken);
        return new RecorderReply<T>(value, (int)response.StatusCode, null);
    }
}

/// <summary>The recorder's answer: the value, or its status and RFC 7807 problem body.</summary>
public sealed record RecorderReply<T>(T? Value, int StatusCode, string? Problem)
{
    public bool Succeeded => Problem is null;

    /// <summary>
    /// The recorder refused the api itself: the two were given different internal keys. (Its 403 is about a
    /// recording: another host's.)
    /// </summary>
    public bool IsKeyRefused => StatusCode is StatusCodes.Status401Unauthorized;

    /// <summary>
    /// The recorder's problem, passed on unchanged (it names the field for a validation problem) — but not a refusal
    /// of the api's key, which is the operator's misconfiguration and must not read as "sign in again" to a person.
    /// </summary>
    public IResult ToProblem() => IsKeyRefused
        ? TypedResults.Problem("The recorder refused this server's internal key; the operator has been told.",
            statusCode: StatusCodes.Status503ServiceUnavailable, title: "Recording is not available")
        : Results.Content(Problem, "application/problem+json", statusCode: StatusCode);
}

/// <summary>
/// A recording as the api shows it: the recorder's, without the host's account id, and with the meeting's title,
/// which is the api's (the recorder keeps none).
/// </summary>
/// <param name="Id">The recording.</param>
/// <param name="MeetingSlug">The code of the meeting it recorded, <c>abc-defg-hij</c>.</param>
/// <param name="MeetingTitle">The title of the meeting it recorded, as the meeting has it now; null once the meeting is deleted.</param>
/// <param name="Status">Starting, Recording, Processing (uploading), Ready (downloadable) or Failed.</param>
/// <param name="Layout">"grid" or "speaker".</param>
/// <param name="AudioOnly">Whether it is audio only.</param>
/// <param name="StartedAt">When recording began (UTC).</param>
/// <param name="EndedAt">When it stopped (UTC); null while recording.</param>
/// <param name="DurationSeconds">Its length in seconds, once known.</param>
/// <param name="SizeBytes">The file's size in bytes, once uploaded.</param>
/// <param name="Error">Why it failed, when it did.</param>
public sealed record RecordingResponse(
    Guid Id, string MeetingSlug, string? MeetingTitle, RecordingStatus Status, string Layout, bool AudioOnly,
    DateTimeOffset StartedAt, DateTimeOffset? EndedAt, double? DurationSeconds, long? SizeBytes, string? Error)
{
    /// <summary>
    /// The recorder's <paramref name="recording"/> with the title of <paramref name="meeting"/>, the meeting now
    /// holding its code: only if that is the meeting it recorded (the same host), so a code a deleted meeting freed
    /// never names another host's meeting.
    /// </summary>
    public static RecordingResponse From(RecordingInfo recording, Meeting? meeting) => new(recording.Id, recording.MeetingSlug,
        meeting is not null && meeting.Slug == recording.MeetingSlug && meeting.HostId == recording.HostId ? meeting.Title : null,
        recording.Status, recording.Layout, recording.AudioOnly, recording.StartedAt, recording.EndedAt, recording.DurationSeconds,
        recording.SizeBytes, recording.Error);
}

/// <summary>A page of recordings, newest first.</summary>
/// <param name="Items">This page.</param>
/// <param name="NextCursor">Pass as <c>cursor</c> for the next page; null on the last.</param>
public sealed record RecordingPageResponse(IReadOnlyList<RecordingResponse> Items, string? NextCursor);
