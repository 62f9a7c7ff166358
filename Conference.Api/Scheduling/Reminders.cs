using Conference.Api.Accounts;
using Conference.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Conference.Api.Scheduling;

/// <summary>
/// Mails every invitee a reminder <see cref="SchedulingOptions.ReminderLead"/> before each occurrence. An occurrence
/// is claimed with one conditional UPDATE of <see cref="ScheduledMeeting.RemindedFor"/> in the transaction that queues
/// its mail, so each gets its reminders once, however many api instances look. An occurrence that already started
/// when the loop looks (the api was down) gets none: a late reminder is noise.
/// </summary>
public sealed class Reminders(IServiceScopeFactory scopes, IOptionsMonitor<SchedulingOptions> options, TimeProvider clock,
    ILogger<Reminders> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(exception, "Reminder pass failed; retrying at the next interval");
            }
            try
            {
                await Task.Delay(options.CurrentValue.ReminderInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One pass: queues the reminders due now. Returns how many occurrences it reminded of.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().ToUniversalTime(); // timestamptz parameters must be UTC
        var lead = options.CurrentValue.ReminderLead;
        var horizon = now + lead;
        var yesterday = DateOnly.FromDateTime(now.UtcDateTime.AddDays(-1));
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConferenceDbContext>();
        var candidates = await db.ScheduledMeetings.AsNoTracking()
            .Where(s => s.CancelledAt == null && s.StartsAt <= horizon
                && (s.Recurrence == Recurrence.None ? s.StartsAt > now : s.RecursUntil >= yesterday))
            .Select(s => s.Id)
            .ToListAsync(cancellationToken);
        var reminded = 0;
        foreach (var id in candidates)
        {
            if (await RemindAsync(id, now, horizon, cancellationToken))
            {
                reminded++;
            }
        }
        return reminded;
    }

    async Task<bool> RemindAsync(Guid scheduledMeetingId, DateTimeOffset now, DateTimeOffset horizon, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConferenceDbContext>();
        var scheduled = await db.ScheduledMeetings.AsNoTracking().SingleOrDefaultAsync(s => s.Id == scheduledMeetingId, cancellationToken);
        if (scheduled is null || Occurrences.NextStart(scheduled, now) is not { } occurrence || occurrence > horizon || scheduled.RemindedFor == occurrence)
        {
            return false;
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var claimed = await db.ScheduledMeetings
            .Where(s => s.Id == scheduledMeetingId && s.CancelledAt == null && s.Sequence == scheduled.Sequence
                && (s.RemindedFor == null || s.RemindedFor != occurrence))
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RemindedFor, occurrence), cancellationToken);
        if (claimed == 0)
        {
            return false; // another instance did, or the host changed it meanwhile (the next pass sees the new time)
        }
        var slug = await db.Meetings.Where(m => m.Id == scheduled.MeetingId).Select(m => m.Slug).SingleAsync(cancellationToken);
        var host = await db.Users.AsNoTracking().SingleAsync(u => u.Id == scheduled.HostId, cancellationToken);
        var mail = scope.ServiceProvider.GetRequiredService<ScheduleMail>();
        var invitees = await db.Invitees.AsNoTracking().Where(i => i.ScheduledMeetingId == scheduledMeetingId && i.RemovedAt == null)
            .ToListAsync(cancellationToken);
        foreach (var invitee in invitees)
        {
            mail.Remind(scheduled, slug, SchedulingApi.Organizer(host), invitee, occurrence);
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        mail.Send();
        return true;
    }
}
