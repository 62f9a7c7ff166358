namespace Conference.Web.Api;

/// <summary>Meetings (<c>/api/meetings</c>): anyone may read one by its slug; its host creates, changes and deletes it.</summary>
public sealed class MeetingsClient(HttpClient http, ApiCredentials credentials) : ApiClient(http, credentials)
{
    public async Task<Meeting> CreateAsync(string? title, MeetingSettingsChange? settings = null, CancellationToken cancellationToken = default) =>
        await PostAsync<Meeting>("api/meetings", new { title, settings }, cancellationToken: cancellationToken);

    /// <summary>The signed-in host's meetings, newest first.</summary>
    public async Task<MeetingPage> ListMineAsync(int page = 1, int pageSize = 20, CancellationToken cancellationToken = default) =>
        await GetAsync<MeetingPage>($"api/meetings?page={page}&pageSize={pageSize}", cancellationToken);

    public async Task<Meeting> GetAsync(string slug, CancellationToken cancellationToken = default) =>
        await GetAsync<Meeting>($"api/meetings/{Uri.EscapeDataString(slug)}", cancellationToken);

    public async Task<Meeting> UpdateSettingsAsync(string slug, MeetingSettingsChange settings, CancellationToken cancellationToken = default) =>
        await PutAsync<Meeting>($"api/meetings/{Uri.EscapeDataString(slug)}/settings", settings, cancellationToken);

    public async Task DeleteAsync(string slug, CancellationToken cancellationToken = default) =>
        await SendWithoutResultAsync(HttpMethod.Delete, $"api/meetings/{Uri.EscapeDataString(slug)}", cancellationToken: cancellationToken);
}

public sealed record Meeting(string Slug, string Title, string HostName, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt, MeetingSettings Settings)
{
    public bool HasEnded => EndedAt is not null;
}

public sealed record MeetingSettings(bool LobbyEnabled, bool Locked, int MaxParticipants, bool AutoRecord, RecordingAccess RecordingAccess);

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
