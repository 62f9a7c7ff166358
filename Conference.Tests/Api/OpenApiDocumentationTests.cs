using System.Net.Http.Json;
using System.Text.Json;

namespace Conference.Tests.Api;

/// <summary>
/// The request and response types' XML docs (units, shapes, limits) reach the OpenAPI document, field by field, under
/// the names the JSON uses (camelCase).
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class OpenApiDocumentationTests(ApiFixture fixture)
{
    /// <summary>The api's own request and response types: every field of each is described.</summary>
    static readonly string[] DocumentedSchemas =
    [
        "JoinRequest", "JoinResponse", "JoinDetails", "LobbyTicketRequest",
        "LobbyEntry", "ParticipantResponse", "TrackResponse", "MuteRequest", "RoleRequest", "LockRequest",
        "CreateMeetingRequest", "MeetingSettingsDto", "MeetingResponse", "MeetingSettingsResponse", "MeetingPage",
        "MeetingFigures", "CallFigures", "DayFigures",
        "StartRecordingRequest", "RecordingResponse", "RecordingPageResponse",
        "SignUpRequest", "SignInRequest", "RefreshRequest", "ChangePasswordRequest", "SiteSettingsDto",
    ];

    [Fact]
    public async Task Every_field_of_the_apis_request_and_response_types_is_described()
    {
        var schemas = await SchemasAsync();
        var undescribed = new List<string>();
        foreach (var name in DocumentedSchemas)
        {
            Assert.True(schemas.TryGetProperty(name, out var schema), $"the document has no schema {name}");
            foreach (var property in schema.GetProperty("properties").EnumerateObject())
            {
                // A field whose type is another schema is a reference, and the generator puts no description beside
                // a reference; the referenced schema (in this list, or an enum) is what describes it.
                if (IsReference(property.Value))
                {
                    continue;
                }
                if (!property.Value.TryGetProperty("description", out var description) || string.IsNullOrWhiteSpace(description.GetString()))
                {
                    undescribed.Add($"{name}.{property.Name}");
                }
            }
        }
        Assert.True(undescribed.Count == 0, "Not described: " + string.Join(", ", undescribed));
    }

    [Theory]
    [InlineData("JoinRequest", "displayName", "1–64 characters")]
    [InlineData("JoinDetails", "token", "valid 10 minutes")]
    [InlineData("MeetingSettingsDto", "maxParticipants", "2–100")]
    [InlineData("MeetingSettingsDto", "expiresAt", "ISO 8601")]
    [InlineData("MeetingFigures", "participantMinutes", "Minutes summed over every connection")]
    [InlineData("RecordingResponse", "sizeBytes", "in bytes")]
    [InlineData("SignUpRequest", "password", "At least 10 characters")]
    public async Task A_fields_description_gives_its_unit_shape_or_limit(string schema, string field, string text)
    {
        var schemas = await SchemasAsync();
        var description = schemas.GetProperty(schema).GetProperty("properties").GetProperty(field).GetProperty("description").GetString();
        Assert.Contains(text, description);
    }

    static bool IsReference(JsonElement property) =>
        property.TryGetProperty("$ref", out _)
        || new[] { "anyOf", "oneOf", "allOf" }.Any(combinator => property.TryGetProperty(combinator, out var options)
            && options.EnumerateArray().Any(option => option.TryGetProperty("$ref", out _)));

    async Task<JsonElement> SchemasAsync()
    {
        var document = await fixture.Api.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        return document.GetProperty("components").GetProperty("schemas");
    }
}
