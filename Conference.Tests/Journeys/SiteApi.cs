using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Conference.Tests.AppHost;
using Conference.Tests.Web;
using Microsoft.Playwright;

namespace Conference.Tests.Journeys;

/// <summary>
/// The api as the browser reaches it, through Caddy's <c>/api/*</c>: what a meeting's page says (status, calls) and
/// the calls a person makes with the credentials their browser holds (the host's account, a participant key).
/// </summary>
sealed class SiteApi(Uri site) : IDisposable
{
    readonly HttpClient http = new() { BaseAddress = site, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary><c>GET /api/meetings/{code}</c>: title, host, settings and NotStarted / InProgress / Idle.</summary>
    public async Task<JsonObject> GetMeetingAsync(string code)
    {
        using var response = await http.GetAsync($"api/meetings/{code}");
        return await ReadObjectAsync(response, HttpStatusCode.OK);
    }

    /// <summary>
    /// Reads the meeting until <paramref name="condition"/> holds (the api learns of calls by LiveKit's webhooks, so
    /// it follows the room a moment later); fails with the last answer after <paramref name="within"/>.
    /// </summary>
    public async Task<JsonObject> WaitForMeetingAsync(string code, Func<JsonObject, bool> condition, TimeSpan within)
    {
        using var giveUp = new CancellationTokenSource(within);
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        var meeting = await GetMeetingAsync(code);
        while (!condition(meeting))
        {
            try
            {
                await tick.WaitForNextTickAsync(giveUp.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"the meeting never reached the state looked for within {within}; last: {meeting.ToJsonString()}");
            }
            meeting = await GetMeetingAsync(code);
        }
        return meeting;
    }

    /// <summary>Signs the account in for a bearer token (what a script of the host's would do).</summary>
    public async Task<string> SignInAsync(string email)
    {
        await Journey.AccountStepsAsync(1);
        using var response = await http.PostAsJsonAsync("api/accounts/signin", new { email, password = WebJourney.Password });
        var token = await ReadObjectAsync(response, HttpStatusCode.OK);
        return token["accessToken"]!.GetValue<string>();
    }

    /// <summary>
    /// Sends <paramref name="body"/> (JSON) as the host (<paramref name="bearer"/>) or as a participant
    /// (<paramref name="participantKey"/> in <c>X-Participant-Token</c>).
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body = null, string? bearer = null, string? participantKey = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        if (participantKey is not null)
        {
            request.Headers.Add("X-Participant-Token", participantKey);
        }
        return await http.SendAsync(request);
    }

    /// <summary>
    /// The identities in the meeting's call as the api lists them to its host (LiveKit's ListParticipants), asked with
    /// the host's sign-in: a participant key that names an account counts only with that account's sign-in.
    /// </summary>
    public async Task<IReadOnlyList<string>> IdentitiesInCallAsync(string code, string hostEmail)
    {
        using var people = await SendAsync(HttpMethod.Get, $"api/meetings/{code}/participants", bearer: await SignInAsync(hostEmail));
        return [.. (await ReadJsonAsync(people)).AsArray().Select(p => p!["identity"]!.GetValue<string>())];
    }

    /// <summary>The answer's JSON object, after checking its status (the body says why when it is not the one expected).</summary>
    public static async Task<JsonObject> ReadObjectAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>The answer's JSON (an object or an array), after checking it is 200 OK.</summary>
    public static async Task<JsonNode> ReadJsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected 200, got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>The participant key this person's browser keeps for the meeting (its HttpOnly cookie).</summary>
    public static async Task<string> ParticipantKeyAsync(WatchedPage person, string code)
    {
        var cookies = await person.Page.Context.CookiesAsync();
        return cookies.Single(c => c.Name == $"conference.pk.{code}").Value;
    }

    /// <summary>The LiveKit identity <paramref name="viewer"/>'s page shows for <paramref name="name"/>'s one tile.</summary>
    public static async Task<string> IdentityOnTileAsync(WatchedPage viewer, string name)
    {
        await Assertions.Expect(Journey.Tile(viewer, name)).ToHaveCountAsync(1);
        return await Journey.Tile(viewer, name).GetAttributeAsync("data-identity")
            ?? throw new InvalidOperationException($"{name}'s tile has no identity");
    }

    public void Dispose() => http.Dispose();
}
