using System.Text.RegularExpressions;

namespace Conference.Web.Meetings;

/// <summary>
/// The participant key of one meeting, kept by the browser in an HttpOnly cookie (<c>conference.pk.{slug}</c>) so every
/// join from this browser is the same person (a reload, a second tab, a return next week). Page scripts cannot read
/// it; the server reads it when the meeting page is rendered and sends it with the join. The key itself is the api's
/// (signed and encrypted); the web only keeps it.
/// </summary>
public static partial class ParticipantKeyCookie
{
    /// <summary>As long as the api's key is good for.</summary>
    static readonly TimeSpan Lifetime = TimeSpan.FromDays(90);

    public static string Name(string slug) => $"conference.pk.{slug}";

    /// <summary>The key kept for this meeting, if any.</summary>
    public static string? Read(HttpContext? http, string slug) =>
        http?.Request.Cookies[Name(slug)] is { } key && IsKeyShaped(key) ? key : null;

    /// <summary>
    /// <c>POST /m/{slug}/participant-key</c> with <c>{"key": "…"}</c>: the page hands over the key its join returned.
    /// JSON only, so another site cannot post it (a cross-site JSON request needs a CORS preflight this app never allows).
    /// </summary>
    public static IEndpointRouteBuilder MapParticipantKeyCookie(this IEndpointRouteBuilder app)
    {
        app.MapPost("/m/{slug}/participant-key", (string slug, KeyBody body, HttpContext http) =>
        {
            if (!SlugPattern().IsMatch(slug) || body.Key is not { } key || !IsKeyShaped(key))
            {
                return Results.BadRequest();
            }
            http.Response.Cookies.Append(Name(slug), key, new CookieOptions
            {
                HttpOnly = true,
                Secure = http.Request.IsHttps,
                SameSite = SameSiteMode.Lax,
                Path = "/",
                MaxAge = Lifetime,
                IsEssential = true, // without it the person is someone new on every join
            });
            return Results.NoContent();
        }).DisableAntiforgery(); // a JSON body is not a form: the content type is the cross-site guard
        return app;
    }

    public sealed record KeyBody(string? Key);

    static bool IsKeyShaped(string key) => key.Length is > 0 and <= 2048 && KeyPattern().IsMatch(key);

    [GeneratedRegex("^[a-z]{3}-[a-z]{4}-[a-z]{3}$")]
    private static partial Regex SlugPattern();

    // Data Protection's output is base64url.
    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex KeyPattern();
}
