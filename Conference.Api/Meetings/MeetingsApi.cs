using System.Security.Claims;
using Conference.Api.Accounts;
using Conference.Api.Analytics;
using Conference.Api.Data;
using Conference.Api.Participants;
using Conference.Api.Recordings;
using Conference.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;

namespace Conference.Api.Meetings;

/// <summary>Create, read, update and delete meetings. Anyone with the link may read one; only its host changes it.</summary>
public static class MeetingsApi
{
    /// <summary>Maps the meetings collection, and every <c>api/meetings/{slug}/…</c> route through one group (see <see cref="MeetingRoutes"/>).</summary>
    public static IEndpointRouteBuilder MapMeetingsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/meetings").WithTags("Meetings").ProducesValidationProblem();
        api.MapPost("/", CreateMeeting).WithName("CreateMeeting").WithSummary("Create a meeting; the caller becomes its host.").RequireAuthorization();
        api.MapGet("/", ListMyMeetings).WithName("ListMyMeetings").WithSummary("The caller's meetings, newest first, paged.").RequireAuthorization();

        var meeting = app.MapMeetingGroup();
        meeting.MapGet("", GetMeeting).WithTags("Meetings").WithName("GetMeeting")
            .WithSummary("What a meeting's link shows before joining: title, host, settings, and not started / in progress since / last call ended at.");
        meeting.MapPut("/settings", UpdateSettings).WithTags("Meetings").WithName("UpdateMeetingSettings")
            .WithSummary("Change lobby, lock, size, auto-record, recording access, expiry (host only).").RequireMeetingRole(ParticipantRole.Host);
        meeting.MapDelete("", DeleteMeeting).WithTags("Meetings").WithName("DeleteMeeting")
            .WithSummary("End its call and stop its recording, then delete the meeting and its history (host only); recordings stay in the library.")
            .RequireMeetingRole(ParticipantRole.Host)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        meeting.MapJoinApi();
        meeting.MapModerationApi();
        meeting.MapMeetingRecordings();
        meeting.MapMeetingAnalytics();
        return app;
    }

    /// <summary>A new meeting.</summary>
    /// <param name="Title">Shown on the link and in the call: up to 120 characters (text elements), NFC-normalised; "{host name}'s meeting" when left out.</param>
    /// <param name="Settings">Settings other than the defaults (lobby off, unlocked, 50 people, no auto-record, host-only recordings).</param>
    public sealed record CreateMeetingRequest(string? Title, MeetingSettingsDto? Settings);

    /// <summary>Settings to change; a field left out keeps its value.</summary>
    /// <param name="LobbyEnabled">Guests wait until the host or a co-host admits them.</param>
    /// <param name="Locked">Nobody new joins except the host and co-hosts.</param>
    /// <param name="MaxParticipants">People at once, 2–100 (recorders and agents not counted); default 50.</param>
    /// <param name="AutoRecord">Record each call from its start.</param>
    /// <param name="RecordingAccess">Who sees the recordings: Host or Participants.</param>
    /// <param name="ExpiresAt">When the link stops admitting anyone (UTC, ISO 8601, in the future); null: never.</param>
    public sealed record MeetingSettingsDto(bool? LobbyEnabled, bool? Locked, int? MaxParticipants, bool? AutoRecord, RecordingAccess? RecordingAccess,
        DateTimeOffset? ExpiresAt = null);

    /// <summary>A meeting: its link lasts until its host deletes it (or it expires); each LiveKit room life is a call.</summary>
    /// <param name="Slug">The meeting code in its link, <c>abc-defg-hij</c>.</param>
    /// <param name="Title">Up to 120 characters.</param>
    /// <param name="HostName">The host's display name.</param>
    /// <param name="CreatedAt">UTC, ISO 8601.</param>
    /// <param name="StartedAt">When its first call started (UTC); null before.</param>
    /// <param name="Status">NotStarted (no call yet), InProgress (a call runs) or Idle (the last call ended; the link still works).</param>
    /// <param name="InProgressSince">When the running call started (UTC); null unless InProgress.</param>
    /// <param name="LastCallEndedAt">When its last call ended (UTC); null before the first ends.</param>
    /// <param name="Settings">Its settings now.</param>
    /// <param name="Recording">Whether a recording runs now.</param>
    /// <param name="CallerIsHost">Whether the caller is signed in as the meeting's host: only the host changes its settings or deletes it.</param>
    /// <param name="CallerWasRemoved">
    /// Whether a host or co-host removed the caller (their account, or the <see cref="ParticipantKeys.HeaderName"/>
    /// key an earlier join gave them) from this meeting: the link's page says so before they set up a camera. They may
    /// ask to join again when the lobby is on; otherwise joining answers 403 "Removed".
    /// </param>
    public sealed record MeetingResponse(
        string Slug, string Title, string HostName, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt,
        MeetingStatus Status, DateTimeOffset? InProgressSince, DateTimeOffset? LastCallEndedAt,
        MeetingSettingsResponse Settings, bool Recording = false, bool CallerIsHost = false, bool CallerWasRemoved = false);

    /// <summary>A meeting's settings (see the request's fields for their meaning).</summary>
    /// <param name="LobbyEnabled">Guests wait to be admitted.</param>
    /// <param name="Locked">Nobody new joins except the host and co-hosts.</param>
    /// <param name="MaxParticipants">People at once, 2–100.</param>
    /// <param name="AutoRecord">Each call records from its start.</param>
    /// <param name="RecordingAccess">Host or Participants.</param>
    /// <param name="ExpiresAt">When the link stops admitting anyone (UTC); null: never.</param>
    public sealed record MeetingSettingsResponse(bool LobbyEnabled, bool Locked, int MaxParticipants, bool AutoRecord, RecordingAccess RecordingAccess,
        DateTimeOffset? ExpiresAt);

    /// <summary>A page of the caller's meetings, newest first.</summary>
    /// <param name="Items">This page.</param>
    /// <param name="Page">1-based page number.</param>
    /// <param name="PageSize">Meetings per page.</param>
    /// <param name="Total">Meetings in all pages.</param>
    public sealed record MeetingPage(IReadOnlyList<MeetingResponse> Items, int Page, int PageSize, int Total);

    static async Task<Results<Created<MeetingResponse>, ValidationProblem>> CreateMeeting(
        CreateMeetingRequest request, ClaimsPrincipal principal, ConferenceDbContext db, UserManager<ConferenceUser> users, TimeProvider clock)
    {
        var validation = ValidateSettings(request.Settings, clock);
        string? title = null;
        if (!string.IsNullOrWhiteSpace(request.Title))
        {
            validation.PersonText("title", request.Title, MaxTitleLength, out var normalized);
            title = normalized;
        }
        if (!validation.IsValid)
        {
            return TypedResults.ValidationProblem(validation.Errors);
        }

        var host = (await users.GetUserAsync(principal))!;
        var meeting = new Meeting
        {
            Id = Guid.CreateVersion7(),
            Slug = SlugGenerator.Next(),
            Title = title ?? $"{host.DisplayName}'s meeting",
            HostId = host.Id,
            CreatedAt = clock.GetUtcNow(),
        };
        Apply(request.Settings, meeting.Settings);
        db.Meetings.Add(meeting);
        await db.SaveChangesAsync();

        return TypedResults.Created($"/api/meetings/{meeting.Slug}", ToResponse(meeting, host.DisplayName, CallState.None) with { CallerIsHost = true });
    }

    /// <summary>Titles are counted in text elements (what a reader sees as one character).</summary>
    public const int MaxTitleLength = TextLimits.MeetingTitle;

    static async Task<Results<Ok<MeetingPage>, ValidationProblem>> ListMyMeetings(
        ClaimsPrincipal principal, ConferenceDbContext db, UserManager<ConferenceUser> users, int page = 1, int pageSize = 20)
    {
        var validation = new Validation().Range("page", page, 1, 100_000).Range("pageSize", pageSize, 1, 100);
        if (!validation.IsValid)
        {
            return TypedResults.ValidationProblem(validation.Errors);
        }

        var hostId = users.GetUserId(principal)!;
        var mine = db.Meetings.AsNoTracking().Where(m => m.HostId == hostId);
        var total = await mine.CountAsync();
        var hostName = (await users.GetUserAsync(principal))!.DisplayName;
        var items = await mine.OrderByDescending(m => m.CreatedAt).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync();
        var calls = await CallStatesAsync(db, items.Select(m => m.Id).ToList());
        return TypedResults.Ok(new MeetingPage(items.Select(m => ToResponse(m, hostName, calls.GetValueOrDefault(m.Id, CallState.None)) with { CallerIsHost = true }).ToList(), page, pageSize, total));
    }

    static async Task<Ok<MeetingResponse>> GetMeeting(MeetingRequest target, ConferenceDbContext db, IConnectionMultiplexer redis,
        ParticipantKeys keys, HttpContext http)
    {
        var meeting = target.Meeting;
        var hostName = await db.Users.Where(u => u.Id == meeting.HostId).Select(u => u.DisplayName).SingleAsync(http.RequestAborted);
        var calls = await CallStatesAsync(db, [meeting.Id]);
        var isHost = MeetingRoles.IsHost(meeting, http.User);
        return TypedResults.Ok(ToResponse(meeting, hostName, calls.GetValueOrDefault(meeting.Id, CallState.None))
            with
            {
                Recording = await IsRecordingAsync(redis, meeting.Slug),
                CallerIsHost = isHost,
                CallerWasRemoved = !isHost && await WasRemovedAsync(meeting, keys, db, http),
            });
    }

    /// <summary>Whether the caller's identity here (as a join would work it out) was removed and not let in since.</summary>
    static async Task<bool> WasRemovedAsync(Meeting meeting, ParticipantKeys keys, ConferenceDbContext db, HttpContext http)
    {
        var userId = http.User.FindFirstValue(ClaimTypes.NameIdentifier);
        var identity = userId is not null ? ParticipantIdentities.ForAccount(userId)
            : keys.Read(meeting.Id, http.Request.Headers[ParticipantKeys.HeaderName].FirstOrDefault(), userId);
        return identity is not null && await db.MeetingParticipants.AnyAsync(
            p => p.MeetingId == meeting.Id && p.Identity == identity && p.RemovedAt != null, http.RequestAborted);
    }

    static async Task<Results<Ok<MeetingResponse>, ValidationProblem>> UpdateSettings(
        MeetingRequest target, MeetingSettingsDto request, ConferenceDbContext db, MeetingChanges changes, TimeProvider clock)
    {
        var validation = ValidateSettings(request, clock);
        if (!validation.IsValid)
        {
            return TypedResults.ValidationProblem(validation.Errors);
        }
        var meeting = await db.Meetings.SingleAsync(m => m.Id == target.Meeting.Id);
        Apply(request, meeting.Settings);
        await db.SaveChangesAsync();
        await changes.PublishAsync(meeting.Slug, MeetingChangeKind.Settings);
        var hostName = await db.Users.Where(u => u.Id == meeting.HostId).Select(u => u.DisplayName).SingleAsync();
        var calls = await CallStatesAsync(db, [meeting.Id]);
        return TypedResults.Ok(ToResponse(meeting, hostName, calls.GetValueOrDefault(meeting.Id, CallState.None)) with { CallerIsHost = true });
    }

    /// <summary>
    /// A live meeting is ended before it goes: its recording is stopped (so the file is finished and kept in the
    /// host's library), the LiveKit room deleted (everyone disconnected), then the meeting and its history deleted.
    /// </summary>
    static async Task<Results<NoContent, ProblemHttpResult>> DeleteMeeting(MeetingRequest target, ConferenceDbContext db, MeetingChanges changes,
        IServiceProvider services, HttpContext http, ILogger<Meeting> logger)
    {
        var meeting = target.Meeting;
        if (services.GetService<Recordings.RecorderClient>() is { } recorder)
        {
            try
            {
                var stopped = await recorder.StopAsync(meeting.Slug, http.RequestAborted);
                if (!stopped.Succeeded && stopped.StatusCode != StatusCodes.Status404NotFound) // 404: nothing was recording
                {
                    return TypedResults.Problem("The meeting's recording could not be stopped, so the meeting was not deleted; try again.",
                        statusCode: StatusCodes.Status503ServiceUnavailable);
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or Polly.ExecutionRejectedException)
            {
                logger.LogWarning(exception, "Recorder unreachable while deleting meeting {Meeting}", meeting.Slug);
                return TypedResults.Problem("The recorder cannot be reached to stop this meeting's recording; try again.",
                    statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        }
        if (services.GetService<Conference.LiveKit.RoomServiceClient>() is { } rooms
            && await ModerationApi.EndCallAsync(rooms, meeting, http.RequestAborted) is { Result: ProblemHttpResult problem })
        {
            return problem;
        }
        await db.Meetings.Where(m => m.Id == meeting.Id).ExecuteDeleteAsync(http.RequestAborted);
        await changes.PublishAsync(meeting.Slug, MeetingChangeKind.Deleted);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// The recorder keeps this flag while the meeting is being recorded: one Redis read, no call to the recorder. The
    /// meeting's link page still opens while Redis is away; the call itself shows LiveKit's own recording state.
    /// </summary>
    static async Task<bool> IsRecordingAsync(IConnectionMultiplexer redis, string slug)
    {
        try
        {
            return await redis.GetDatabase().KeyExistsAsync(SharedRedisKeys.RecordingFlag(slug));
        }
        catch (RedisException)
        {
            return false;
        }
    }

    /// <summary>Where a meeting's calls stand: the running call's start, and the last call's end.</summary>
    internal sealed record CallState(DateTimeOffset? InProgressSince, bool InProgress, DateTimeOffset? LastCallEndedAt)
    {
        public static readonly CallState None = new(null, false, null);
    }

    internal static async Task<Dictionary<Guid, CallState>> CallStatesAsync(ConferenceDbContext db, IReadOnlyList<Guid> meetingIds)
    {
        var rows = await db.MeetingCalls.AsNoTracking().Where(c => meetingIds.Contains(c.MeetingId))
            .GroupBy(c => c.MeetingId)
            .Select(g => new
            {
                MeetingId = g.Key,
                Running = g.Count(c => c.EndedAt == null),
                RunningSince = g.Where(c => c.EndedAt == null).Min(c => c.StartedAt),
                LastEnded = g.Max(c => c.EndedAt),
            })
            .ToListAsync();
        return rows.ToDictionary(r => r.MeetingId, r => new CallState(r.RunningSince, r.Running > 0, r.LastEnded));
    }

    static Validation ValidateSettings(MeetingSettingsDto? settings, TimeProvider clock)
    {
        var validation = new Validation().Range("settings.maxParticipants", settings?.MaxParticipants, 2, MeetingSettings.MaxParticipantsLimit);
        if (settings?.ExpiresAt is { } expires && expires <= clock.GetUtcNow())
        {
            validation.Add("settings.expiresAt", "The expiry must be in the future.");
        }
        return validation;
    }

    static void Apply(MeetingSettingsDto? request, MeetingSettings settings)
    {
        if (request is null)
        {
            return;
        }
        settings.LobbyEnabled = request.LobbyEnabled ?? settings.LobbyEnabled;
        settings.Locked = request.Locked ?? settings.Locked;
        settings.MaxParticipants = request.MaxParticipants ?? settings.MaxParticipants;
        settings.AutoRecord = request.AutoRecord ?? settings.AutoRecord;
        settings.RecordingAccess = request.RecordingAccess ?? settings.RecordingAccess;
        settings.ExpiresAt = request.ExpiresAt ?? settings.ExpiresAt;
    }

    static MeetingResponse ToResponse(Meeting meeting, string hostName, CallState calls) => new(
        meeting.Slug, meeting.Title, hostName, meeting.CreatedAt, meeting.StartedAt,
        calls.InProgress ? MeetingStatus.InProgress : calls.LastCallEndedAt is not null ? MeetingStatus.Idle : MeetingStatus.NotStarted,
        calls.InProgress ? calls.InProgressSince ?? meeting.StartedAt : null, calls.LastCallEndedAt,
        new MeetingSettingsResponse(meeting.Settings.LobbyEnabled, meeting.Settings.Locked, meeting.Settings.MaxParticipants,
            meeting.Settings.AutoRecord, meeting.Settings.RecordingAccess, meeting.Settings.ExpiresAt));
}
