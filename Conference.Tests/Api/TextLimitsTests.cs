using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Conference.Contracts;

namespace Conference.Tests.Api;

/// <summary>
/// Names and titles over their limits (TextLimits, shared with the web) are refused with a problem naming the field,
/// never cut short; a text within its count is kept exactly, however many UTF-16 units its emoji take.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class TextLimitsTests(ApiFixture fixture)
{
    /// <summary>A woman technologist, medium skin tone: one character to a reader, four code points (as PostgreSQL counts), seven UTF-16 units.</summary>
    const string Technologist = "👩🏽‍💻";

    [Fact]
    public async Task An_over_long_display_name_is_refused_naming_the_field_and_no_account_is_made()
    {
        var client = fixture.Api.CreateClient();
        var email = $"long-{Guid.NewGuid():N}@example.org";

        var response = await client.PostAsJsonAsync("/api/accounts/signup",
            new { email, password = "correct horse battery", displayName = new string('n', 500) });

        var message = await AssertProblemAsync(response, "displayName");
        Assert.Equal($"The displayName must be at most {TextLimits.DisplayName} characters; it has 500.", message);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/api/accounts/signin", new { email, password = "correct horse battery" })).StatusCode);
    }

    [Fact]
    public async Task A_display_name_of_emoji_within_its_count_is_kept_exactly()
    {
        var client = fixture.Api.CreateClient();
        var email = $"emoji-{Guid.NewGuid():N}@example.org";
        var name = string.Concat(Enumerable.Repeat(Technologist, 30)); // 30 characters, 210 UTF-16 units, 120 code points

        (await client.PostAsJsonAsync("/api/accounts/signup", new { email, password = "correct horse battery", displayName = name })).EnsureSuccessStatusCode();

        var token = await (await client.PostAsJsonAsync("/api/accounts/signin", new { email, password = "correct horse battery" }))
            .Content.ReadFromJsonAsync<ApiFixture.BearerToken>();
        using var me = new HttpRequestMessage(HttpMethod.Get, "/api/accounts/me") { Headers = { Authorization = new("Bearer", token!.AccessToken) } };
        Assert.Equal(name, (await (await client.SendAsync(me)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task A_name_of_one_character_built_of_hundreds_of_marks_is_refused_rather_than_failing_to_store()
    {
        var name = "a" + new string('\u0301', 300); // one text element to a reader, 301 code points

        var response = await fixture.Api.CreateClient().PostAsJsonAsync("/api/accounts/signup",
            new { email = $"marks-{Guid.NewGuid():N}@example.org", password = "correct horse battery", displayName = name });

        Assert.Contains("too many combined characters", await AssertProblemAsync(response, "displayName"));
    }

    [Fact]
    public async Task A_meeting_title_over_its_limit_is_refused_and_one_at_the_limit_is_kept_whole()
    {
        using var host = await fixture.SignedInHostAsync();

        var tooLong = await host.PostAsJsonAsync("/api/meetings", new { title = new string('t', 300) });
        Assert.Equal($"The title must be at most {TextLimits.MeetingTitle} characters; it has 300.", await AssertProblemAsync(tooLong, "title"));

        var atLimit = string.Concat(Enumerable.Repeat(Technologist, TextLimits.MeetingTitle));
        var created = await host.PostAsJsonAsync("/api/meetings", new { title = atLimit });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(atLimit, (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_join_with_an_over_long_name_is_refused_naming_the_field()
    {
        using var host = await fixture.SignedInHostAsync();
        var slug = await MeetingsApiTests.CreateAsync(host);

        var response = await fixture.Api.CreateClient().PostAsJsonAsync($"/api/meetings/{slug}/join", new { displayName = new string('g', 500) });

        Assert.Equal($"The displayName must be at most {TextLimits.DisplayName} characters; it has 500.", await AssertProblemAsync(response, "displayName"));
    }

    static async Task<string> AssertProblemAsync(HttpResponseMessage response, string field)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonDocument.Parse(body).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), body);
        return messages[0].GetString()!;
    }
}
