using System.Security.Claims;
using Conference.Api.Accounts;
using Conference.Api.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Conference.Recorder.Contracts;
using StackExchange.Redis;

namespace Conference.Api.Meetings;

/// <summary>Create, read, update and delete meetings. Anyone with the link may read one; only its host changes it.</summary>
public static class MeetingsApi
{
    public static IEndpointRouteBuilder MapMeetingsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/meetings").WithTags("Meetings")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem();

        api.MapPost("/", CreateMeeting).WithName("CreateMeeting").WithSummary("Create a meeting; the caller becomes its host.").RequireAuthorization();
        api.MapGet("/", ListMyMeetings).WithName("ListMyMeetings").WithSummary("The caller's meetings, newest first, paged.").RequireAuthorization();
        api.MapGet("/{slug}", GetMeeting).WithName("GetMeeting").WithSummary("What a meeting's link shows before joining.");
        api.MapPut("/{slug}/settings", UpdateSettings).WithName("UpdateMeetingSettings").WithSummary("Change lobby, lock, size, auto-record, recording access.").RequireAuthorization();
        api.MapDelete("/{slug}", DeleteMeeting).WithName("DeleteMeeting").WithSummary("Delete a meeting and its history.").RequireAuthorization();

        return app;
    }

    public sealed record CreateMeetingRequest(string? Title, MeetingSettingsDto? Settings);

    public sealed record MeetingSettingsDto(bool? LobbyEnabled, bool? Locked, int? MaxParticipants, bool? AutoRecord, RecordingAccess? RecordingAccess);

    public sealed record MeetingResponse(
        string Slug, string Title, string HostName, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt,
        MeetingSettingsResponse Settings, bool Recording = false);

    public sealed record MeetingSettingsResponse(bool LobbyEnabled, bool Locked, int MaxParticipants, bool AutoRecord, RecordingAccess RecordingAccess);

    public sealed record MeetingPage(IReadOnlyList<MeetingResponse> Items, int Page, int PageSize, int Total);

    static async Task<Results<Created<MeetingResponse>, ValidationProblem>> CreateMeeting(
        CreateMeetingRequest request, ClaimsPrincipal principal, ConferenceDbContext db, UserManager<ConferenceUser> users, TimeProvider clock)
    {
        var title = string.IsNullOrWhiteSpace(request.Title) ? null : request.Title.Trim();
        var validation = ValidateSettings(request.Settings);
        if (title is not null)
        {
            validation.Name("title", title, 120);
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

        return TypedResults.Created($"/api/meetings/{meeting.Slug}", ToResponse(meeting, host.DisplayName));
    }

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
        return TypedResults.Ok(new MeetingPage(items.Select(m => ToResponse(m, hostName)).ToList(), page, pageSize, total));
    }

    static async Task<Results<Ok<MeetingResponse>, ProblemHttpResult, ValidationProblem>> GetMeeting(string slug, ConferenceDbContext db, IConnectionMultiplexer redis)
    {
        if (!Validation.IsSlug(slug))
        {
            return InvalidSlug();
        }
        var found = await db.Meetings.AsNoTracking()
            .Where(m => m.Slug == slug)
            .Join(db.Users, m => m.HostId, u => u.Id, (m, u) => new { Meeting = m, HostName = u.DisplayName })
            .SingleOrDefaultAsync();
        if (found is null)
        {
            return MeetingNotFound(slug);
        }
        return TypedResults.Ok(ToResponse(found.Meeting, found.HostName) with { Recording = await IsRecordingAsync(redis, slug) });
    }

    static async Task<Results<Ok<MeetingResponse>, ProblemHttpResult, ValidationProblem, ForbidHttpResult>> UpdateSettings(
        string slug, MeetingSettingsDto request, ClaimsPrincipal principal, ConferenceDbContext db, UserManager<ConferenceUser> users,
        MeetingChanges changes)
    {
        if (!Validation.IsSlug(slug))
        {
            return InvalidSlug();
        }
        var validation = ValidateSettings(request);
        if (!validation.IsValid)
        {
            return TypedResults.ValidationProblem(validation.Errors);
        }
        var meeting = await db.Meetings.SingleOrDefaultAsync(m => m.Slug == slug);
        if (meeting is null)
        {
            return MeetingNotFound(slug);
        }
        var host = (await users.GetUserAsync(principal))!;
        if (meeting.HostId != host.Id)
        {
            return TypedResults.Forbid();
        }

        Apply(request, meeting.Settings);
        await db.SaveChangesAsync();
        await changes.PublishAsync(meeting.Slug, "settings");
        return TypedResults.Ok(ToResponse(meeting, host.DisplayName));
    }

    static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem, ForbidHttpResult>> DeleteMeeting(
        string slug, ClaimsPrincipal principal, ConferenceDbContext db, UserManager<ConferenceUser> users, MeetingChanges changes)
    {
        if (!Validation.IsSlug(slug))
        {
            return InvalidSlug();
        }
        var meeting = await db.Meetings.SingleOrDefaultAsync(m => m.Slug == slug);
        if (meeting is null)
        {
            return MeetingNotFound(slug);
        }
        if (meeting.HostId != users.GetUserId(principal))
        {
            return TypedResults.Forbid();
        }
        db.Meetings.Remove(meeting);
        await db.SaveChangesAsync();
        await changes.PublishAsync(slug, "deleted");
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

    internal static ValidationProblem InvalidSlug() =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["slug"] = ["A meeting code looks like abc-defg-hij."] });

    internal static ProblemHttpResult MeetingNotFound(string slug) =>
        TypedResults.Problem($"There is no meeting {slug}.", statusCode: StatusCodes.Status404NotFound, title: "Meeting not found");

    static Validation ValidateSettings(MeetingSettingsDto? settings) =>
        new Validation().Range("settings.maxParticipants", settings?.MaxParticipants, 2, MeetingSettings.MaxParticipantsLimit);

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
    }

    static MeetingResponse ToResponse(Meeting meeting, string hostName) => new(
        meeting.Slug, meeting.Title, hostName, meeting.CreatedAt, meeting.StartedAt, meeting.EndedAt,
        new MeetingSettingsResponse(meeting.Settings.LobbyEnabled, meeting.Settings.Locked, meeting.Settings.MaxParticipants,
            meeting.Settings.AutoRecord, meeting.Settings.RecordingAccess));
}
