using System.Text.Json.Serialization;

namespace Conference.Contracts;

/// <summary>
/// "Something changed in account X", published as JSON on <see cref="Channel"/> by the api (its one publisher) so the
/// web's open pages of that account act at once instead of at their next api call. Its own channel, not a kind of
/// <see cref="MeetingChange"/>: it concerns no meeting (every meeting page would have to filter it out), and the web
/// routes it by account, not by meeting.
/// </summary>
/// <param name="Account">The account's id (the api's user id, the web's NameIdentifier claim).</param>
public sealed record AccountChange([property: JsonRequired] string Account, [property: JsonRequired] AccountChangeKind What)
{
    public const string Channel = "conference:account-changes";
}

/// <summary>What changed in an account. On the channel each kind is its name in snake case.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AccountChangeKind>))]
public enum AccountChangeKind
{
    /// <summary>
    /// One or more of the account's sign-ins ended: a sign-out, "sign out everywhere", a new password (changed or
    /// reset), a reused refresh token (its family revoked), or an admin disabling the account. It does not say which
    /// sign-ins: a page asks the api whether its own still works, so a late, repeated or forged message ends nothing.
    /// </summary>
    [JsonStringEnumMemberName("sign_ins_ended")] SignInsEnded,
}
