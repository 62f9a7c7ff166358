using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Conference.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Conference.Tests.Api;

/// <summary>
/// Bad input is answered with a problem that says which part is wrong and what it takes, in our words: a body field
/// by its JSON path, a missing body with an example of one, a route or query value by its name with its format.
/// <see cref="BadInputTests"/> asks that nothing answers 500; this asks that each answer helps the caller fix it.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class BadInputAnswersTests(ApiFixture fixture)
{
    /// <summary>The framework's own words, which a client cannot act on and should never see.</summary>
    static readonly string[] FrameworkText =
        ["could not be converted", "Implicit body", "Failed to bind", "Failed to read", "Required parameter", "System.", "Nullable`", "Expected a supported JSON media type"];

    [Theory]
    // A newcomer's guess: the lobby at the top level, where a new meeting has only title and settings.
    [InlineData("""{"lobbyEnabled":"yes"}""", "lobbyEnabled", "settings.lobbyEnabled")]
    [InlineData("""{"settings":{"lobbyEnabled":"yes"}}""", "settings.lobbyEnabled", "true or false")]
    [InlineData("""{"settings":{"maxParticipants":"5"}}""", "settings.maxParticipants", "a whole number")]
    [InlineData("""{"settings":{"recordingAccess":1}}""", "settings.recordingAccess", "\"Participants\"")]
    [InlineData("""{"settings":{"expiresAt":"tomorrow"}}""", "settings.expiresAt", "RFC 3339")]
    [InlineData("""{"title":["A","B"]}""", "title", "a string")]
    [InlineData("""{"title":"A","title":"B"}""", "title", "title appears more than once; give it once.")]
    // One cause, not every possible one (a newcomer read about surrogates and repeats for a number).
    [InlineData("""{"title":5}""", "title", "title must be a string.")]
    [InlineData("""{"title":"A\ud800"}""", "title", "valid Unicode text")] // a lone surrogate: a string, but not text
    public async Task A_body_field_of_the_wrong_type_or_out_of_place_is_named_with_what_it_takes(string body, string field, string said)
    {
        using var host = await fixture.SignedInHostAsync();

        var response = await host.PostAsync("/api/meetings", new StringContent(body, Encoding.UTF8, "application/json"));

        var errors = await FieldErrorsAsync(response, HttpStatusCode.BadRequest);
        Assert.True(errors.TryGetValue(field, out var messages), $"no error for {field}: {string.Join("; ", errors.Keys)}");
        Assert.Contains(said, string.Join(" ", messages));
        Assert.Empty((await host.GetFromJsonAsync<JsonElement>("/api/meetings")).GetProperty("items").EnumerateArray());
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", "application/json")]
    [InlineData("null", "application/json")]
    [InlineData("{}", "application/json")]
    public async Task A_missing_or_empty_body_is_required_and_shown(string? body, string? contentType)
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/meetings/{slug}/lock");
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, contentType!);
        }

        var errors = await FieldErrorsAsync(await host.SendAsync(request), HttpStatusCode.BadRequest);

        var message = Assert.Single(Assert.Contains("body", errors));
        Assert.Contains("""{"locked": true}""", message);
        Assert.False((await host.GetFromJsonAsync<JsonElement>($"/api/meetings/{slug}")).GetProperty("settings").GetProperty("locked").GetBoolean());
    }

    [Theory]
    [InlineData("/api/analytics/usage?from=yesterday", "from", "yyyy-MM-dd")]
    [InlineData("/api/analytics/usage?to=2026-13-45", "to", "yyyy-MM-dd")]
    [InlineData("/api/meetings?page=first", "page", "a whole number")]
    [InlineData("/api/recordings/not-a-uuid", "id", "UUID")]
    public async Task A_query_or_route_value_that_does_not_parse_is_named_with_its_format(string url, string field, string said)
    {
        using var host = await fixture.SignedInHostAsync();

        var errors = await FieldErrorsAsync(await host.GetAsync(url), HttpStatusCode.BadRequest);

        Assert.Equal([field], errors.Keys);
        Assert.Contains(said, errors[field].Single());
    }

    /// <summary>
    /// Every endpoint the api maps (read from its routing, so a new one is covered the day it is added) gets each
    /// kind of bad input it can be sent: its body missing, empty, null, malformed, with an unknown field and with each
    /// field of a wrong type; each of its route and query values that has a type, unparseable; an invalid meeting
    /// code. Each answer is a 4xx problem whose errors name the part at fault, in our words.
    /// </summary>
    [Fact]
    public async Task Every_endpoint_names_the_part_at_fault_for_every_kind_of_bad_input()
    {
        using var admin = await fixture.SignedInAdminAsync();
        var slug = await MeetingsApiTests.CreateAsync(admin);
        var json = fixture.Api.Services.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        var endpoints = fixture.Api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.TrimStart('/').StartsWith("api/", StringComparison.Ordinal) == true
                        && e.Metadata.GetMetadata<MethodInfo>() is not null && e.Metadata.GetMetadata<IHttpMethodMetadata>() is not null)
            .ToList();
        var failures = new List<string>();
        var tried = 0;
        var coveredBodies = 0;

        foreach (var endpoint in endpoints)
        {
            var handler = endpoint.Metadata.GetMetadata<MethodInfo>()!;
            var pattern = endpoint.RoutePattern;
            var bodyType = endpoint.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
            // The webhook reads its own bytes (their signature first): a body the handler binds is a parameter of its type.
            var binds = bodyType is not null && handler.GetParameters().Any(p => p.ParameterType == bodyType);
            var urlValues = handler.GetParameters()
                .Where(p => p.Name is not null && TypedUrlValue(p.ParameterType) && p.GetCustomAttribute<Microsoft.AspNetCore.Mvc.FromServicesAttribute>() is null)
                .Select(p => (p.Name!, FromRoute: pattern.GetParameter(p.Name!) is not null))
                .ToList();
            var cases = new List<(string Name, string Url, string? Body, string? ContentType, string Field)>();
            var url = Url(pattern, slug, bad: null);
            if (binds)
            {
                coveredBodies++;
                if (endpoint.Metadata.GetMetadata<IAcceptsMetadata>()!.IsOptional is false)
                {
                    cases.Add(("no body", url, null, null, "body"));
                    cases.Add(("empty body", url, "", "application/json", "body"));
                    cases.Add(("null body", url, "null", "application/json", "body"));
                }
                cases.Add(("malformed body", url, "{'displayName': 'Ada'}", "application/json", "body"));
                cases.Add(("unfinished body", url, "{", "application/json", "body"));
                cases.Add(("array body", url, "[1]", "application/json", "body"));
                cases.Add(("text/plain body", url, "{}", "text/plain", "body"));
                cases.Add(("unknown field", url, """{"noSuchField":1}""", "application/json", "noSuchField"));
                foreach (var property in json.GetTypeInfo(bodyType!).Properties)
                {
                    cases.Add(($"{property.Name} of a wrong type", url, $"{{\"{property.Name}\":{WrongValue(property.PropertyType)}}}", "application/json", property.Name));
                }
            }
            var validBody = binds ? "{}" : null;
            foreach (var (name, fromRoute) in urlValues)
            {
                var badUrl = fromRoute ? Url(pattern, slug, bad: name) : $"{url}?{name}=zzz";
                cases.Add(($"{name} unparseable", badUrl, validBody, validBody is null ? null : "application/json", name));
            }
            if (pattern.GetParameter("slug") is not null && !binds)
            {
                cases.Add(("invalid meeting code", Url(pattern, "NOT-A-CODE", bad: null), null, null, "slug"));
            }

            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods)
            {
                foreach (var (name, caseUrl, body, contentType, field) in cases)
                {
                    using var request = new HttpRequestMessage(new HttpMethod(method), caseUrl);
                    if (body is not null)
                    {
                        request.Content = new StringContent(body, Encoding.UTF8);
                        request.Content.Headers.ContentType = new(contentType!);
                    }
                    request.Headers.Authorization = admin.DefaultRequestHeaders.Authorization;
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                    using var response = await fixture.Api.CreateClient().SendAsync(request, timeout.Token);
                    tried++;
                    var status = (int)response.StatusCode;
                    var text = await response.Content.ReadAsStringAsync(timeout.Token);
                    var what = $"{method} {caseUrl} [{name}] → {status}";
                    if (status is < 400 or >= 500 || status is 401 or 403)
                    {
                        failures.Add($"{what}: {text}");
                    }
                    else if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                    {
                        failures.Add($"{what} as {response.Content.Headers.ContentType?.MediaType}, not a problem");
                    }
                    else if (!JsonDocument.Parse(text).RootElement.TryGetProperty("errors", out var errors) || !errors.TryGetProperty(field, out _))
                    {
                        failures.Add($"{what} does not name {field}: {text}");
                    }
                    else if (FrameworkText.FirstOrDefault(leak => text.Contains(leak, StringComparison.Ordinal)) is { } leak)
                    {
                        failures.Add($"{what} says the framework's \"{leak}\": {text}");
                    }
                }
            }
        }

        Assert.True(coveredBodies >= 15, $"only {coveredBodies} endpoints bind a body");
        Assert.True(tried >= 150, $"only {tried} requests tried");
        Assert.True(failures.Count == 0, $"{failures.Count} of {tried}:\n" + string.Join("\n", failures));
    }

    /// <summary>A route or query value that something could fail to parse: numbers, dates, UUIDs, flags, enums (not free text).</summary>
    static bool TypedUrlValue(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsEnum || type == typeof(bool) || type == typeof(int) || type == typeof(long) || type == typeof(Guid)
               || type == typeof(DateOnly) || type == typeof(DateTimeOffset) || type == typeof(DateTime) || type == typeof(double);
    }

    /// <summary>A JSON value no field of <paramref name="type"/> takes: a number for text, text for numbers, dates, flags, objects and arrays.</summary>
    static string WrongValue(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type == typeof(string) ? "5"
            : type == typeof(bool) ? "\"yes\""
            : type.IsEnum ? "7"
            : type == typeof(int) || type == typeof(long) || type == typeof(double) ? "\"12\""
            : "\"not this\"";
    }

    /// <summary>The route with real values (this admin's meeting, a well-formed id), and "zzz" for the parameter named <paramref name="bad"/>.</summary>
    static string Url(Microsoft.AspNetCore.Routing.Patterns.RoutePattern pattern, string slug, string? bad) =>
        "/" + System.Text.RegularExpressions.Regex.Replace(pattern.RawText!.TrimStart('/'), "{(?<name>[^}:?]+)[^}]*}", match =>
            match.Groups["name"].Value switch
            {
                var name when name == bad => "zzz",
                "slug" => slug,
                "id" or "requestId" when pattern.RawText!.Contains("recordings", StringComparison.Ordinal) => Guid.Empty.ToString(),
                "inviteeId" => "1",
                _ => "nobody",
            });

    /// <summary>The problem's <c>errors</c>, after checking its status and that it is a problem document.</summary>
    static async Task<Dictionary<string, string[]>> FieldErrorsAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain(FrameworkText, leak => text.Contains(leak, StringComparison.Ordinal));
        var problem = await response.ReadProblemAsync();
        return new Dictionary<string, string[]>(problem.Errors);
    }
}
