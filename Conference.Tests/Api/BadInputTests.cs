using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Conference.Tests.Api;

/// <summary>
/// Every endpoint in the OpenAPI document, sent a table of bad bodies, headers and route values: each answer is a
/// 4xx (a problem document when it has a body), never a 500 and never a hang.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class BadInputTests(ApiFixture fixture)
{
    static readonly string[] BadBodies =
    [
        "",
        "{",
        "[]",
        "null",
        "\"text\"",
        """{"displayName":{"nested":true},"title":[1,2],"settings":"x","locked":"yes","role":"Admin","trackSid":5,"email":false}""",
        """{"settings":{"maxParticipants":-5,"recordingAccess":"Everyone"}}""",
        """{"recordingRetentionDays":99999999999}""",
        new string('[', 5000),
    ];

    static readonly string[] BadRouteValues = ["zzz-zzzz-zzz", "NOT-A-SLUG", "%2e%2e", "a'b--c"];

    [Fact]
    public async Task No_endpoint_answers_a_bad_request_with_a_500()
    {
        using var host = await fixture.SignedInHostAsync();
        var document = await fixture.Api.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var failures = new List<string>();
        var tried = 0;

        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var method = new HttpMethod(operation.Name.ToUpperInvariant());
                foreach (var routeValue in BadRouteValues)
                {
                    var url = System.Text.RegularExpressions.Regex.Replace(path.Name, "{[^}]+}", routeValue);
                    foreach (var body in BadBodies)
                    {
                        foreach (var client in new[] { host, fixture.Api.CreateClient() })
                        {
                            using var request = new HttpRequestMessage(method, url);
                            if (method != HttpMethod.Get && method != HttpMethod.Delete)
                            {
                                request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
                            }
                            request.Headers.TryAddWithoutValidation("Authorization", client == host ? client.DefaultRequestHeaders.Authorization!.ToString() : "Bearer not-a-token");
                            request.Headers.TryAddWithoutValidation("X-Participant-Token", "garbage.token.here");
                            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                            var response = await fixture.Api.CreateClient().SendAsync(request, timeout.Token);
                            tried++;
                            if ((int)response.StatusCode >= 500 && !await IsNoRecorderAsync(response))
                            {
                                failures.Add($"{method} {url} body={body[..Math.Min(40, body.Length)]} → {(int)response.StatusCode}");
                            }
                            else if ((int)response.StatusCode >= 400 && response.Content.Headers.ContentLength is > 0
                                     && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                            {
                                failures.Add($"{method} {url} → {(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType}, not a problem");
                            }
                        }
                    }
                }
            }
        }

        Assert.True(tried > 200, $"only {tried} requests tried");
        Assert.Empty(failures);
    }

    /// <summary>
    /// This fixture's api runs without a recorder (the recorder's tests run both), so a well-formed recording request
    /// gets the deliberate 503 "Recording is not available" rather than an answer about its input.
    /// </summary>
    static async Task<bool> IsNoRecorderAsync(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.ServiceUnavailable
        && response.Content.Headers.ContentType?.MediaType == "application/problem+json"
        && (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString() == "Recording is not available";

    [Fact]
    public async Task The_OpenAPI_document_lists_every_endpoint_with_its_responses_and_problems()
    {
        var document = await fixture.Api.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var operations = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => (Path: path.Name, Method: op.Name, Operation: op.Value)))
            .ToList();

        string[] expected =
        [
            "post /api/accounts/signup", "post /api/accounts/signin", "post /api/accounts/refresh", "post /api/accounts/signout", "get /api/accounts/me",
            "get /api/admin/settings", "put /api/admin/settings",
            "post /api/meetings", "get /api/meetings", "get /api/meetings/{slug}", "put /api/meetings/{slug}/settings", "delete /api/meetings/{slug}",
            "post /api/meetings/{slug}/join", "post /api/meetings/{slug}/lobby/{requestId}", "get /api/meetings/{slug}/lobby",
            "post /api/meetings/{slug}/lobby/{requestId}/admit", "post /api/meetings/{slug}/lobby/{requestId}/deny",
            "get /api/meetings/{slug}/participants", "post /api/meetings/{slug}/participants/{identity}/mute",
            "delete /api/meetings/{slug}/participants/{identity}", "put /api/meetings/{slug}/participants/{identity}/role",
            "put /api/meetings/{slug}/lock", "post /api/meetings/{slug}/end",
            "post /api/webhooks/livekit", "get /api/meetings/{slug}/analytics", "get /api/analytics/usage", "get /api/health",
        ];
        var documented = operations.Select(o => $"{o.Method} {o.Path.TrimEnd('/')}").ToHashSet();
        Assert.All(expected, e => Assert.Contains(e, documented));

        Assert.All(operations, o =>
        {
            Assert.True(o.Operation.TryGetProperty("operationId", out _), $"{o.Method} {o.Path} has no name");
            Assert.True(o.Operation.GetProperty("responses").EnumerateObject().Any(), $"{o.Method} {o.Path} documents no response");
        });
        var join = operations.Single(o => o.Method == "post" && o.Path == "/api/meetings/{slug}/join").Operation;
        Assert.True(join.TryGetProperty("requestBody", out _));
        foreach (var status in new[] { "200", "202", "400", "403", "404", "409", "410", "429", "503" })
        {
            Assert.True(join.GetProperty("responses").TryGetProperty(status, out _), $"join does not document {status}");
        }
    }
}
