using Conference.Api.Data;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Conference.Api.Mail;

/// <summary>
/// Queues mail in the database (<see cref="OutboxMail"/>); <see cref="MailDelivery"/> sends it. Queue within the unit
/// of work that causes the mail and call <see cref="ConferenceDbContext.SaveChangesAsync(CancellationToken)"/> once.
/// </summary>
public sealed class MailOutbox(ConferenceDbContext db, IOptions<MailOptions> options, TimeProvider clock, MailDelivery delivery)
{
    /// <summary>The From mailbox every mail carries.</summary>
    public MailboxAddress From => MailboxAddress.Parse(options.Value.From);

    /// <summary>
    /// Adds <paramref name="message"/> to the outbox (sets From if unset, a Message-ID and Date); saved with the
    /// caller's next SaveChanges. The delivery loop is woken once that is saved (<see cref="WakeDelivery"/>).
    /// </summary>
    public OutboxMail Enqueue(MimeMessage message)
    {
        if (message.From.Count == 0)
        {
            message.From.Add(From);
        }
        var domain = From.Domain is { Length: > 0 } d ? d : "localhost";
        message.MessageId ??= MimeKit.Utils.MimeUtils.GenerateMessageId(domain);
        var now = clock.GetUtcNow();
        message.Date = now;
        using var content = new MemoryStream();
        message.WriteTo(FormatOptions.Default, content);
        var mail = new OutboxMail
        {
            Id = Guid.CreateVersion7(),
            MessageId = message.MessageId,
            Recipients = string.Join(", ", message.To.Mailboxes.Select(m => m.Address)),
            Subject = message.Subject ?? "",
            Content = content.ToArray(),
            CreatedAt = now,
            NextAttemptAt = now,
        };
        db.MailOutbox.Add(mail);
        return mail;
    }

    /// <summary>Tells the delivery loop there is mail (call after saving); it also looks on its own every poll interval.</summary>
    public void WakeDelivery() => delivery.Wake();
}
