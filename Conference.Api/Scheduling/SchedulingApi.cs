using System.ComponentModel;
using System.Security.Claims;
using Conference.Api.Accounts;
using Conference.Api.Data;
using Conference.Api.Meetings;
using Conference.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Conference.Api.Scheduling;

/// <summary>
/// A host schedules a meeting and invites people by email (issue 17). Each change is one transaction: the schedule,
/// its invitees and the mail it causes (RFC 5546 REQUEST on invitation and change, SEQUENCE +1 when the event
/// changes; CANCEL on cancellation, or to one invitee taken off). Only the host sees or changes their schedules;
/// another host's slug answers 404, as an unknown one does.
/// </summary>
public static class SchedulingApi
{
    public const int MaxInvitees = 100;
    public const int MaxDescriptionLength = TextLimits.Description;

    public static IEndpointRouteBuilder MapSchedulingApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/scheduled-meetings").WithTags("Scheduling").RequireAuthorization()
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/", Create).WithName("ScheduleMeeting")
            .WithSummary("Schedule a meeting (a new meeting link) and mail each invitee an invitation with their personal link.");
        api.MapGet("/", ListUpcoming).WithName("ListScheduledMeetings")
            .WithSummary("The caller's scheduled meetings still to come or running, soonest first.");
        var one = api.MapGroup("/{slug}").AddEndpointFilter((context, next) =>
            context.HttpContext.GetRouteValue("slug") as string is var slug && Validation.IsSlug(slug)
                ? next(context)
                : ValueTask.FromResult<object?>(MeetingRoutes.InvalidSlug(slug)));
        one.MapGet("", Get).WithName("GetScheduledMeeting").WithSummary("One of the caller's scheduled meetings.");
        one.MapPut("", Update).WithName("UpdateScheduledMeeting")
            .WithSummary("Change time, recurrence, title or description: invitees get an update (SEQUENCE +1).")
            .ProducesProblem(StatusCodes.Status409Conflict);
        one.MapDelete("", Cancel).WithName("CancelScheduledMeeting")
            .WithSummary("Cancel: invitees get METHOD:CANCEL and their links stop working. The meeting link stays the host's.");
        one.MapPost("/invitees", AddInvitee).WithName("AddInvitee").WithSummary("Invite one more person.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        one.MapDelete("/invitees/{inviteeId}", RemoveInvitee).WithName("RemoveInvitee")
            .WithSummary("Take one person off: they alone get METHOD:CANCEL, and their link stops working.");
        one.MapDelete("/invitees/{inviteeId}/link", RevokeLink).WithName("RevokeInviteeLink")
            .WithSummary("Revoke one person's personal link; later mail to them carries the meeting's plain link.");
        return app;
    }

    /// <summary>Someone to invite: an email address and, optionally, the name their link fills in.</summary>
    public sealed record InviteeRequest(string? Email, string? Name = null);

    /// <summary>
    /// A meeting to schedule. <paramref name="Start"/> is a wall-clock time without offset (<c>2027-03-15T09:00</c>)
    /// in the IANA zone <paramref name="TimeZone"/>; <paramref name="Recurrence"/> Daily or Weekly needs
    /// <paramref name="RecursUntil"/>, the last date an occurrence may start on.
    /// </summary>
    public sealed record ScheduleRequest(
        string? Title,
        [property: Description("Wall-clock start without offset, e.g. 2027-03-15T09:00, in timeZone.")] DateTime? Start,
        [property: Description("IANA time zone id, e.g. Europe/Berlin.")] string? TimeZone,
        [property: Description("5 to 1440 minutes.")] int? DurationMinutes,
        string? Description = null,
        Recurrence? Recurrence = null,
        DateOnly? RecursUntil = null,
        bool? InviteesSkipLobby = null,
        IReadOnlyList<InviteeRequest>? Invitees = null);

    public sealed record InviteeResponse(long Id, string Email, string? Name, DateTimeOffset InvitedAt, bool LinkRevoked);

