using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Conference.Web.Api;

namespace Conference.Tests.Web;

/// <summary>
/// Stands in for the api in component tests: answers "METHOD path" with canned JSON (or a problem) and keeps
/// every request it saw, with its headers and body, for the test to check.
/// </summary>
public sealed class ApiStub : HttpMessageHandler
{
    readonly ConcurrentDictionary<string, Func<HttpRequestMessage, Task<HttpResponseMessage>>> answers = new();

    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    public sealed record SeenRequest(HttpMethod Method, string PathAndQuery, string? Authorization, string? ParticipantToken, string? Body);

    /// <summary>Answers <paramref name="method"/> <paramref name="pathAndQuery"/> (query included when given) with JSON.</summary>
    public ApiStub On(string method, string pathAndQuery, object? body, HttpStatusCode status = HttpStatusCode.OK)
    {
        answers[$"{method} {pathAndQuery}"] = _ => Task.FromResult(Json(status, body));
        return this;
    }

    /// <summary>Answers like <see cref="On"/>, once <paramref name="until"/> completes: a request still in flight.</summary>
    public ApiStub OnceDone(Task until, string method, string pathAndQuery, object? body, HttpStatusCode status = HttpStatusCode.OK)
    {
        answers[$"{method} {pathAndQuery}"] = async _ =>
        {
            await until;
            return Json(status, body);
        };
        return this;
    }

    public ApiStub OnProblem(string method, string pathAndQuery, HttpStatusCode status, string title, string? detail = null,
        Dictionary<string, string[]>? errors = null)
    {
        answers[$"{method} {pathAndQuery}"] = _ =>
        {
            var response = Json(status, new { type = "about:blank", title, status = (int)status, detail, errors });
            response.Content.Headers.ContentType = new("application/problem+json");
            return Task.FromResult(response);
        };
        return this;
    }

    public ApiStub OnThrow(string method, string pathAndQuery, Exception exception)
    {
        answers[$"{method} {pathAndQuery}"] = _ => throw exception;
        return this;
    }

    public IEnumerable<SeenRequest> Seen(string method, string path) =>
        Requests.Where(r => r.Method.Method == method && r.PathAndQuery.Split('?')[0] == path);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var pathAndQuery = request.RequestUri!.PathAndQuery;
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        Requests.Enqueue(new SeenRequest(request.Method, pathAndQuery, request.Headers.Authorization?.ToString(),
            request.Headers.TryGetValues(ApiClient.ParticipantTokenHeader, out var values) ? values.Single() : null, body));

        var path = pathAndQuery.Split('?')[0];
        if (answers.TryGetValue($"{request.Method.Method} {pathAndQuery}", out var exact)
            || answers.TryGetValue($"{request.Method.Method} {path}", out exact))
        {
            return await exact(request);
        }
        return Json(HttpStatusCode.NotFound, new { title = "Not found", status = 404, detail = $"The stub has no answer for {request.Method} {pathAndQuery}." });
    }

    static HttpResponseMessage Json(HttpStatusCode status, object? body) => new(status)
    {
        Content = body is null
            ? new ByteArrayContent([])
            : new StringContent(JsonSerializer.Serialize(body, ApiClient.Json), Encoding.UTF8, "application/json"),
    };
}
