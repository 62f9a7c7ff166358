using MimeKit;

namespace Conference.Api.Scheduling;

/// <summary>
/// The mail that carries an iTIP message (RFC 6047, iMIP): <c>multipart/alternative</c> with a plain-text part for
/// people and a <c>text/calendar; method=…</c> part for their calendar, which shows Accept/Decline for a REQUEST and
/// removes the event for a CANCEL. The calendar part is base64 so its CRLF line ends and folding arrive byte for byte.
/// </summary>
public static class InvitationMail
{
    /// <param name="method">The iTIP method of <paramref name="calendar"/>: REQUEST or CANCEL (must match its METHOD).</param>
    public static MimeMessage Compose(MailboxAddress to, string subject, string text, string calendar, string method)
    {
        var calendarPart = new TextPart("calendar")
        {
            Content = new MimeContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(calendar))),
            ContentTransferEncoding = ContentEncoding.Base64,
        };
        calendarPart.ContentType.Charset = "utf-8";
        calendarPart.ContentType.Parameters.Add("method", method);
        var body = new MultipartAlternative
        {
            new TextPart("plain") { Text = text },
            calendarPart,
        };
        var message = new MimeMessage { Subject = subject, Body = body };
        message.To.Add(to);
        return message;
    }
}
