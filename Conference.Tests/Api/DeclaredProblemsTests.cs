using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Conference.Tests.Infrastructure;

namespace Conference.Tests.Api;

/// <summary>
/// Every endpoint declares in the OpenAPI document each error status its handler can answer with, so a client
/// generated from the document knows them. The handler's source (and the helpers it calls, to three calls deep) is
/// read for the statuses it writes (<c>StatusCodes.StatusNNN…</c>, <c>TypedResults.NotFound()</c> and the like);
/// statuses of the shared pipeline (the meeting group's 400/404, the role filter's 401/403) are declared by the
/// group's conventions and must show in each operation too. Outside this check: answers any endpoint may give from
/// the shared middleware (413 body limits, 429 rate limits, 503 for a database outage) and problems the recorder
/// answers that the api passes on as they are.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed partial class DeclaredProblemsTests(ApiFixture fixture)
{
    static readonly Dictionary<string, int> TypedResultStatuses = new()
    {
        ["BadRequest"] = 400, ["ValidationProblem"] = 400, ["Unauthorized"] = 401, ["Forbid"] = 403, ["NotFound"] = 404,
        ["Conflict"] = 409, ["UnprocessableEntity"] = 422, ["InternalServerError"] = 500,
    };

    [Fact]
    public async Task Every_operation_declares_each_error_status_its_handler_answers()
    {
        var document = await fixture.Api.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var declared = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject())
            .ToDictionary(
                operation => operation.Value.GetProperty("operationId").GetString()!,
                operation => operation.Value.GetProperty("responses").EnumerateObject().Select(response => int.Parse(response.Name)).ToHashSet());
        var handlers = Handlers();
        Assert.True(handlers.Count >= 35, $"found only {handlers.Count} named endpoints in the api's source");

        var missing = new List<string>();
        foreach (var (operationId, answers) in handlers)
        {
            Assert.True(declared.TryGetValue(operationId, out var statuses), $"{operationId} is mapped but not in the OpenAPI document");
            foreach (var status in answers.Where(status => status >= 400 && !statuses.Contains(status)))
            {
                missing.Add($"{operationId} answers {status} but declares only {string.Join(", ", statuses.Order())}");
            }
        }
        Assert.True(missing.Count == 0, string.Join(Environment.NewLine, missing));
    }

    [Fact]
    public async Task A_lobby_ticket_that_is_not_this_meetings_is_the_declared_404()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);
        using var stranger = fixture.Api.CreateClient();

        var claim = await stranger.PostAsJsonAsync($"/api/meetings/{slug}/lobby/no-such-request", new { ticket = "not-the-ticket" });

        Assert.Equal(System.Net.HttpStatusCode.NotFound, claim.StatusCode);
        var document = await fixture.Api.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var responses = document.GetProperty("paths").GetProperty("/api/meetings/{slug}/lobby/{requestId}").GetProperty("post").GetProperty("responses");
        Assert.True(responses.TryGetProperty("404", out var notFound));
        Assert.Equal("application/problem+json", notFound.GetProperty("content").EnumerateObject().Single().Name);
    }

    /// <summary>operationId → the statuses its handler's source writes, from every mapped endpoint in Conference.Api.</summary>
    static Dictionary<string, HashSet<int>> Handlers()
    {
        var directory = Path.Combine(LocalMachine.RepositoryRoot, "Conference.Api");
        var files = Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories)
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !file.Contains("Migrations"))
            .ToDictionary(file => file, File.ReadAllText);
        var methods = files.SelectMany(file => MethodDeclaration().Matches(file.Value)
                .Select(match => (Name: match.Groups["name"].Value, File: file.Key, Body: MethodText(file.Value, match.Index))))
            .ToList();

        var handlers = new Dictionary<string, HashSet<int>>();
        foreach (var (file, text) in files)
        {
            foreach (Match name in WithName().Matches(text))
            {
                var map = text.LastIndexOf(".Map", name.Index, StringComparison.Ordinal);
                var mapping = text[map..name.Index];
                var statuses = new HashSet<int>();
                Collect(mapping, file, methods, statuses, depth: 0);
                handlers[name.Groups["id"].Value] = statuses;
            }
        }
        return handlers;
    }

    static void Collect(string code, string file, List<(string Name, string File, string Body)> methods, HashSet<int> statuses, int depth)
    {
        foreach (Match status in StatusCode().Matches(code))
        {
            statuses.Add(int.Parse(status.Groups["status"].Value));
        }
        foreach (Match result in TypedResult().Matches(code))
        {
            if (TypedResultStatuses.TryGetValue(result.Groups["name"].Value, out var status))
            {
                statuses.Add(status);
            }
        }
        if (depth == 3)
        {
            return;
        }
        var calls = Called().Matches(code).Concat(depth == 0 ? MethodGroup().Matches(code) : []);
        foreach (var called in calls.Select(match => match.Groups["name"].Value).Distinct())
        {
            // The helper of that name in the same file, else the only one of that name anywhere in the api.
            var candidates = methods.Where(method => method.Name == called).ToList();
            var sameFile = candidates.Where(method => method.File == file).ToList();
            var chosen = sameFile.Count > 0 ? sameFile : candidates.Count == 1 ? candidates : [];
            foreach (var method in chosen.Where(method => method.Body != code))
            {
                Collect(method.Body, method.File, methods, statuses, depth + 1);
            }
        }
    }

    /// <summary>A method's text: from its declaration to the next member declared at the same indentation.</summary>
    static string MethodText(string text, int start)
    {
        var next = NextMember().Match(text, start + 1);
        return next.Success ? text[start..next.Index] : text[start..];
    }

    [GeneratedRegex("""\.WithName\("(?<id>\w+)"\)""")]
    private static partial Regex WithName();

    [GeneratedRegex(@"^ {4,8}(?:(?:public|internal|private|static|async|override)\s+)+[\w<>,\s\?\.\[\]\(\)]*?\s(?<name>\w+)(?:<[^>]+>)?\(", RegexOptions.Multiline)]
    private static partial Regex MethodDeclaration();

    [GeneratedRegex(@"\n {4}(?=(?:public|internal|private|static|///|\[|\}))")]
    private static partial Regex NextMember();

    [GeneratedRegex(@"StatusCodes\.Status(?<status>\d{3})")]
    private static partial Regex StatusCode();

    [GeneratedRegex(@"TypedResults\.(?<name>\w+)\(")]
    private static partial Regex TypedResult();

    /// <summary>
    /// A call of a static helper, <c>Helper(</c> or <c>Type.Helper(</c>; not an instance's method (<c>db.Join(</c>),
    /// which belongs to another type and would only be confused with a handler of the same name.
    /// </summary>
    [GeneratedRegex(@"(?<![\w"".])(?:[A-Z]\w*\.)?(?<name>[A-Z]\w*)(?:<[^>()]*>)?\(")]
    private static partial Regex Called();

    /// <summary>The handler named as a method group: <c>MapPost("/x", Handler)</c>.</summary>
    [GeneratedRegex(@"Map\w+\(\s*""[^""]*""\s*,\s*(?<name>[A-Z]\w*)\s*\)")]
    private static partial Regex MethodGroup();
}
