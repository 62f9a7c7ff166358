using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.WebUtilities;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Conference.Web.Api;

/// <summary>
/// What every typed api client shares: the signed-in person's bearer token on each request, JSON as the api
/// writes it (camelCase, enums as strings), and every failure turned into an <see cref="ApiProblemException"/>.
/// </summary>
public abstract class ApiClient(HttpClient http, ApiCredentials? credentials)
{
    /// <summary>The api's address through service discovery: https when it has it, else http.</summary>
    public const string BaseAddress = "https+http://api";

    /// <summary>The header a guest or co-host proves who they are in a meeting with (the api's name for it).</summary>
    public const string ParticipantTokenHeader = "X-Participant-Token";

    /// <summary>The header a GET carries this browser's participant key for a meeting in (the api's name for it).</summary>
    public const string ParticipantKeyHeader = "X-Participant-Key";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    protected async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken = default) =>
        await ReadAsync<T>(await SendAsync(HttpMethod.Get, path, null, null, cancellationToken), cancellationToken);

    protected async Task<T> PostAsync<T>(string path, object? body, string? participantCredential = null, CancellationToken cancellationToken = default) =>
        await ReadAsync<T>(await SendAsync(HttpMethod.Post, path, body, participantCredential, cancellationToken), cancellationToken);

    protected async Task<T> PutAsync<T>(string path, object? body, CancellationToken cancellationToken = default) =>
        await ReadAsync<T>(await SendAsync(HttpMethod.Put, path, body, null, cancellationToken), cancellationToken);

    /// <summary>For answers without a body (204) or whose body the caller does not need.</summary>
    protected async Task SendWithoutResultAsync(HttpMethod method, string path, object? body = null, string? participantCredential = null,
        CancellationToken cancellationToken = default) =>
        (await SendAsync(method, path, body, participantCredential, cancellationToken)).Dispose();

    /// <summary>Sends with the caller's credentials; a non-success answer throws as a problem.</summary>
    protected async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body, string? participantCredential,
        CancellationToken cancellationToken, string? accessToken = null, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        using var request = new HttpRequestMessage(method, path);
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.Add(name, value);
        }
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        }
        var ownToken = accessToken is null && credentials is not null ? await credentials.AccessTokenAsync() : null;
        if ((accessToken ?? ownToken) is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        if (participantCredential is not null)
        {
            request.Headers.Add(ParticipantTokenHeader, participantCredential);
        }
        if (credentials?.ClientAddress is { } address)
        {
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", address);
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (Exception exception) when (exception is TimeoutRejectedException
                                              || (exception is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // The request went out and no answer came in time: the api may well have done it (a recording started).
            throw ApiProblemException.NoAnswerInTime(method, exception);
        }
        catch (Exception exception) when (exception is HttpRequestException or BrokenCircuitException)
        {
            throw ApiProblemException.Unreachable(exception);
        }
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                var problem = await ProblemAsync(response, cancellationToken);
                // The person's own sign-in refused (not a token given for one call, nor a meeting's participant
                // token): the page must stop showing them signed in (MainLayout sends them to sign in again).
                if (response.StatusCode == HttpStatusCode.Unauthorized && ownToken is not null && participantCredential is null)
                {
                    credentials!.Refused();
                }
                throw problem;
            }
        }
        return response;
    }

    protected static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using (response)
        {
            try
            {
                return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
                       ?? throw new JsonException("The answer was empty.");
            }
            catch (JsonException exception)
            {
                throw new ApiProblemException((int)HttpStatusCode.BadGateway, "Unexpected answer",
                    "The conference service answered in a way this page does not understand.", inner: exception);
            }
        }
    }

    static async Task<ApiProblemException> ProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        ProblemDocument? problem = null;
        try
        {
            if (response.Content.Headers.ContentLength != 0)
            {
                problem = await response.Content.ReadFromJsonAsync<ProblemDocument>(Json, cancellationToken);
            }
        }
        catch (JsonException)
        {
            // Not a problem document (e.g. a proxy's error page): the status says enough.
        }
        // People read these: the fields by the names the forms give them (ProblemWording), under the api's keys.
        var errors = problem?.Errors is { } raw ? ProblemWording.Errors(raw) : null;
        var repeatsErrors = problem?.Detail is null && errors is { Count: > 0 };
        var detail = problem?.Detail ?? (repeatsErrors ? string.Join(" ", errors!.SelectMany(e => e.Value)) : null);
        var title = problem?.Title is { } given && !IsBareStatusTitle(given, status) ? ProblemWording.Title(given) : DefaultTitle(status);
        var retryAfter = response.Headers.RetryAfter is { } retry
            ? retry.Delta ?? (retry.Date is { } date ? date - DateTimeOffset.UtcNow : null)
            : null;
        return new ApiProblemException(status, title, detail ?? DefaultDetail(status), errors)
        {
            DetailRepeatsErrors = repeatsErrors,
            RetryAfter = retryAfter is { } wait && wait < TimeSpan.Zero ? TimeSpan.Zero : retryAfter,
        };
    }

    /// <summary>
    /// A title that only names the status (ASP.NET Core's defaults: the HTTP reason phrase, e.g. "Unauthorized", or its
    /// 500 sentence) says nothing to a person; the page shows <see cref="DefaultTitle"/> instead.
    /// </summary>
    static bool IsBareStatusTitle(string title, int status) =>
        string.Equals(title, ReasonPhrases.GetReasonPhrase(status), StringComparison.OrdinalIgnoreCase)
        || (status == 500 && title == "An error occurred while processing your request.");

    static string DefaultTitle(int status) => status switch
    {
        400 => "Not accepted",
        401 => "Sign in needed",
        403 => "Not allowed",
        404 => "Not found",
        409 => "Changed in the meantime",
        410 => "No longer possible",
        413 => "Too large",
        429 => "Too many requests",
        503 => "The service is unavailable",
        >= 500 => "The service had a problem",
        _ => "The request was refused",
    };

    static string DefaultDetail(int status) => status switch
    {
        401 => "Please sign in (again) to do this.",
        403 => "Your account is not allowed to do this.",
        404 => "It does not exist, or no longer exists.",
        429 => "Too many attempts; please wait a minute and try again.",
        >= 500 => "Something went wrong on the server. Please try again in a moment.",
        _ => "The request could not be completed.",
    };

    sealed record ProblemDocument(string? Title, string? Detail, int? Status, Dictionary<string, string[]>? Errors);
}
