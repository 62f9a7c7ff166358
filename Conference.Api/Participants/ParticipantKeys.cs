using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Conference.Api.Participants;

/// <summary>
/// LiveKit identities that stay the same for a person in a meeting. A signed-in person is their account
/// (<c>u-{account id}</c>). Anyone else gets <c>g-{random}</c> and a participant key: that identity and the meeting,
/// signed and encrypted with the key ring the api and web share (ASP.NET Data Protection). The web keeps the key
/// in an HttpOnly cookie for that meeting and sends it with every join, so every join from that browser is the same
/// identity (a reload, a reconnect, a second tab) and a removed person's key is recognised and refused.
/// </summary>
public static class ParticipantIdentities
{
    const string AccountPrefix = "u-";
    const string GuestPrefix = "g-";

    public static string ForAccount(string userId) => AccountPrefix + userId;

    public static string NewGuest() => GuestPrefix + RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 20);

    /// <summary>The account of an account identity, else null.</summary>
    public static string? UserIdOf(string identity) => identity.StartsWith(AccountPrefix, StringComparison.Ordinal) ? identity[AccountPrefix.Length..] : null;
}

/// <summary>Issues and reads participant keys (see <see cref="ParticipantIdentities"/>).</summary>
public sealed class ParticipantKeys(IDataProtectionProvider protection, TimeProvider clock)
{
    /// <summary>The header a GET carries a participant key in (a join carries it in its body): the meeting's page sends it.</summary>
    public const string HeaderName = "X-Participant-Key";

    /// <summary>How long a key is good for; every join hands out a fresh one.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(90);

    readonly ITimeLimitedDataProtector protector = protection.CreateProtector("Conference.ParticipantKey.v1").ToTimeLimitedDataProtector();

    public string Issue(Guid meetingId, string identity) =>
        protector.Protect($"{meetingId:N}|{identity}", clock.GetUtcNow() + Lifetime);

    /// <summary>
    /// The identity in a valid key for this meeting, else null (forged, expired, or another meeting's). A key that names
    /// an account's identity counts only with that account's sign-in (<paramref name="signedInUserId"/>): the cookie
    /// outlives a sign-out, and without this a host's key kept acting as the host after "sign out everywhere".
    /// </summary>
    public string? Read(Guid meetingId, string? key, string? signedInUserId) =>
        Read(meetingId, key) is { } identity && (ParticipantIdentities.UserIdOf(identity) is not { } account || account == signedInUserId)
            ? identity
            : null;

    string? Read(Guid meetingId, string? key)
    {
        if (string.IsNullOrEmpty(key) || key.Length > 2048)
        {
            return null;
        }
        try
        {
            var value = protector.Unprotect(key, out var expires);
            if (expires < clock.GetUtcNow())
            {
                return null;
            }
            var separator = value.IndexOf('|');
            return separator == 32 && value.AsSpan(0, 32).SequenceEqual(meetingId.ToString("N")) ? value[33..] : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
