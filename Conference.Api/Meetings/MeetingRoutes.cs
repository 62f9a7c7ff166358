using Conference.Api.Data;
using Conference.Api.Participants;
using Microsoft.EntityFrameworkCore;

namespace Conference.Api.Meetings;

/// <summary>
/// One pipeline for every <c>api/meetings/{slug}/…</c> route: the group's filter checks the slug and loads the
/// meeting (400, 404); <see cref="RequireMeetingRole"/> adds the caller's role, read from the database on every
/// call (401, 403). Handlers take a <see cref="MeetingRequest"/> and find both there.
/// </summary>
public static class MeetingRoutes
{
    /// <summary>The group all meeting routes hang from; the features map theirs onto it.</summary>
    public static RouteGroupBuilder MapMeetingGroup(this IEndpointRouteBuilder app) =>
        app.MapGroup("api/meetings/{slug}")
            .AddEndpointFilter(async (context, next) =>
            {
                var request = await MeetingRequest.LoadAsync(context.HttpContext);
                if (!Validation.IsSlug(request.Slug))
                {
                    return InvalidSlug(request.Slug);
                }
                if (request.LoadedMeeting is null)
                {
                    return MeetingNotFound(request.Slug);
                }
                var result = await next(context);
                // A dependency that failed (LiveKit, the recorder) is worth asking again shortly: say when, in one place.
                if ((result is INestedHttpResult nested ? nested.Result : result) is IStatusCodeHttpResult { StatusCode: StatusCodes.Status503ServiceUnavailable }
                    && !context.HttpContext.Response.Headers.ContainsKey("Retry-After"))
                {
                    context.HttpContext.Response.Headers.RetryAfter = "5";
                }
                return result;
            })
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

    /// <summary>Only callers whose role in the meeting is at least <paramref name="least"/> reach the handler.</summary>
    public static TBuilder RequireMeetingRole<TBuilder>(this TBuilder builder, ParticipantRole least) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var request = await MeetingRequest.LoadAsync(context.HttpContext);
            var caller = await request.CallerAsync();
            if (caller.Role is { } role && role >= least)
            {
                return await next(context);
            }
            var who = least == ParticipantRole.Host ? "the host" : "the host and co-hosts";
            return caller.Identity is null
                ? TypedResults.Problem($"Only {who} can do this: sign in as the host, or send your participant key.", statusCode: StatusCodes.Status401Unauthorized)
                : TypedResults.Problem($"Only {who} can do this.", statusCode: StatusCodes.Status403Forbidden);
        })
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden);

    /// <summary>
    /// 400 naming <c>slug</c>. Codes are lower case in the api's addresses (the web app takes any case and redirects):
    /// a code given in capitals is told its address rather than only the pattern.
    /// </summary>
    internal static Microsoft.AspNetCore.Http.HttpResults.ValidationProblem InvalidSlug(string? given) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]>
        {
            ["slug"] = [given is not null && Validation.IsSlug(given.ToLowerInvariant())
                ? $"Meeting codes are lower case here: {given.ToLowerInvariant()}."
                : "A meeting code looks like abc-defg-hij."],
        });

    internal static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult MeetingNotFound(string slug) =>
        TypedResults.Problem($"There is no meeting {slug}.", statusCode: StatusCodes.Status404NotFound, title: "Meeting not found");
}

/// <summary>
/// The meeting a request names and who is asking, loaded once per request (the route group's filter has already
/// answered 400/404, so <see cref="Meeting"/> is there by the time a handler runs).
/// </summary>
public sealed class MeetingRequest
{
    MeetingRequest(HttpContext http, string slug, Meeting? meeting)
    {
        Http = http;
        Slug = slug;
        LoadedMeeting = meeting;
    }

    HttpContext Http { get; }

    Caller? caller;

    public string Slug { get; }

    internal Meeting? LoadedMeeting { get; }

    public Meeting Meeting => LoadedMeeting ?? throw new InvalidOperationException("The meeting route filter did not run.");

    /// <summary>Minimal APIs bind a handler's <see cref="MeetingRequest"/> parameter with this.</summary>
    public static async ValueTask<MeetingRequest?> BindAsync(HttpContext http) => await LoadAsync(http);

    internal static async Task<MeetingRequest> LoadAsync(HttpContext http)
    {
        if (http.Items[typeof(MeetingRequest)] is MeetingRequest loaded)
        {
            return loaded;
        }
        var slug = http.GetRouteValue("slug") as string ?? "";
        var meeting = Validation.IsSlug(slug)
            ? await http.RequestServices.GetRequiredService<MeetingCache>().FindAsync(slug, http.RequestAborted)
            : null;
        var request = new MeetingRequest(http, slug, meeting);
        http.Items[typeof(MeetingRequest)] = request;
        return request;
    }

    /// <summary>Who is asking and their role in this meeting now (from the database, never from an old credential).</summary>
    public async Task<Caller> CallerAsync()
    {
        if (caller is not null)
        {
            return caller;
        }
        var roles = Http.RequestServices.GetRequiredService<MeetingRoles>();
        return caller = await roles.CallerAsync(Meeting, Http);
    }
}

/// <summary>The caller's identity in a meeting (null: unknown) and their role (null: none, or removed).</summary>
public sealed record Caller(string? Identity, ParticipantRole? Role, MeetingParticipant? Participant);
