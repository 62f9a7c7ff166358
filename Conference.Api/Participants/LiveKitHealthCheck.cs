using Conference.LiveKit;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Conference.Api.Participants;

/// <summary>
/// Whether the LiveKit server answers an authenticated Twirp call (RoomService ListRooms for one room name, which
/// costs LiveKit one lookup). Unreachable, refused or not answering within <see cref="Timeout"/> is Degraded, not
/// Unhealthy: accounts, meetings and the recordings library still work without media, and an orchestrator must not
/// restart the api for it. The answer is kept for <see cref="CacheFor"/> so frequent health polls (the dashboard's,
/// compose's, an operator's monitor) ask LiveKit at most once in that time; it recovers by itself on the next ask.
/// The log says when it goes and when it is back, once each (<see cref="HealthCheckChanges"/>); its HttpClient logs
/// warnings only, not every request's start and end and the stack trace of every refused connection.
/// </summary>
public sealed class LiveKitHealthCheck(IHttpClientFactory httpClients, IOptions<LiveKitOptions> options, TimeProvider clock) : IHealthCheck
{
    /// <summary>The name of the check in /health and /api/health.</summary>
    public const string Name = "livekit";

    /// <summary>
    /// Its HttpClient: one attempt, no resilience handler (a retried refusal would read as a timeout), and its log
    /// category (<c>System.Net.Http.HttpClient.livekit-health</c>) at Warning.
    /// </summary>
    public const string HttpClientName = "livekit-health";

    /// <summary>How long LiveKit gets to answer: a healthy server answers in milliseconds.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    /// <summary>How long one answer stands for.</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);

    readonly SemaphoreSlim oneAtATime = new(1, 1);
    (HealthCheckResult Result, DateTimeOffset At)? last;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (Fresh() is { } cached)
        {
            return cached;
        }
        await oneAtATime.WaitAsync(cancellationToken);
        try
        {
            // Whoever waited here gets the answer the one before them just got.
            if (Fresh() is { } justAsked)
            {
                return justAsked;
            }
            var result = await AskAsync(cancellationToken);
            last = (result, clock.GetUtcNow());
            return result;
        }
        finally
        {
            oneAtATime.Release();
        }
    }

    HealthCheckResult? Fresh() => last is { } known && clock.GetUtcNow() - known.At < CacheFor ? known.Result : null;

    async Task<HealthCheckResult> AskAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        // Its token is signed on the wall clock, which LiveKit checks nbf and exp against (10 s of tolerance); the
        // injected clock only ages the cached answer (a test's fake clock ran 30 s ahead and every token was refused).
        var rooms = new RoomServiceClient(httpClients.CreateClient(HttpClientName), options, TimeProvider.System);
        try
        {
            await rooms.ListRoomsAsync(new ListRoomsRequest { Names = ["health-check"] }, timeout.Token);
            return HealthCheckResult.Healthy("LiveKit answers RoomService.ListRooms.");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Degraded($"LiveKit did not answer RoomService.ListRooms within {Timeout.TotalSeconds:0} s.");
        }
        catch (LiveKitException exception)
        {
            // It answered, but refused: most often the api's key or secret is not one LiveKit knows.
            return HealthCheckResult.Degraded($"LiveKit refused RoomService.ListRooms: {exception.Message}", exception);
        }
        catch (HttpRequestException exception)
        {
            return HealthCheckResult.Degraded($"LiveKit cannot be reached: {exception.Message}", exception);
        }
    }
}
