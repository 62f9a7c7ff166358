using System.Security.Cryptography;
using System.Text.Json;
using StackExchange.Redis;

namespace Conference.Api.Participants;

/// <summary>
/// Guests waiting to be let in, kept in Redis (one hash per meeting) so any api instance can admit them and the
/// guest's next poll, wherever it lands, sees the answer.
/// </summary>
public sealed class Lobby(IConnectionMultiplexer redis, TimeProvider clock)
{
    static readonly TimeSpan KeepFor = TimeSpan.FromHours(2);

    public enum Status { Waiting, Admitted, Denied }

    public sealed record Request(string Id, string DisplayName, DateTimeOffset RequestedAt, Status Status);

    public async Task<Request> AddAsync(string slug, string displayName)
    {
        var request = new Request(RandomNumberGenerator.GetHexString(16, lowercase: true), displayName, clock.GetUtcNow(), Status.Waiting);
        await SaveAsync(slug, request);
        return request;
    }

    public async Task<Request?> FindAsync(string slug, string requestId)
    {
        var value = await redis.GetDatabase().HashGetAsync(Key(slug), requestId);
        return value.IsNullOrEmpty ? null : JsonSerializer.Deserialize<Request>(value.ToString());
    }

    public async Task<IReadOnlyList<Request>> WaitingAsync(string slug)
    {
        var entries = await redis.GetDatabase().HashValuesAsync(Key(slug));
        return entries.Select(e => JsonSerializer.Deserialize<Request>(e.ToString())!)
            .Where(r => r.Status == Status.Waiting)
            .OrderBy(r => r.RequestedAt)
            .ToList();
    }

    /// <summary>Answers a waiting request; false when there is none (already answered, or expired).</summary>
    public async Task<bool> AnswerAsync(string slug, string requestId, Status answer)
    {
        var request = await FindAsync(slug, requestId);
        if (request is null || request.Status != Status.Waiting)
        {
            return false;
        }
        await SaveAsync(slug, request with { Status = answer });
        return true;
    }

    async Task SaveAsync(string slug, Request request)
    {
        var db = redis.GetDatabase();
        await db.HashSetAsync(Key(slug), request.Id, JsonSerializer.Serialize(request));
        await db.KeyExpireAsync(Key(slug), KeepFor);
    }

    static string Key(string slug) => $"lobby:{slug}";
}
