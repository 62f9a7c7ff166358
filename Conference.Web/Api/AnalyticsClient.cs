using System.Globalization;

namespace Conference.Web.Api;

/// <summary>Usage figures: per meeting, and per day for a host's meetings or (admin) every meeting.</summary>
public sealed class AnalyticsClient(HttpClient http, ApiCredentials credentials) : ApiClient(http, credentials)
{
    public async Task<MeetingFigures> ForMeetingAsync(string slug, CancellationToken cancellationToken = default) =>
        await GetAsync<MeetingFigures>($"api/meetings/{Uri.EscapeDataString(slug)}/analytics", cancellationToken);

    /// <summary>One entry per day from <paramref name="from"/> to <paramref name="to"/>; <paramref name="everyone"/> needs the admin.</summary>
    public async Task<IReadOnlyList<DayFigures>> UsageByDayAsync(DateOnly from, DateOnly to, bool everyone = false, CancellationToken cancellationToken = default) =>
        await GetAsync<List<DayFigures>>($"api/analytics/usage?from={Day(from)}&to={Day(to)}&scope={(everyone ? "all" : "mine")}", cancellationToken);

    static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

public sealed record MeetingFigures(string Slug, int Participants, int PeakConcurrency, double ParticipantMinutes, double? DurationMinutes,
    DateTimeOffset? StartedAt, DateTimeOffset? LastCallEndedAt);

public sealed record DayFigures(DateOnly Day, int Meetings, int Participants, double ParticipantMinutes, int PeakConcurrency);
