using System.Net;
using Conference.Web.Api;
using Microsoft.Extensions.DependencyInjection;
using RecordingStatus = Conference.Contracts.RecordingStatus;

namespace Conference.Tests.Web;

public sealed class ApiClientTests : WebComponentTest
{
    [Fact]
    public async Task A_validation_problem_becomes_an_exception_naming_the_fields()
    {
        Api.OnProblem("POST", "/api/accounts/signup", HttpStatusCode.BadRequest, "One or more validation errors occurred.",
            errors: new() { ["password"] = ["Passwords must be at least 10 characters."], ["email"] = ["Email 'x' is already taken."] });

        var problem = await Assert.ThrowsAsync<ApiProblemException>(() =>
            Services.GetRequiredService<AccountsClient>().SignUpAsync("x@example.org", "short", "X"));

        Assert.Equal(400, problem.Status);
        Assert.Equal("Passwords must be at least 10 characters.", problem.ErrorFor("password"));
        Assert.Equal("Email 'x' is already taken.", problem.ErrorFor("Email"));
        Assert.Contains("at least 10 characters", problem.Message);
    }

    [Fact]
    public async Task A_validation_problem_speaks_of_fields_as_the_forms_name_them_under_the_api_s_keys()
    {
        Api.OnProblem("POST", "/api/meetings/abc-defg-hij/join", HttpStatusCode.BadRequest, "One or more validation errors occurred.",
            errors: new() { ["displayName"] = ["The displayName must be at most 64 characters."] });

        var problem = await Assert.ThrowsAsync<ApiProblemException>(() => Services.GetRequiredService<JoinClient>().JoinAsync("abc-defg-hij", "Eve"));

        Assert.Equal("Please check what you entered", problem.Title);
        Assert.Equal("Your name must be at most 64 characters.", problem.ErrorFor("displayName"));
        Assert.Equal("Your name must be at most 64 characters.", problem.Message);
        Assert.Equal(["displayName"], problem.Errors.Keys);
    }

    [Theory]
    [InlineData("setupCode", "The setupCode is required.", "The setup code is required.")]
    [InlineData("title", "The title must contain something visible.", "The title must contain something visible.")]
    [InlineData("invitees[2].name", "The invitees[2].name must not contain control characters.", "The name must not contain control characters.")]
    [InlineData("settings.maxParticipants", "settings.maxParticipants must be between 2 and 100.", "The number of people must be between 2 and 100.")]
    [InlineData("email", "A valid email address is required.", "A valid email address is required.")]
    public void Field_keys_become_the_forms_words(string field, string message, string expected) =>
        Assert.Equal(expected, ProblemWording.Message(field, message));

