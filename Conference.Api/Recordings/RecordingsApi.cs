using Conference.Api.Accounts;
using Conference.Api.Data;
using Conference.Api.Meetings;
using Conference.Api.Participants;
using Conference.Contracts;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Conference.Api.Recordings;

/// <summary>
/// The public face of the recorder. Hosts and co-hosts start and stop; the meeting's recording access decides who
/// lists and downloads (the host only, or everyone who took part); only the host deletes.
/// </summary>
public static class RecordingsApi
{
    /// <summary>The meeting's recording routes, on the meetings group (which has checked the slug and loaded the meeting).</summary>
    public static RouteGroupBuilder MapMeetingRecordings(this RouteGroupBuilder meetingGroup)
    {
        var meeting = meetingGroup.MapGroup("/recordings").WithTags("Recordings")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        meeting.MapPost("/", Start).WithName("StartRecording").RequireMeetingRole(ParticipantRole.CoHost)
            .WithSummary("Start recording the meeting (host or co-host); 409 when it is already being recorded.")
            .Produces<RecordingResponse>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status409Conflict);
        meeting.MapPost("/stop", Stop).WithName("StopRecording").RequireMeetingRole(ParticipantRole.CoHost)
            .WithSummary("Stop the running recording (host or co-host); 404 when nothing is running.")
            .Produces<RecordingResponse>();
        meeting.MapGet("/availability", Availability).WithName("GetRecordingAvailability").RequireMeetingRole(ParticipantRole.CoHost)
            .WithSummary("Whether this server can record (host or co-host): the call page offers Record only when it can, and says why not.")
            .Produces<RecordingAvailability>();
        meeting.MapGet("/", ListMeetingRecordings).WithName("ListMeetingRecordings")
            .WithSummary("The meeting's recordings, newest first, as the meeting's recording access allows.")
            .Produces<RecordingPageResponse>();
        return meetingGroup;
    }

    public static IEndpointRouteBuilder MapRecordingsApi(this IEndpointRouteBuilder app)
    {
        var recordings = app.MapGroup("api/recordings").WithTags("Recordings")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        recordings.MapGet("/", ListMyRecordings).WithName("ListMyRecordings").RequireAuthorization()
            .WithSummary("All recordings of the caller's meetings, newest first.")
            .Produces<RecordingPageResponse>().ProducesValidationProblem();
        // No :guid route constraints: "/api/recordings/abc" is a 400 naming id (BadRequestExceptionHandler), not a bare 404.
        recordings.MapGet("/{id}", GetRecording).WithName("GetRecording").WithSummary("One recording.").Produces<RecordingResponse>().ProducesValidationProblem();
        recordings.MapGet("/{id}/download", Download).WithName("DownloadRecording").ProducesValidationProblem()
            .WithSummary("A presigned link (15 minutes) to the file; 409 until the recording is Ready.")
            .Produces<RecordingDownload>().ProducesProblem(StatusCodes.Status409Conflict);
        recordings.MapDelete("/{id}", DeleteRecording).WithName("DeleteRecording").ProducesValidationProblem().WithSummary("Delete the file, then the recording (host only).")
            .Produces(StatusCodes.Status204NoContent);
        return app;
    }

    /// <summary>How to record; every field may be left out.</summary>
    /// <param name="Layout">"grid" (default) or "speaker" (LiveKit Egress room-composite layouts).</param>
    /// <param name="AudioOnly">true: an audio file only (default false).</param>
    public sealed record StartRecordingRequest(string? Layout, bool? AudioOnly);

    static async Task<IResult> Start(MeetingRequest target, StartRecordingRequest? request, HttpContext http)
    {
        var meeting = target.Meeting;
        var slug = meeting.Slug;
        return await RecorderCall.CallAsync(http, recorder => recorder.StartAsync(slug, meeting.HostId, request?.Layout, request?.AudioOnly, http.RequestAborted),
            recording => TypedResults.Created($"/api/recordings/{recording.Id}", RecordingResponse.From(recording, meeting)));
    }

    static Task<IResult> Availability(HttpContext http, CancellationToken cancellationToken) =>
        RecorderCall.CallAsync(http, recorder => recorder.AvailabilityAsync(cancellationToken), availability => TypedResults.Ok(availability));

    static async Task<IResult> Stop(MeetingRequest target, HttpContext http)
    {
        var meeting = target.Meeting;
        return await RecorderCall.CallAsync(http, recorder => recorder.StopAsync(meeting.Slug, http.RequestAborted),
            recording => TypedResults.Ok(RecordingResponse.From(recording, meeting)));
    }

    static async Task<IResult> ListMeetingRecordings(MeetingRequest target, string? cursor, int? limit, HttpContext http)
    {
        var meeting = target.Meeting;
        var slug = meeting.Slug;
        if (await ViewProblemAsync(meeting.HostId, meeting, http) is { } denied)
        {
            return denied;
        }
        return await RecorderCall.CallAsync(http, recorder => recorder.MeetingRecordingsAsync(slug, cursor, limit, http.RequestAborted),
            page => TypedResults.Ok(new RecordingPageResponse(page.Items.Select(recording => RecordingResponse.From(recording, meeting)).ToList(), page.NextCursor)));
    }

    static async Task<IResult> ListMyRecordings(string? cursor, int? limit, HttpContext http, UserManager<ConferenceUser> users, ConferenceDbContext db) =>
        await RecorderCall.CallAsync(http, recorder => recorder.HostRecordingsAsync(users.GetUserId(http.User)!, cursor, limit, http.RequestAborted),
            async page => TypedResults.Ok(await WithTitlesAsync(page, db, http.RequestAborted)));

    // One recorder call each. Reading: the recorder answers the recording (with its link, for a download) and the api
    // authorises by the recording's meeting before passing anything on. Deleting: the recorder deletes only the
    // caller's own recordings (403 otherwise), so it needs no read first.

    static Task<IResult> GetRecording(Guid id, HttpContext http) =>
        RecorderCall.CallAsync(http, recorder => recorder.GetAsync(id, http.RequestAborted), async recording =>
        {
            var meeting = await FindMeetingAsync(recording, http);
            return await ViewProblemAsync(recording.HostId, meeting, http) ?? TypedResults.Ok(RecordingResponse.From(recording, meeting));
        });

    static Task<IResult> Download(Guid id, HttpContext http) =>
        RecorderCall.CallAsync(http, recorder => recorder.DownloadAsync(id, http.RequestAborted), async offer =>
            await ViewProblemAsync(offer.Recording.HostId, await FindMeetingAsync(offer.Recording, http), http) ?? (offer.Download is { } download
                ? TypedResults.Ok(download)
                : TypedResults.Problem($"The recording is {offer.Recording.Status}; only a Ready recording can be downloaded.",
                    statusCode: StatusCodes.Status409Conflict, title: "Not ready")));

    static async Task<IResult> DeleteRecording(Guid id, HttpContext http, UserManager<ConferenceUser> users)
    {
        if (users.GetUserId(http.User) is not { } userId)
        {
            return Denied(http, "Only the meeting's host can delete its recordings.");
        }
        // The recorder's 403 for another host's recording passes through like its 404 and 409.
        return await RecorderCall.CallAsync(http, recorder => recorder.DeleteAsync(userId, id, http.RequestAborted), _ => TypedResults.NoContent());
    }

    /// <summary>The meeting <paramref name="recording"/> recorded, by which the caller is authorised; null once deleted (then its host is asked for).</summary>
    static Task<Meeting?> FindMeetingAsync(RecordingInfo recording, HttpContext http) =>
        http.RequestServices.GetRequiredService<MeetingCache>().FindAsync(recording.MeetingSlug, http.RequestAborted);

    /// <summary>Null when the caller may list and download: the host always, participants when the meeting allows it.</summary>
    static async Task<IResult?> ViewProblemAsync(string hostId, Meeting? meeting, HttpContext http)
    {
        if (http.RequestServices.GetRequiredService<UserManager<ConferenceUser>>().GetUserId(http.User) == hostId)
        {
            return null;
        }
        if (meeting is { Settings.RecordingAccess: RecordingAccess.Participants }
            && await http.RequestServices.GetRequiredService<MeetingRoles>().TookPartAsync(meeting, http))
        {
            return null;
        }
        return Denied(http, meeting?.Settings.RecordingAccess == RecordingAccess.Participants
            ? "Only the host and the meeting's participants can see its recordings."
            : "Only the host can see this meeting's recordings.");
    }

    static IResult Denied(HttpContext http, string reason) =>
        http.User.Identity?.IsAuthenticated == true || http.Request.Headers.ContainsKey(MeetingRoles.ParticipantTokenHeader)
            ? TypedResults.Problem(reason, statusCode: StatusCodes.Status403Forbidden)
            : TypedResults.Problem("Sign in as the host, or send your participant credential.", statusCode: StatusCodes.Status401Unauthorized);

    /// <summary>
    /// The recorder's page with each meeting's title, the meetings read in one query: titles are the api's data, so
    /// the recorder keeps none and a renamed meeting's recordings carry its new title.
    /// </summary>
    static async Task<RecordingPageResponse> WithTitlesAsync(RecordingInfoPage page, ConferenceDbContext db, CancellationToken cancellationToken)
    {
        var slugs = page.Items.Select(recording => recording.MeetingSlug).Distinct().ToList();
        var meetings = slugs.Count == 0 ? [] : await db.Meetings.AsNoTracking().Where(m => slugs.Contains(m.Slug)).ToDictionaryAsync(m => m.Slug, cancellationToken);
        return new(page.Items.Select(recording => RecordingResponse.From(recording, meetings.GetValueOrDefault(recording.MeetingSlug))).ToList(), page.NextCursor);
    }
}
