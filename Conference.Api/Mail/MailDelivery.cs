using Conference.Api.Data;
using MailKit.Net.Smtp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Conference.Api.Mail;

/// <summary>
/// Sends the outbox over SMTP (MailKit) and retries what fails, with a doubling delay, until the server accepts it:
/// an SMTP outage delays mail and loses none. Each message is claimed by one instance at a time (row lock with SKIP
/// LOCKED, then a claim time in <see cref="OutboxMail.NextAttemptAt"/>) and marked sent as soon as the server
/// answers 250, so it is sent once. The one window SMTP leaves open — accepted, then the api dies before marking it —
/// resends the same Message-ID, which mail clients treat as the same message.
/// </summary>
public sealed class MailDelivery(IServiceScopeFactory scopes, IOptionsMonitor<MailOptions> options, TimeProvider clock,
    ILogger<MailDelivery> logger) : BackgroundService
{
    const int BatchSize = 20;

    readonly SemaphoreSlim wake = new(0, 1);
    readonly SemaphoreSlim oneAtATime = new(1, 1);

    /// <summary>Looks at the outbox now rather than at the next poll.</summary>
    public void Wake()
    {
        if (wake.CurrentCount == 0)
        {
            try { wake.Release(); } catch (SemaphoreFullException) { } // already woken
        }
    }

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
                // The database may be down: the mail is still in it, and the next pass picks it up.
                logger.LogWarning(exception, "Mail delivery pass failed; retrying at the next poll");
            }
            try
            {
                await wake.WaitAsync(options.CurrentValue.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One pass: sends every message due now, batch by batch. Returns how many the SMTP server accepted.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        var settings = options.CurrentValue;
        if (!settings.IsConfigured)
        {
            return 0;
        }
        await oneAtATime.WaitAsync(cancellationToken);
        try
        {
            var sent = 0;
            while (await ClaimAsync(settings, cancellationToken) is { Count: > 0 } batch)
            {
                sent += await SendAsync(settings, batch, cancellationToken);
                if (batch.Count < BatchSize)
                {
                    break;
                }
            }
            return sent;
        }
        finally
        {
            oneAtATime.Release();
        }
    }

    /// <summary>Claims up to a batch of due messages for this instance: another instance skips them until the claim ends.</summary>
    async Task<List<OutboxMail>> ClaimAsync(MailOptions settings, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConferenceDbContext>();
        var now = clock.GetUtcNow();
        var claimedUntil = now + settings.ClaimDuration;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var batch = await db.MailOutbox
            .FromSql($"""
                SELECT * FROM mail_outbox WHERE "SentAt" IS NULL AND "NextAttemptAt" <= {now}
                ORDER BY "NextAttemptAt" LIMIT {BatchSize} FOR UPDATE SKIP LOCKED
                """)
            .ToListAsync(cancellationToken);
        foreach (var mail in batch)
        {
            mail.NextAttemptAt = claimedUntil;
            mail.Attempts++;
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return batch;
    }

    async Task<int> SendAsync(MailOptions settings, List<OutboxMail> batch, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConferenceDbContext>();
        db.MailOutbox.AttachRange(batch);
        var sent = 0;
        using var smtp = new SmtpClient { Timeout = 30_000 };
        foreach (var mail in batch)
        {
            try
            {
                if (!smtp.IsConnected)
                {
                    await smtp.ConnectAsync(settings.Host!, settings.Port, settings.SocketOptions, cancellationToken);
                    if (!string.IsNullOrEmpty(settings.User))
                    {
                        await smtp.AuthenticateAsync(settings.User, settings.Password ?? "", cancellationToken);
                    }
                }
                using var message = await MimeMessage.LoadAsync(new MemoryStream(mail.Content), cancellationToken);
                await smtp.SendAsync(message, cancellationToken);
                mail.SentAt = clock.GetUtcNow();
                mail.LastError = null;
                sent++;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                var delay = RetryDelay(settings, mail.Attempts);
                mail.NextAttemptAt = clock.GetUtcNow() + delay;
                mail.LastError = $"{exception.GetType().Name}: {exception.Message}";
                logger.LogWarning("Mail {MessageId} to {Recipients} not sent (attempt {Attempts}), retrying in {Delay}: {Error}",
                    mail.MessageId, mail.Recipients, mail.Attempts, delay, mail.LastError);
                if (smtp.IsConnected)
                {
                    await smtp.DisconnectAsync(quit: false, CancellationToken.None);
                }
            }
            // Marked one by one: a crash later in the batch does not send the earlier ones again.
            await db.SaveChangesAsync(CancellationToken.None);
        }
        if (smtp.IsConnected)
        {
            await smtp.DisconnectAsync(quit: true, CancellationToken.None);
        }
        return sent;
    }

    /// <summary>The delay before attempt <paramref name="attempts"/>+1: doubling from RetryDelay, at most MaxRetryDelay.</summary>
    public static TimeSpan RetryDelay(MailOptions settings, int attempts)
    {
        var factor = Math.Pow(2, Math.Clamp(attempts - 1, 0, 20));
        var delay = settings.RetryDelay * factor;
        return delay < settings.MaxRetryDelay ? delay : settings.MaxRetryDelay;
    }
}
