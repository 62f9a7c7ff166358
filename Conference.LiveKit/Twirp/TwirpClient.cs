using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;

namespace Conference.LiveKit;

/// <summary>
/// Calls one LiveKit Twirp service over JSON: <c>POST {url}/twirp/livekit.{service}/{method}</c> with a fresh
/// ten-minute token per call that carries only the grant the call needs.
/// </summary>
sealed class TwirpClient
{
    static readonly TimeSpan TokenTtl = TimeSpan.FromMinutes(10);

    // Read-only calls are retried when LiveKit is briefly away (restarting, not yet listening); bounded so a
    // caller learns of a real outage within about a second.
    static readonly TimeSpan[] RetryDelays = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(700)];

    static readonly MediaTypeHeaderValue Json = new("application/json");

    readonly HttpClient httpClient;
    readonly LiveKitOptions options;
    readonly TimeProvider timeProvider;
    readonly string service;
    readonly Uri serviceAddress;

    public TwirpClient(HttpClient httpClient, LiveKitOptions options, TimeProvider timeProvider, string service)
    {
        this.httpClient = httpClient;
        this.options = options;
        this.timeProvider = timeProvider;
        this.service = service;
        serviceAddress = new Uri(options.HttpBaseAddress(), $"twirp/livekit.{service}/");
    }

    public async Task<TResponse> CallAsync<TRequest, TResponse>(string method, TRequest request, VideoGrants grant, CancellationToken cancellationToken)
    {
        using var activity = LiveKitTelemetry.StartCall(service, method);
        var started = timeProvider.GetTimestamp();
        string? errorType = null;
        try
        {
            return await SendAsync<TRequest, TResponse>(method, request, grant, cancellationToken);
        }
        catch (Exception e)
        {
            errorType = e is LiveKitException { Code: { } code } ? code : e.GetType().Name;
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            activity?.SetTag("error.type", errorType);
            throw;
        }
        finally
        {
            LiveKitTelemetry.RecordCall(service, method, timeProvider.GetElapsedTime(started), errorType);
        }
    }

    async Task<TResponse> SendAsync<TRequest, TResponse>(string method, TRequest request, VideoGrants grant, CancellationToken cancellationToken)
    {
        var address = new Uri(serviceAddress, method);
        var body = JsonSerializer.SerializeToUtf8Bytes(request, ProtoJson.SnakeCase);
        var token = new AccessToken(options.ApiKey, options.ApiSecret, timeProvider).WithGrants(grant).WithTtl(TokenTtl).ToJwt();
        // Only reads are safe to repeat: a retried CreateRoom or StartEgress could act twice.
        var readOnly = method.StartsWith("List", StringComparison.Ordinal) || method.StartsWith("Get", StringComparison.Ordinal);

        for (var attempt = 0; ; attempt++)
        {
            var mayRetry = readOnly && attempt < RetryDelays.Length;
            try
            {
                using var message = new HttpRequestMessage(HttpMethod.Post, address)
                {
                    Content = new ByteArrayContent(body) { Headers = { ContentType = Json } },
                };
                // Per message, never on the HttpClient: the client is shared and every call has its own token.
                message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var response = await httpClient.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    await using var content = await response.Content.ReadAsStreamAsync(cancellationToken);
                    return (await JsonSerializer.DeserializeAsync<TResponse>(content, ProtoJson.SnakeCase, cancellationToken))!;
                }

                if (!(mayRetry && response.StatusCode == HttpStatusCode.ServiceUnavailable))
                {
                    throw await LiveKitException.FromResponseAsync(response, $"livekit.{service}/{method}", cancellationToken);
                }
            }
            catch (HttpRequestException e) when (mayRetry && e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
            }

            await Task.Delay(RetryDelays[attempt], timeProvider, cancellationToken);
        }
    }
}

/// <summary>The empty message of calls that return nothing.</summary>
sealed record Empty;
