using Conference.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using StackExchange.Redis;

namespace Conference.Api.Meetings;

/// <summary>
/// Meetings by slug, kept in memory for a few seconds because every join reads one. A change made through any
/// api instance is announced on Redis (<see cref="MeetingChanges"/>) and every instance drops its copy at once.
/// </summary>
public sealed class MeetingCache(IMemoryCache cache, IServiceScopeFactory scopes)
{
    static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    public async Task<Meeting?> FindAsync(string slug, CancellationToken cancellationToken = default) =>
        await cache.GetOrCreateAsync(Key(slug), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = Lifetime;
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ConferenceDbContext>();
            return await db.Meetings.AsNoTracking().SingleOrDefaultAsync(m => m.Slug == slug, cancellationToken);
        });

    /// <summary>
    /// Who is in the meeting now: the identities with an open connection (participant sessions exist only for
    /// people, never recorders or agents), read at most once a second per meeting: the "full" check may be a second
    /// behind, and LiveKit enforces the room's size itself.
    /// </summary>
    public async Task<IReadOnlySet<string>> PresentIdentitiesAsync(Meeting meeting, CancellationToken cancellationToken = default) =>
        (await cache.GetOrCreateAsync($"present:{meeting.Id}", async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(1);
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ConferenceDbContext>();
            var identities = await db.ParticipantSessions.Where(s => s.MeetingId == meeting.Id && s.LeftAt == null)
                .Select(s => s.Identity).Distinct().ToListAsync(cancellationToken);
            return (IReadOnlySet<string>)identities.ToHashSet(StringComparer.Ordinal);
        }))!;

    public void Evict(string slug) => cache.Remove(Key(slug));

    static string Key(string slug) => $"meeting:{slug}";
}

/// <summary>Listens for meeting changes from every instance and evicts the cached copy.</summary>
sealed class MeetingCacheEviction(IConnectionMultiplexer redis, MeetingCache cache) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken) =>
        await redis.GetSubscriber().SubscribeAsync(MeetingChanges.Channel, (_, message) =>
        {
            if (System.Text.Json.JsonSerializer.Deserialize<ChangedMeeting>(message.ToString()) is { Slug: { } slug })
            {
                cache.Evict(slug);
            }
        });

    /// <summary>
    /// Of a <see cref="Conference.Contracts.MeetingChange"/>, only the meeting: every change evicts, whatever its kind
    /// (also one a newer instance publishes and this one does not know yet).
    /// </summary>
    sealed record ChangedMeeting(string? Slug);

    public Task StopAsync(CancellationToken cancellationToken) =>
        redis.GetSubscriber().UnsubscribeAsync(MeetingChanges.Channel);
}
