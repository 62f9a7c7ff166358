using System.Text;
using System.Text.Json;
using Conference.Web.Api;
using Microsoft.AspNetCore.DataProtection;

namespace Conference.Web.Meetings;

/// <summary>
/// The closed waiting page's word that its person left the lobby: <c>POST /m/{slug}/lobby/leave</c>, sent by the page
/// on <c>pagehide</c> (Client/src/lobby.ts, <c>navigator.sendBeacon</c>), with a note this server sealed for that page
/// (Data Protection, valid as long as a lobby request). The note names the request and holds its ticket, which the page
/// cannot read; whoever holds the note can only withdraw that request. The web then withdraws it at the api, and the
/// hosts' lists follow by the api's lobby change. The circuit's end is the fallback (LobbyWaiting's disposal).
/// </summary>
public sealed class LobbyLeaveBeacon(IDataProtectionProvider protection)
{
    /// <summary>The api's lobby request lifetime (15 minutes) and a margin: a note outlives no request.</summary>
    static readonly TimeSpan NoteLifetime = TimeSpan.FromMinutes(16);

    /// <summary>A note is a few hundred characters; anything much longer is not one.</summary>
    const int MaxNoteLength = 4096;

    readonly ITimeLimitedDataProtector protector = protection.CreateProtector("Conference.Web.LobbyLeaveBeacon").ToTimeLimitedDataProtector();

    /// <summary>Which request to withdraw, and the ticket that proves it.</summary>
    public sealed record Note(string Slug, string RequestId, string Ticket);

    /// <summary>Where the page sends its beacon.</summary>
    public static string Path(string slug) => $"/m/{Uri.EscapeDataString(slug)}/lobby/leave";

    /// <summary>The sealed note the waiting page keeps, to send when it goes.</summary>
    public string Seal(string slug, string requestId, string ticket) =>
        protector.Protect(JsonSerializer.Serialize(new Note(slug, requestId, ticket)), NoteLifetime);

    /// <summary>The note, or null when it is not one this server sealed, has expired, or is not shaped as one.</summary>
    public Note? Open(string? sealedNote)
    {
        if (string.IsNullOrEmpty(sealedNote) || sealedNote.Length > MaxNoteLength)
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<Note>(protector.Unprotect(sealedNote));
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or JsonException or FormatException)
        {
            return null;
        }
    }
}

public static class LobbyLeaveBeaconEndpoints
{
    /// <summary>
    /// <c>POST /m/{slug}/lobby/leave</c> with the sealed note as the body (a beacon sends text/plain): 204 once the
    /// request is withdrawn (or already gone), 400 when the body is not a note for this meeting, 503 when the api
    /// cannot be reached (the circuit's end tries again). No antiforgery token: a beacon carries none, and the note
    /// itself is the proof (another site has no note to send).
    /// </summary>
    public static IEndpointRouteBuilder MapLobbyLeaveBeacon(this IEndpointRouteBuilder app)
    {
        app.MapPost("/m/{slug}/lobby/leave", async (string slug, HttpRequest request, LobbyLeaveBeacon beacon, LobbyWithdrawalClient lobby) =>
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            var buffer = new char[4097];
            var read = await reader.ReadBlockAsync(buffer, request.HttpContext.RequestAborted);
            if (beacon.Open(new string(buffer, 0, read)) is not { } note || note.Slug != slug)
            {
                return Results.Problem("The body is not this meeting's lobby note.", statusCode: StatusCodes.Status400BadRequest);
            }
            try
            {
                // Not the request's abort: the page that sent the beacon is gone, and the withdrawal must still happen.
                await lobby.WithdrawAsync(note.Slug, note.RequestId, note.Ticket);
                return Results.NoContent();
            }
            catch (ApiProblemException e)
            {
                request.HttpContext.Response.Headers.RetryAfter = "5";
                return Results.Problem(e.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        }).DisableAntiforgery();
        return app;
    }
}