    /// <summary>
    /// A scheduled meeting. <paramref name="Slug"/> is its meeting link's code; <paramref name="NextStartsAt"/> the
    /// occurrence running or to come (null when over or cancelled); <paramref name="Sequence"/> the iCalendar SEQUENCE.
    /// </summary>
    public sealed record ScheduledMeetingResponse(
        string Slug, string Uid, int Sequence, string Title, string? Description, DateTime Start, string TimeZone,
        DateTimeOffset StartsAt, int DurationMinutes, Recurrence Recurrence, DateOnly? RecursUntil, bool InviteesSkipLobby,
        DateTimeOffset? NextStartsAt, DateTimeOffset? CancelledAt, IReadOnlyList<InviteeResponse> Invitees);

    static async Task<Results<Created<ScheduledMeetingResponse>, ValidationProblem>> Create(ScheduleRequest request, ClaimsPrincipal principal,
        ConferenceDbContext db, UserManager<ConferenceUser> users, ScheduleMail mail, PersonalLinks links, TimeProvider clock)
    {
        var details = ScheduleValidation.Details(request, clock.GetUtcNow(), out var validation);
        var invitees = ScheduleValidation.Invitees(request.Invitees, validation, "invitees");
        if (!validation.IsValid)
        {
            return TypedResults.ValidationProblem(validation.Errors);
        }
        var host = (await users.GetUserAsync(principal))!;
        var now = clock.GetUtcNow();
        var meeting = new Meeting { Id = Guid.CreateVersion7(), Slug = SlugGenerator.Next(), Title = details!.Title, HostId = host.Id, CreatedAt = now };
        var scheduled = new ScheduledMeeting
        {
            Id = Guid.CreateVersion7(),
            MeetingId = meeting.Id,
            HostId = host.Id,
            Uid = $"{Guid.NewGuid()}@conference",
            Title = details.Title,
            TimeZone = details.TimeZone,
            CreatedAt = now,
        };
        details.ApplyTo(scheduled);
        scheduled.InviteesSkipLobby = request.InviteesSkipLobby ?? false;
        db.Meetings.Add(meeting);
        db.ScheduledMeetings.Add(scheduled);
        var organizer = Organizer(host);
        var added = invitees.Select(i => NewInvitee(scheduled, i, links, now)).ToList();
        db.Invitees.AddRange(added);
        foreach (var invitee in added)
        {
            mail.Request(scheduled, meeting.Slug, organizer, invitee, update: false);
        }
        await db.SaveChangesAsync(); // the meeting, its schedule, invitees and invitations together, or none
        mail.Send();
        return TypedResults.Created($"/api/scheduled-meetings/{meeting.Slug}", ToResponse(scheduled, meeting.Slug, added, now));
    }

