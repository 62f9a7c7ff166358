using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using StackExchange.Redis;

namespace Conference.Api.Participants;

/// <summary>
/// People waiting to be let in, kept in Redis (one hash per meeting) so any api instance can answer them. Each
/// request holds the hash of a ticket only the asking browser knows; it is answered once (waiting → admitted or
/// denied, by compare-and-set), and an admitted ticket turns into a join token once (admitted → spent). The lobby is
/// bounded: at most <see cref="MaxWaiting"/> live requests per meeting, each expiring <see cref="RequestLifetime"/>
/// after it was made; one identity holds one request at a time. A person denied <see cref="MaxDenials"/> times in a
/// day may not ask again that day.
/// </summary>
public sealed class Lobby(IConnectionMultiplexer redis, TimeProvider clock)
{
    public const int MaxWaiting = 50;
    public const int MaxDenials = 3;
    public static readonly TimeSpan RequestLifetime = TimeSpan.FromMinutes(15);
    static readonly TimeSpan DenialsKeptFor = TimeSpan.FromDays(1);

    /// <summary>
    /// Where a request stands. <see cref="Replaced"/>: the same person asked again (another tab, a reload); the later
    /// request waits, and this one's page is told so instead of "no such request".
    /// </summary>
    public enum Status { Waiting, Admitted, Denied, Spent, Replaced }

    /// <summary>One request to join. <paramref name="RemovedBefore"/>: a host or co-host removed this identity earlier.</summary>
    public sealed record Request(string Id, string Identity, string DisplayName, DateTimeOffset RequestedAt, DateTimeOffset ExpiresAt,
        Status Status, string TicketHash, bool RemovedBefore);

    /// <summary>Adds a request; returns it and its ticket (shown once, to the asker), or null when the lobby is full.</summary>
    public async Task<(Request Request, string Ticket)?> AddAsync(string slug, string identity, string displayName, bool removedBefore)
    {
        var db = redis.GetDatabase();
        var now = clock.GetUtcNow();
        var live = new List<Request>();
        foreach (var entry in await db.HashGetAllAsync(Key(slug)))
        {
            var existing = Parse(entry.Value);
            // Expired entries, and this identity's ask replaced before, make room.
            if (existing is null || existing.ExpiresAt <= now || existing.Identity == identity && existing.Status == Status.Replaced)
            {
                await db.HashDeleteAsync(Key(slug), entry.Name);
            }
            else if (existing.Identity == identity && existing.Status == Status.Waiting)
            {
                // This identity's earlier ask (another tab, a reload): one request a person, and the earlier page is
                // told why it stopped waiting. At most one replaced request per identity is kept.
                await SwapAsync(slug, existing, existing with { Status = Status.Replaced });
            }
            else
            {
                live.Add(existing);
            }
        }
        if (live.Count(r => r.Status == Status.Waiting) >= MaxWaiting || live.Count >= 4 * MaxWaiting)
        {
            return null;
        }
        var ticket = RandomNumberGenerator.GetHexString(48, lowercase: true);
        var request = new Request(RandomNumberGenerator.GetHexString(16, lowercase: true), identity, displayName, now, now + RequestLifetime,
            Status.Waiting, Hash(ticket), removedBefore);
        await db.HashSetAsync(Key(slug), request.Id, JsonSerializer.Serialize(request));
        await db.KeyExpireAsync(Key(slug), RequestLifetime + TimeSpan.FromMinutes(1));
        return (request, ticket);
    }

    /// <summary>The request, if it exists and has not expired.</summary>
    public async Task<Request?> FindAsync(string slug, string requestId)
    {
        var request = Parse(await redis.GetDatabase().HashGetAsync(Key(slug), requestId));
        return request is not null && request.ExpiresAt > clock.GetUtcNow() ? request : null;
    }

