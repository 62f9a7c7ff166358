using System.Buffers.Text;
using System.Security.Cryptography;
using Conference.Api.Mail;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace Conference.Api.Scheduling;

/// <summary>
/// Invitees' personal join links, <c>{site}/m/{slug}?invite={token}</c>: 256 random bits, found by their SHA-256 and
/// kept encrypted with the key ring the api and web share, so an update or a reminder carries the same link again.
/// A revoked link (or a removed invitee's) is never mailed again: later mail carries the meeting's plain link.
/// </summary>
public sealed class PersonalLinks(IDataProtectionProvider protection, IOptionsMonitor<MailOptions> mail)
{
    readonly IDataProtector protector = protection.CreateProtector("Conference.PersonalLink.v1");

    /// <summary>The query parameter the token travels in.</summary>
    public const string QueryName = "invite";

    /// <summary>A new token: the token (mailed, never stored), its hash (looked up) and its encrypted form (stored).</summary>
    public (string Token, string Hash, string Protected) NewToken()
    {
        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        return (token, Hash(token), protector.Protect(token));
    }

    /// <summary>SHA-256 of a token, lower-case hex: the lookup key for a link.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));

    /// <summary>What a link in a mail to this invitee is: their personal link while it works, else the meeting's.</summary>
    public Uri For(Invitee invitee, string slug) =>
        invitee.LinkRevokedAt is null && invitee.RemovedAt is null
            ? new Uri(mail.CurrentValue.SiteUrl, $"m/{slug}?{QueryName}={protector.Unprotect(invitee.ProtectedLinkToken)}")
            : MeetingLink(slug);

    /// <summary>The meeting's own link, as the host shares it.</summary>
    public Uri MeetingLink(string slug) => new(mail.CurrentValue.SiteUrl, $"m/{slug}");

    /// <summary>A link under the site (calendar feeds, password reset).</summary>
    public Uri SiteLink(string relative) => new(mail.CurrentValue.SiteUrl, relative);
}