    [Fact]
    public async Task A_problem_detail_is_the_message_people_see()
    {
        Api.OnProblem("POST", "/api/meetings/abc-defg-hij/join", HttpStatusCode.Forbidden, "Meeting locked", "The host has locked this meeting; nobody new can join.");

        var problem = await Assert.ThrowsAsync<ApiProblemException>(() => Services.GetRequiredService<JoinClient>().JoinAsync("abc-defg-hij", "Eve"));

        Assert.Equal(403, problem.Status);
        Assert.Equal("Meeting locked", problem.Title);
        Assert.Equal("The host has locked this meeting; nobody new can join.", problem.Message);
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, "Unauthorized", "Sign in needed")]
    [InlineData(HttpStatusCode.Forbidden, "Forbidden", "Not allowed")]
    [InlineData(HttpStatusCode.NotFound, "Not Found", "Not found")]
    [InlineData(HttpStatusCode.Conflict, "Conflict", "Changed in the meantime")]
    [InlineData(HttpStatusCode.Gone, "Gone", "No longer possible")]
    [InlineData(HttpStatusCode.BadRequest, "Bad Request", "Not accepted")]
    [InlineData(HttpStatusCode.InternalServerError, "An error occurred while processing your request.", "The service had a problem")]
    [InlineData(HttpStatusCode.ServiceUnavailable, "Service Unavailable", "The service is unavailable")]
    public async Task A_title_that_only_names_the_status_is_said_in_peoples_words(HttpStatusCode status, string bare, string expected)
    {
        // ASP.NET Core's default problem titles are the HTTP reason phrases; a page showed "Unauthorized" as a heading.
        Api.OnProblem("GET", "/api/meetings/abc-defg-hij", status, bare, "What the api said.");

        var problem = await Assert.ThrowsAsync<ApiProblemException>(() => Services.GetRequiredService<MeetingsClient>().GetAsync("abc-defg-hij"));

        Assert.Equal(expected, problem.Title);
        Assert.Equal("What the api said.", problem.Message);
    }

    [Fact]
    public async Task An_unreachable_api_is_a_service_unavailable_problem_not_a_crash()
    {
        Api.OnThrow("GET", "/api/meetings/abc-defg-hij", new HttpRequestException("Connection refused"));

        var problem = await Assert.ThrowsAsync<ApiProblemException>(() => Services.GetRequiredService<MeetingsClient>().GetAsync("abc-defg-hij"));

        Assert.Equal(503, problem.Status);
        Assert.Contains("cannot be reached", problem.Message);
    }

    [Fact]
    public async Task A_change_whose_answer_timed_out_is_not_said_to_have_failed_to_reach_the_api()
    {
        // What the standard resilience handler throws when the api takes longer than the 10 s attempt timeout (the
        // web's log said OnTimeout while the recording it asked for had started).
        Api.OnThrow("POST", "/api/meetings/abc-defg-hij/recordings", new Polly.Timeout.TimeoutRejectedException("The operation didn't complete within the allowed timeout of '00:00:10'."));
        Api.OnThrow("GET", "/api/meetings/abc-defg-hij", new Polly.Timeout.TimeoutRejectedException("The operation didn't complete within the allowed timeout of '00:00:10'."));

        var change = await Assert.ThrowsAsync<ApiProblemException>(() => Services.GetRequiredService<RecordingsClient>().StartAsync("abc-defg-hij", RecordingLayout.Grid, audioOnly: false));
        var read = await Assert.ThrowsAsync<ApiProblemException>(() => Services.GetRequiredService<MeetingsClient>().GetAsync("abc-defg-hij"));

        Assert.True(change.AnswerMissing);
        Assert.DoesNotContain("cannot be reached", change.Message);
        Assert.Equal("The conference service did not answer in time, so this may still have happened. Check before trying again.", change.Message);
        Assert.Equal(503, change.Status);
        Assert.Equal("The conference service did not answer in time. Please try again in a moment.", read.Message);
        Assert.DoesNotContain("cannot be reached", read.Message);
    }

    [Fact]
    public async Task Every_call_carries_the_signed_in_persons_bearer_token_and_a_participant_credential_when_given()
    {
        Api.On("GET", "/api/meetings/abc-defg-hij/lobby", Array.Empty<object>());

        await Services.GetRequiredService<ModerationClient>().ListLobbyAsync("abc-defg-hij", participantCredential: "cohost-credential");

        var seen = Assert.Single(Api.Seen("GET", "/api/meetings/abc-defg-hij/lobby"));
        Assert.Equal($"Bearer {AccessToken}", seen.Authorization);
        Assert.Equal("cohost-credential", seen.ParticipantToken);
    }

    [Fact]
    public async Task A_guest_sends_no_bearer_token()
    {
        Authorization.SetNotAuthorized();
        Api.On("POST", "/api/meetings/abc-defg-hij/join", new { status = "waiting", lobbyRequestId = "r1" }, HttpStatusCode.Accepted);

        var result = await Services.GetRequiredService<JoinClient>().JoinAsync("abc-defg-hij", "Guest");

        Assert.True(result.IsWaiting);
        Assert.Equal("r1", result.LobbyRequestId);
        Assert.Null(Assert.Single(Api.Seen("POST", "/api/meetings/abc-defg-hij/join")).Authorization);
    }

    [Fact]
    public async Task Enums_and_bodies_travel_as_the_api_spells_them()
    {
        Api.On("PUT", "/api/meetings/abc-defg-hij/participants/sam-1/role", null, HttpStatusCode.NoContent);
        Api.On("POST", "/api/meetings/abc-defg-hij/recordings", new { id = Guid.NewGuid(), meetingSlug = "abc-defg-hij", status = "Starting", layout = "speaker", audioOnly = false });

        await Services.GetRequiredService<ModerationClient>().SetRoleAsync("abc-defg-hij", "sam-1", ParticipantRole.CoHost);
        var recording = await Services.GetRequiredService<RecordingsClient>().StartAsync("abc-defg-hij", RecordingLayout.Speaker, audioOnly: false);

        Assert.Equal("""{"role":"CoHost"}""", Assert.Single(Api.Seen("PUT", "/api/meetings/abc-defg-hij/participants/sam-1/role")).Body);
        Assert.Equal("""{"layout":"speaker","audioOnly":false}""", Assert.Single(Api.Seen("POST", "/api/meetings/abc-defg-hij/recordings")).Body);
        Assert.Equal(RecordingStatus.Starting, recording.Status);
    }

    [Fact]
    public async Task A_failed_post_is_not_retried_behind_the_users_back()
    {
        // The web's service defaults add the standard resilience handler, which retries; not for a join or a create.
        Services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler());
        Api.OnProblem("POST", "/api/meetings", HttpStatusCode.ServiceUnavailable, "Busy");

        await Assert.ThrowsAsync<ApiProblemException>(() => Services.GetRequiredService<MeetingsClient>().CreateAsync("Standup"));

        Assert.Single(Api.Seen("POST", "/api/meetings"));
    }
}