    static async Task<Ok<List<ScheduledMeetingResponse>>> ListUpcoming(ClaimsPrincipal principal, ConferenceDbContext db,
        UserManager<ConferenceUser> users, TimeProvider clock)
    {
        var hostId = users.GetUserId(principal)!;
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime.AddDays(-2));
        var rows = await db.ScheduledMeetings.AsNoTracking()
            .Where(s => s.HostId == hostId && s.CancelledAt == null
                && (s.Recurrence == Recurrence.None ? s.StartsAt > now.AddDays(-2) : s.RecursUntil >= today))
            .Join(db.Meetings, s => s.MeetingId, m => m.Id, (s, m) => new { Scheduled = s, m.Slug })
            .ToListAsync();
        var ids = rows.Select(r => r.Scheduled.Id).ToList();
        var invitees = (await db.Invitees.AsNoTracking().Where(i => ids.Contains(i.ScheduledMeetingId) && i.RemovedAt == null).ToListAsync())
            .ToLookup(i => i.ScheduledMeetingId);
        var upcoming = rows
            .Select(r => ToResponse(r.Scheduled, r.Slug, invitees[r.Scheduled.Id].ToList(), now))
            .Where(r => r.NextStartsAt is not null)
            .OrderBy(r => r.NextStartsAt)
            .ToList();
        return TypedResults.Ok(upcoming);
    }

    static async Task<Results<Ok<ScheduledMeetingResponse>, ValidationProblem, ProblemHttpResult>> Get(string slug, ClaimsPrincipal principal,
        ConferenceDbContext db, UserManager<ConferenceUser> users, TimeProvider clock)
    {
        var hostId = users.GetUserId(principal)!;
        var scheduled = await db.ScheduledMeetings.AsNoTracking()
            .Where(s => s.HostId == hostId && db.Meetings.Any(m => m.Id == s.MeetingId && m.Slug == slug))
            .SingleOrDefaultAsync();
        if (scheduled is null)
        {
            return NotFound(slug);
        }
        var invitees = await db.Invitees.AsNoTracking().Where(i => i.ScheduledMeetingId == scheduled.Id && i.RemovedAt == null).ToListAsync();
        return TypedResults.Ok(ToResponse(scheduled, slug, invitees, clock.GetUtcNow()));
    }

    /// <summary>
    /// Replaces the details. SEQUENCE grows, and every invitee gets the update, only when the event changed (time,
    /// zone, duration, recurrence, title, description); the lobby choice alone changes no calendar.
    /// </summary>
    static async Task<Results<Ok<ScheduledMeetingResponse>, ValidationProblem, ProblemHttpResult>> Update(string slug, ScheduleRequest request,
        ClaimsPrincipal principal, ConferenceDbContext db, UserManager<ConferenceUser> users, ScheduleMail mail, MeetingChanges changes,
        TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var details = ScheduleValidation.Details(request, now, out var validation);
        if (request.Invitees is not null)
        {
            validation.Add("invitees", "Invitees are added and removed one by one (POST and DELETE …/invitees), not here.");
        }
        if (!validation.IsValid)
        {
            return TypedResults.ValidationProblem(validation.Errors);
        }
        var updated = await ChangeOwnAsync<Ok<ScheduledMeetingResponse>>(slug, principal, db, users, mail, async (host, scheduled) =>
        {
            if (scheduled.CancelledAt is not null)
            {
                return Cancelled(slug);
            }
            var invitees = await db.Invitees.Where(i => i.ScheduledMeetingId == scheduled.Id && i.RemovedAt == null).ToListAsync();
            scheduled.InviteesSkipLobby = request.InviteesSkipLobby ?? scheduled.InviteesSkipLobby;
            if (details!.DiffersFrom(scheduled))
            {
                details.ApplyTo(scheduled);
                scheduled.Sequence++;
                // A new time is a new occurrence: its reminder has not gone out.
                scheduled.RemindedFor = null;
                await db.Meetings.Where(m => m.Id == scheduled.MeetingId).ExecuteUpdateAsync(m => m.SetProperty(x => x.Title, details.Title));
                foreach (var invitee in invitees)
                {
                    mail.Request(scheduled, slug, Organizer(host), invitee, update: true);
                }
            }
            return TypedResults.Ok(ToResponse(scheduled, slug, invitees, now));
        });
        if (updated.Result is not Ok<ScheduledMeetingResponse>)
        {
            return updated;
        }
        try
        {
            await changes.PublishAsync(slug, Conference.Contracts.MeetingChangeKind.Settings); // the meeting's title may have changed: cached copies go
        }
        catch (StackExchange.Redis.RedisException)
        {
            // Saved and mailed already; a cached title is at most the cache's lifetime old.
        }
        return updated;
    }

    static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Cancel(string slug, ClaimsPrincipal principal,
        ConferenceDbContext db, UserManager<ConferenceUser> users, ScheduleMail mail, TimeProvider clock)
    {
        return await ChangeOwnAsync<NoContent>(slug, principal, db, users, mail, async (host, scheduled) =>
        {
            if (scheduled.CancelledAt is not null)
            {
                return TypedResults.NoContent(); // cancelled already: nothing more to send
            }
            scheduled.CancelledAt = clock.GetUtcNow();
            scheduled.Sequence++;
            foreach (var invitee in await db.Invitees.Where(i => i.ScheduledMeetingId == scheduled.Id && i.RemovedAt == null).ToListAsync())
            {
                mail.Cancel(scheduled, slug, Organizer(host), invitee, wholeMeeting: true);
            }
            return TypedResults.NoContent();
        });
    }

    static async Task<Results<Created<InviteeResponse>, ValidationProblem, ProblemHttpResult>> AddInvitee(string slug, InviteeRequest request,
        ClaimsPrincipal principal, ConferenceDbContext db, UserManager<ConferenceUser> users, ScheduleMail mail, PersonalLinks links, TimeProvider clock)
    {
        var validation = new Validation();
        var wanted = ScheduleValidation.Invitees([request], validation, "invitee", single: true);
        if (!validation.IsValid)
        {
            return TypedResults.ValidationProblem(validation.Errors);
        }
        return await ChangeOwnAsync<Created<InviteeResponse>>(slug, principal, db, users, mail, async (host, scheduled) =>
        {
            if (scheduled.CancelledAt is not null)
            {
                return Cancelled(slug);
            }
            var email = wanted[0].Email;
            var existing = await db.Invitees.SingleOrDefaultAsync(i => i.ScheduledMeetingId == scheduled.Id && i.Email == email);
            if (existing is { RemovedAt: null })
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["email"] = [$"{email} is invited already."] });
            }
            if (await db.Invitees.CountAsync(i => i.ScheduledMeetingId == scheduled.Id && i.RemovedAt == null) >= MaxInvitees)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["email"] = [$"A meeting takes at most {MaxInvitees} invitees."] });
            }
            var now = clock.GetUtcNow();
            Invitee invitee;
            if (existing is not null)
            {
                // Invited again after being taken off: a new link, since the old one was cancelled for them.
                var (_, hash, protectedToken) = links.NewToken();
                existing.RemovedAt = null;
                existing.LinkRevokedAt = null;
                existing.LinkTokenHash = hash;
                existing.ProtectedLinkToken = protectedToken;
                existing.Name = wanted[0].Name ?? existing.Name;
                existing.InvitedAt = now;
                invitee = existing;
            }
            else
            {
                invitee = NewInvitee(scheduled, wanted[0], links, now);
                db.Invitees.Add(invitee);
            }
            mail.Request(scheduled, slug, Organizer(host), invitee, update: false);
            return TypedResults.Created($"/api/scheduled-meetings/{slug}", ToResponse(invitee));
        });
    }

    static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> RemoveInvitee(string slug, long inviteeId, ClaimsPrincipal principal,
        ConferenceDbContext db, UserManager<ConferenceUser> users, ScheduleMail mail, TimeProvider clock)
    {
        return await ChangeOwnAsync<NoContent>(slug, principal, db, users, mail, async (host, scheduled) =>
        {
            var invitee = await db.Invitees.SingleOrDefaultAsync(i => i.Id == inviteeId && i.ScheduledMeetingId == scheduled.Id && i.RemovedAt == null);
            if (invitee is null)
            {
                return InviteeNotFound(inviteeId);
            }
            invitee.RemovedAt = clock.GetUtcNow();
            if (scheduled.CancelledAt is null)
            {
                mail.Cancel(scheduled, slug, Organizer(host), invitee, wholeMeeting: false);
            }
            return TypedResults.NoContent();
        });
    }

    static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> RevokeLink(string slug, long inviteeId, ClaimsPrincipal principal,
        ConferenceDbContext db, UserManager<ConferenceUser> users, TimeProvider clock)
    {
        var hostId = users.GetUserId(principal)!;
        var now = clock.GetUtcNow();
        var revoked = await db.Invitees
            .Where(i => i.Id == inviteeId && i.RemovedAt == null
                && db.ScheduledMeetings.Any(s => s.Id == i.ScheduledMeetingId && s.HostId == hostId
                    && db.Meetings.Any(m => m.Id == s.MeetingId && m.Slug == slug)))
            .ExecuteUpdateAsync(i => i.SetProperty(x => x.LinkRevokedAt, x => x.LinkRevokedAt ?? now));
        return revoked == 0 ? InviteeNotFound(inviteeId) : TypedResults.NoContent();
    }

    /// <summary>The host's schedule for a slug, row-locked until the transaction ends: changes to one schedule take turns, so SEQUENCE never repeats.</summary>
    static Task<ScheduledMeeting?> LockOwnAsync(ConferenceDbContext db, string slug, string hostId) =>
        db.ScheduledMeetings.FromSql($"""
            SELECT s.* FROM scheduled_meetings s JOIN meetings m ON m."Id" = s."MeetingId"
            WHERE m."Slug" = {slug} AND s."HostId" = {hostId} FOR UPDATE OF s
            """).SingleOrDefaultAsync();

    /// <summary>
    /// One change to the caller's own schedule, as one transaction: the schedule row stays locked until it ends;
    /// <paramref name="change"/> edits the schedule and queues mail; what it did is saved, and the mail woken, only
    /// when it answers <typeparamref name="TDone"/> (a problem it answers leaves nothing behind). 404 when the caller
    /// has no schedule <paramref name="slug"/>. A cancelled schedule is handed over too: removing an invitee still
    /// works on it, a new time or invitee does not (409, said by the change).
    /// </summary>
    static async Task<Results<TDone, ValidationProblem, ProblemHttpResult>> ChangeOwnAsync<TDone>(string slug, ClaimsPrincipal principal,
        ConferenceDbContext db, UserManager<ConferenceUser> users, ScheduleMail mail,
        Func<ConferenceUser, ScheduledMeeting, Task<Results<TDone, ValidationProblem, ProblemHttpResult>>> change) where TDone : IResult
    {
        var host = (await users.GetUserAsync(principal))!;
        await using var transaction = await db.Database.BeginTransactionAsync();
        if (await LockOwnAsync(db, slug, host.Id) is not { } scheduled)
        {
            return NotFound(slug);
        }
        var done = await change(host, scheduled);
        if (done.Result is TDone)
        {
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
            mail.Send();
        }
        return done;
    }

    static Invitee NewInvitee(ScheduledMeeting scheduled, ScheduleValidation.ValidInvitee wanted, PersonalLinks links, DateTimeOffset now)
    {
        var (_, hash, protectedToken) = links.NewToken();
        return new Invitee
        {
            ScheduledMeetingId = scheduled.Id,
            Email = wanted.Email,
            Name = wanted.Name,
            Identity = Participants.ParticipantIdentities.NewGuest(),
            LinkTokenHash = hash,
            ProtectedLinkToken = protectedToken,
            InvitedAt = now,
        };
    }

    internal static Invitations.Person Organizer(ConferenceUser host) => new(host.Email!, host.DisplayName);

    static ProblemHttpResult NotFound(string slug) =>
        TypedResults.Problem($"You have no scheduled meeting {slug}.", statusCode: StatusCodes.Status404NotFound, title: "Scheduled meeting not found");

    static ProblemHttpResult InviteeNotFound(long id) =>
        TypedResults.Problem($"This meeting has no invitee {id}.", statusCode: StatusCodes.Status404NotFound, title: "Invitee not found");

    static ProblemHttpResult Cancelled(string slug) =>
        TypedResults.Problem($"The scheduled meeting {slug} was cancelled; schedule a new one.", statusCode: StatusCodes.Status409Conflict, title: "Cancelled");

    static ScheduledMeetingResponse ToResponse(ScheduledMeeting s, string slug, IReadOnlyList<Invitee> invitees, DateTimeOffset now) => new(
        slug, s.Uid, s.Sequence, s.Title, s.Description, s.StartLocal, s.TimeZone, s.StartsAt, (int)s.Duration.TotalMinutes, s.Recurrence,
        s.RecursUntil, s.InviteesSkipLobby, s.CancelledAt is null ? Occurrences.CurrentOrNextStart(s, now) : null, s.CancelledAt,
        invitees.Where(i => i.RemovedAt is null).OrderBy(i => i.Email, StringComparer.Ordinal).Select(ToResponse).ToList());

    static InviteeResponse ToResponse(Invitee i) => new(i.Id, i.Email, i.Name, i.InvitedAt, i.LinkRevokedAt is not null);
}
