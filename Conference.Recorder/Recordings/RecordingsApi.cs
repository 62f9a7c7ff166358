using System.Security.Cryptography;
using System.Text;
using Conference.Recorder.Data;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Conference.Recorder.Recordings;

/// <summary>
/// The recorder's internal HTTP interface, called by the api after it has decided who may do what. It is not
/// routed from the internet (Caddy forwards only the api, the web app and LiveKit).
/// </summary>
public static class RecordingsApi
{
    public const int MaxPageSize = 100;

    public static IEndpointRouteBuilder MapRecordingsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("internal").WithTags("Recordings").AddEndpointFilter(RequireInternalKey);

        api.MapGet("/recording-availability", (Recorder recorder) => TypedResults.Ok(new RecordingAvailability(recorder.Unavailable is null, recorder.Unavailable)))
            .WithName("GetRecordingAvailability");
        api.MapPost("/meetings/{slug}/recordings", Start).WithName("StartRecording");
        api.MapPost("/meetings/{slug}/recordings/stop", Stop).WithName("StopRecording");
        api.MapGet("/meetings/{slug}/recordings", (string slug, string? cursor, int? limit, RecordingStore store, CancellationToken cancellationToken) =>
            Page(RecordingStore.Owner.Meeting, slug, cursor, limit, store, cancellationToken)).WithName("ListMeetingRecordings");
        api.MapGet("/hosts/{hostId}/recordings", (string hostId, string? cursor, int? limit, RecordingStore store, CancellationToken cancellationToken) =>
            Page(RecordingStore.Owner.Host, hostId, cursor, limit, store, cancellationToken)).WithName("ListHostRecordings");
        api.MapGet("/recordings/{id:guid}", Get).WithName("GetRecording");
        api.MapGet("/recordings/{id:guid}/download", Download).WithName("GetRecordingDownload");
        api.MapDelete("/hosts/{hostId}/recordings/{id:guid}", Delete).WithName("DeleteRecording");
        api.MapGet("/retention", async (RecordingRetention retention, CancellationToken cancellationToken) =>
            TypedResults.Ok(new RetentionSetting(await retention.DaysAsync(cancellationToken)))).WithName("GetRetention");
        api.MapPut("/retention", SetRetention).WithName("SetRetention");
        return app;
    }

    // Without a configured key the interface is open only in Development (a developer running the recorder alone);
    // anywhere else it stays shut rather than open to the network by omission. Program.cs says so at start.
    static async ValueTask<object?> RequireInternalKey(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var services = context.HttpContext.RequestServices;
        var expected = services.GetRequiredService<IConfiguration>()[InternalApiKey.ConfigurationKey];
        if (string.IsNullOrEmpty(expected))
        {
            return services.GetRequiredService<IHostEnvironment>().IsDevelopment()
                ? await next(context)
                : TypedResults.Problem($"The recorder has no {InternalApiKey.ConfigurationKey} and answers no one until it has one.",
                    statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        var presented = context.HttpContext.Request.Headers[InternalApiKey.HeaderName].ToString();
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected)))
        {
            return TypedResults.Problem($"The recorder's internal interface needs the {InternalApiKey.HeaderName} header the api sends.",
                statusCode: StatusCodes.Status401Unauthorized);
        }
        return await next(context);
    }

    public static RecordingInfo ToInfo(Recording recording) => new(
        recording.Id, recording.MeetingSlug, recording.HostId, recording.Status, recording.Layout, recording.AudioOnly,
        recording.StartedAt, recording.EndedAt, recording.DurationSeconds, recording.SizeBytes, recording.Error);

    static async Task<Results<Created<RecordingInfo>, ValidationProblem, ProblemHttpResult>> Start(
        string slug, StartRecordingRequest request, Recorder recorder, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var layout = request.Layout ?? "grid";
        if (!Recorder.Layouts.Contains(layout))
        {
            errors["layout"] = [$"The layout must be one of: {string.Join(", ", Recorder.Layouts)}."];
        }
        if (string.IsNullOrWhiteSpace(request.HostId))
        {
            errors["hostId"] = ["The meeting's host is required."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var (outcome, recording, problem) = await recorder.StartAsync(slug, request.HostId!, layout, request.AudioOnly ?? false, cancellationToken);
        return outcome switch
        {
            Recorder.StartOutcome.Started => TypedResults.Created($"/internal/recordings/{recording!.Id}", ToInfo(recording)),
            Recorder.StartOutcome.AlreadyRunning => TypedResults.Problem("This meeting is already being recorded.", statusCode: StatusCodes.Status409Conflict,
                title: "Already recording"),
            _ => TypedResults.Problem(problem, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Recording is not available"),
        };
    }

    static async Task<Results<Ok<RecordingInfo>, ProblemHttpResult>> Stop(string slug, Recorder recorder, CancellationToken cancellationToken)
    {
        try
        {
            return await recorder.StopAsync(slug, cancellationToken) is { } recording
                ? TypedResults.Ok(ToInfo(recording))
                : TypedResults.Problem("Nothing is being recorded in this meeting.", statusCode: StatusCodes.Status404NotFound, title: "Not recording");
        }
        catch (Exception exception) when (exception is Conference.LiveKit.LiveKitException or HttpRequestException or Polly.ExecutionRejectedException)
        {
            return TypedResults.Problem($"LiveKit could not stop the recording: {exception.Message}", statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Recording is not available");
        }
    }

    static async Task<Results<Ok<RecordingInfoPage>, ValidationProblem>> Page(
        RecordingStore.Owner owner, string ownerValue, string? cursor, int? limit, RecordingStore store, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (limit is < 1 or > MaxPageSize)
        {
            errors["limit"] = [$"The limit must be between 1 and {MaxPageSize}."];
        }
        if (!PageCursor.TryDecode(cursor, out var after))
        {
            errors["cursor"] = ["The cursor is not one this server gave out; start again without it."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var page = await store.PageAsync(owner, ownerValue, after, limit ?? 20, cancellationToken);
        return TypedResults.Ok(new RecordingInfoPage(page.Items.Select(ToInfo).ToList(), page.NextCursor));
    }

    static async Task<Results<Ok<RecordingInfo>, ProblemHttpResult>> Get(Guid id, RecordingStore store, CancellationToken cancellationToken) =>
        await store.FindAsync(id, cancellationToken) is { } recording ? TypedResults.Ok(ToInfo(recording)) : NotFound();

    /// <summary>
    /// The recording with a presigned link when it is Ready: one call gives the api both what it authorises by
    /// (the recording's meeting and host) and what it hands out. A link is only computed, never recorded, so one
    /// the api does not pass on costs nothing.
    /// </summary>
    static async Task<Results<Ok<DownloadableRecording>, ProblemHttpResult>> Download(
        Guid id, RecordingStore store, IServiceProvider services, CancellationToken cancellationToken)
    {
        if (await store.FindAsync(id, cancellationToken) is not { } recording)
        {
            return NotFound();
        }
        if (recording.Status != RecordingStatus.Ready)
        {
            return TypedResults.Ok(new DownloadableRecording(ToInfo(recording), null));
        }
        if (services.GetService<Storage.RecordingStorage>() is not { } storage)
        {
            return TypedResults.Problem("Object storage is not configured on this server.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        var (url, expiresAt) = storage.DownloadLink(recording.ObjectKey, $"{recording.MeetingSlug}-{recording.StartedAt:yyyyMMdd-HHmm}.mp4");
        return TypedResults.Ok(new DownloadableRecording(ToInfo(recording), new RecordingDownload(url, expiresAt)));
    }

    /// <summary>Deletes one of <paramref name="hostId"/>'s recordings: 403 when it is another host's, so the api needs no read first.</summary>
    static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        string hostId, Guid id, RecordingStore store, Recorder recorder, CancellationToken cancellationToken)
    {
        if (await store.FindAsync(id, cancellationToken) is not { } recording)
        {
            return NotFound();
        }
        if (recording.HostId != hostId)
        {
            return TypedResults.Problem("Only the meeting's host can delete its recordings.", statusCode: StatusCodes.Status403Forbidden);
        }
        if (recording.Status.IsRunning())
        {
            return TypedResults.Problem("The recording is still running; stop it first.", statusCode: StatusCodes.Status409Conflict, title: "Still recording");
        }
        await recorder.DeleteAsync(recording, cancellationToken);
        return TypedResults.NoContent();
    }

    static async Task<Results<Ok<RetentionSetting>, ValidationProblem>> SetRetention(
        RetentionSetting request, RetentionSettingStore setting, CancellationToken cancellationToken)
    {
        if (!RetentionSetting.IsAllowed(request.Days))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["days"] = [RetentionSetting.Refusal("days")] });
        }
        await setting.SetDaysAsync(request.Days, cancellationToken);
        return TypedResults.Ok(request);
    }

    static ProblemHttpResult NotFound() =>
        TypedResults.Problem("There is no such recording.", statusCode: StatusCodes.Status404NotFound, title: "Recording not found");
}
