using System.Net.Http.Json;
using Microsoft.AspNetCore.Http;

namespace Conference.Tests.Infrastructure;

public static class ProblemAnswers
{
    /// <summary>
    /// The RFC 7807 problem document a refused request was answered with: title, detail, and for a 400 the fields at
    /// fault (<see cref="HttpValidationProblemDetails.Errors"/>, keyed by the api's field names).
    /// </summary>
    public static async Task<HttpValidationProblemDetails> ReadProblemAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<HttpValidationProblemDetails>())!;
}
