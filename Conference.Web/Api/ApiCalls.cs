namespace Conference.Web.Api;

/// <summary>
/// What a page shows of its calls to the api: the <see cref="Problem"/> the last one answered with (for
/// <c>ProblemAlert</c> and <c>FieldError</c>) and whether one is <see cref="Busy"/> (to disable the buttons that
/// would ask again). A page holds one and runs each call through <see cref="RunAsync"/> instead of its own
/// try/catch; a call whose failure means something particular (a 404 that is an answer, a background refresh that
/// keeps what is shown) catches <see cref="ApiProblemException"/> itself.
/// </summary>
public sealed class ApiCalls
{
    /// <summary>What the api said to the last call, or null when it succeeded (or none ran yet).</summary>
    public ApiProblemException? Problem { get; private set; }

    /// <summary>A call is under way.</summary>
    public bool Busy { get; private set; }

    /// <summary>
    /// Runs <paramref name="call"/>: <see cref="Problem"/> is cleared first (the page stops showing the old one while it
    /// asks again) and set if the api answers with a problem or cannot be reached. Any other exception is a bug and
    /// goes on to the renderer.
    /// </summary>
    /// <returns>True when the call succeeded; false when <see cref="Problem"/> says why not.</returns>
    public async Task<bool> RunAsync(Func<Task> call)
    {
        Problem = null;
        Busy = true;
        try
        {
            await call();
            return true;
        }
        catch (ApiProblemException problem)
        {
            Problem = problem;
            return false;
        }
        finally
        {
            Busy = false;
        }
    }
}
