using Microsoft.AspNetCore.Identity;

namespace Conference.Api.Accounts;

/// <summary>A person with an account: a host, and maybe the admin. Guests have none.</summary>
public sealed class ConferenceUser : IdentityUser
{
    public string DisplayName { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When an admin disabled the account; null while it may sign in. Checked on every request.</summary>
    public DateTimeOffset? DisabledAt { get; set; }
}

/// <summary>Account roles. Host and co-host are per meeting and live on the meeting, not here.</summary>
public static class Roles
{
    public const string Admin = "admin";
}