    /// <summary>Whether <paramref name="ticket"/> is this request's (constant time).</summary>
    public static bool HoldsTicket(Request request, string? ticket) =>
        !string.IsNullOrEmpty(ticket) && ticket.Length <= 128
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(ticket)), Encoding.ASCII.GetBytes(request.TicketHash));

    public async Task<IReadOnlyList<Request>> WaitingAsync(string slug)
    {
        var now = clock.GetUtcNow();
        var entries = await redis.GetDatabase().HashValuesAsync(Key(slug));
        return entries.Select(Parse).OfType<Request>()
            .Where(r => r.Status == Status.Waiting && r.ExpiresAt > now)
            .OrderBy(r => r.RequestedAt)
            .ToList();
    }

    /// <summary>What answering a request did; see <see cref="AnswerAsync"/>.</summary>
    public enum AnswerOutcome
    {
        /// <summary>It was waiting and now has this answer.</summary>
        Answered,
        /// <summary>It had this answer already (a second click, a second tab, two hosts agreeing): nothing changed.</summary>
        AnsweredAlike,
        /// <summary>It had the other answer already (another host or co-host was first): nothing changed.</summary>
        AnsweredOtherwise,
        /// <summary>Nobody waits with it: unknown, expired, withdrawn, or replaced by the same person's newer ask.</summary>
        NotWaiting,
    }

    /// <summary>
    /// Answers a waiting request once (compare-and-swap, so two hosts answering at once leave one answer). Answering
    /// again with the same answer is <see cref="AnswerOutcome.AnsweredAlike"/>, so a repeated admit or deny is harmless;
    /// an admitted request whose token was issued (<see cref="Status.Spent"/>) counts as admitted.
    /// </summary>
    /// <param name="answer"><see cref="Status.Admitted"/> or <see cref="Status.Denied"/>.</param>
    /// <returns>The outcome, and the request as it stands (null when <see cref="AnswerOutcome.NotWaiting"/>).</returns>
    public async Task<(AnswerOutcome Outcome, Request? Request)> AnswerAsync(string slug, string requestId, Status answer)
    {
        var request = await FindAsync(slug, requestId);
        if (request is { Status: Status.Waiting } && await SwapAsync(slug, request, request with { Status = answer }))
        {
            if (answer == Status.Denied)
            {
                var denials = DenialsKey(slug, request.Identity);
                await redis.GetDatabase().StringIncrementAsync(denials);
                await redis.GetDatabase().KeyExpireAsync(denials, DenialsKeptFor);
            }
            return (AnswerOutcome.Answered, request);
        }
        if (request is { Status: Status.Waiting })
        {
            request = await FindAsync(slug, requestId); // changed under us: answered or withdrawn just now
        }
        var outcome = request?.Status switch
        {
            var current when current == answer || current == Status.Spent && answer == Status.Admitted => AnswerOutcome.AnsweredAlike,
            Status.Admitted or Status.Spent or Status.Denied => AnswerOutcome.AnsweredOtherwise,
            _ => AnswerOutcome.NotWaiting,
        };
        return (outcome, outcome == AnswerOutcome.NotWaiting ? null : request);
    }

    /// <summary>
    /// The asker left (closed the waiting page, or chose to leave): a request still waiting, or admitted but not yet
    /// turned into a token, goes from the lobby; true when it went. One answered otherwise (denied, spent, replaced)
    /// stays as it is, so a withdrawal cannot undo a denial. Compare-and-delete, like every change of a request.
    /// </summary>
    public async Task<bool> WithdrawAsync(string slug, Request request)
    {
        if (request.Status is not (Status.Waiting or Status.Admitted))
        {
            return false;
        }
        var transaction = redis.GetDatabase().CreateTransaction();
        transaction.AddCondition(Condition.HashEqual(Key(slug), request.Id, JsonSerializer.Serialize(request)));
        _ = transaction.HashDeleteAsync(Key(slug), request.Id);
        return await transaction.ExecuteAsync();
    }

    /// <summary>Spends an admitted request's ticket: true for exactly one caller.</summary>
    public Task<bool> SpendAsync(string slug, Request admitted) =>
        admitted.Status == Status.Admitted ? SwapAsync(slug, admitted, admitted with { Status = Status.Spent }) : Task.FromResult(false);

    /// <summary>How often this identity was denied in this meeting in the last day.</summary>
    public async Task<long> DenialsAsync(string slug, string identity) =>
        (long?)await redis.GetDatabase().StringGetAsync(DenialsKey(slug, identity)) ?? 0;

    /// <summary>Compare-and-set on the stored JSON, so of two answers (or two spends) only the first counts.</summary>
    async Task<bool> SwapAsync(string slug, Request current, Request next)
    {
        var transaction = redis.GetDatabase().CreateTransaction();
        transaction.AddCondition(Condition.HashEqual(Key(slug), current.Id, JsonSerializer.Serialize(current)));
        _ = transaction.HashSetAsync(Key(slug), current.Id, JsonSerializer.Serialize(next));
        return await transaction.ExecuteAsync();
    }

    static Request? Parse(RedisValue value)
    {
        if (value.IsNullOrEmpty)
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<Request>(value.ToString());
        }
        catch (JsonException)
        {
            return null; // an entry of the old shape (before tickets): it expires with its key
        }
    }

    static string Hash(string ticket) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ticket)));

    static string Key(string slug) => $"lobby:{slug}";

    static string DenialsKey(string slug, string identity) => $"lobby-denied:{slug}:{identity}";
}
