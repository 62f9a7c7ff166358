namespace Conference.Web.Api;

/// <summary>Meetings (<c>/api/meetings</c>): anyone may read one by its slug; its host creates, changes and deletes it.</summary>
public sealed class MeetingsClient(HttpClient http, ApiCredentials credentials) : ApiClient(http, credentials)
{
    public async Task<Meeting> CreateAsync(string? title, MeetingSettingsChange? settings = null, CancellationToken cancellationToken = default) =>
        await PostAsync<Meeting>("api/meetings", new { title, settings }, cancellationToken: cancellationToken);

    /// <summary>The signed-in host's meetings, newest first.</summary>
    public async Task<MeetingPage> ListMineAsync(int page = 1, int pageSize = 20, CancellationToken cancellationToken = default) =>
        await GetAsync<MeetingPage>($"api/meetings?page={page}&pageSize={pageSize}", cancellationToken);

    /// <summary>The meeting as its link's page shows it; with <paramref name="participantKey"/> (this browser's key for
    /// it) the api also says whether this person was removed from it.</summary>
    public async Task<Meeting> GetAsync(string slug, string? participantKey = null, CancellationToken cancellationToken = default) =>
        await ReadAsync<Meeting>(await SendAsync(HttpMethod.Get, $"api/meetings/{Uri.EscapeDataString(slug)}", null, null, cancellationToken,
            headers: participantKey is null ? null : [new(ParticipantKeyHeader, participantKey)]), cancellationToken);

    public async Task<Meeting> UpdateSettingsAsync(string slug, MeetingSettingsChange settings, CancellationToken cancellationToken = default) =>
        await PutAsync<Meeting>($"api/meetings/{Uri.EscapeDataString(slug)}/settings", settings, cancellationToken);

    public async Task DeleteAsync(string slug, CancellationToken cancellationToken = default) =>
        await SendWithoutResultAsync(HttpMethod.Delete, $"api/meetings/{Uri.EscapeDataString(slug)}", cancellationToken: cancellationToken);
}

/// <summary>
/// A meeting lasts until its host deletes it; each LiveKit room life is a call. <see cref="Status"/> is NotStarted,
/// InProgress (since <see cref="InProgressSince"/>) or Idle (last call ended at <see cref="LastCallEndedAt"/>).
/// <see cref="CallerIsHost"/>: the signed-in person is its host, the only one who may change its settings or delete it.
/// <see cref="CallerWasRemoved"/>: a host or co-host removed this person (asked with their participant key).
/// </summary>
public sealed record Meeting(string Slug, string Title, string HostName, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt,
    string Status, DateTimeOffset? InProgressSince, DateTimeOffset? LastCallEndedAt, MeetingSettings Settings, bool CallerIsHost = false,
    bool CallerWasRemoved = false)
{
    /// <summary>Past the expiry the host set: the link no longer admits anyone.</summary>
    public bool HasExpired => Settings.ExpiresAt is { } expires && expires <= DateTimeOffset.UtcNow;
}

public sealed record MeetingSettings(bool LobbyEnabled, bool Locked, int MaxParticipants, bool AutoRecord, RecordingAccess RecordingAccess,
    DateTimeOffset? ExpiresAt = null);

/// <summary>A change to a meeting's settings: null leaves a setting as it is.</summary>
public sealed record MeetingSettingsChange(bool? LobbyEnabled = null, bool? Locked = null, int? MaxParticipants = null, bool? AutoRecord = null,
    RecordingAccess? RecordingAccess = null);

public sealed record MeetingPage(IReadOnlyList<Meeting> Items, int Page, int PageSize, int Total);

/// <summary>Who may list and download a meeting's recordings.</summary>
public enum RecordingAccess
{
    HostOnly,
    Participants,
}
