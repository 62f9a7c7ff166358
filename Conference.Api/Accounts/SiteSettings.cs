namespace Conference.Api.Accounts;

/// <summary>
/// Settings the admin changes at run time that the api owns; one row. (Recording retention is the recorder's: see
/// <c>RetentionSetting</c>.)
/// </summary>
public sealed class SiteSettings
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;

    /// <summary>Whether anyone may create an account. The admin closes it once the organisation is in.</summary>
    public bool SignUpOpen { get; set; } = true;

    /// <summary>
    /// While no admin exists: the one-time code that makes a sign-up the admin (printed in the api's log at start).
    /// Null once claimed. Kept in the database so every api instance prints and accepts the same code.
    /// </summary>
    public string? AdminSetupCode { get; set; }
}
