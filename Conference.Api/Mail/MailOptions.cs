using MailKit.Security;

namespace Conference.Api.Mail;

/// <summary>
/// How the api reaches its SMTP server (section <c>Mail</c>; the AppHost sets them from Aspire parameters, production
/// from <c>.env</c>). Without <see cref="Host"/> mail waits in the outbox until one is configured: nothing is lost.
/// </summary>
public sealed class MailOptions
{
    public const string SectionName = "Mail";

    /// <summary>The SMTP server's host name; null or empty: mail is queued, not sent.</summary>
    public string? Host { get; set; }

    /// <summary>The SMTP port: 587 (submission, STARTTLS), 465 (implicit TLS) or 25.</summary>
    public int Port { get; set; } = 587;

    public SmtpTlsMode Tls { get; set; } = SmtpTlsMode.StartTls;

    /// <summary>The SMTP AUTH user; null or empty: no authentication.</summary>
    public string? User { get; set; }

    public string? Password { get; set; }

    /// <summary>The From address of every mail, e.g. <c>Conference &lt;meet@example.org&gt;</c> (RFC 5322 mailbox).</summary>
    public string From { get; set; } = "Conference <conference@localhost>";

    /// <summary>How often the outbox is looked at when nothing wakes it (a new mail wakes it at once).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The first retry's delay after a failed attempt; it doubles on each failure up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long one instance holds a claimed message before another may try it (a crash mid-send).</summary>
    public TimeSpan ClaimDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The site's public address (the front door, e.g. <c>https://meet.example.org/</c>): links in mail (personal
    /// join links, calendar feeds, password reset) point at it.
    /// </summary>
    public Uri SiteUrl { get; set; } = new("http://localhost/");

    /// <summary>How long a password reset link works (Identity's data-protection token lifespan); once used, it ends.</summary>
    public TimeSpan PasswordResetLinkLifetime { get; set; } = TimeSpan.FromHours(1);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Host);

    internal SecureSocketOptions SocketOptions => Tls switch
    {
        SmtpTlsMode.None => SecureSocketOptions.None,
        SmtpTlsMode.StartTlsWhenAvailable => SecureSocketOptions.StartTlsWhenAvailable,
        SmtpTlsMode.SslOnConnect => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.StartTls,
    };
}

/// <summary>How the SMTP connection is secured.</summary>
public enum SmtpTlsMode
{
    /// <summary>Plain SMTP: only for a server on the same host (the development inbox).</summary>
    None,
    /// <summary>STARTTLS required (port 587).</summary>
    StartTls,
    /// <summary>STARTTLS when the server offers it, else plain.</summary>
    StartTlsWhenAvailable,
    /// <summary>TLS from the first byte (port 465, "SMTPS").</summary>
    SslOnConnect,
}
