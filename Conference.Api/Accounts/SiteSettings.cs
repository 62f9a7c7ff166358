namespace Conference.Api.Accounts;

/// <summary>Settings the admin changes at run time; one row.</summary>
public sealed class SiteSettings
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;

    /// <summary>Whether anyone may create an account. The admin closes it once the organisation is in.</summary>
    public bool SignUpOpen { get; set; } = true;

    /// <summary>Days a recording is kept before the recorder deletes it.</summary>
    public int RecordingRetentionDays { get; set; } = 30;

    /// <summary>
    /// While no admin exists: the one-time code that makes a sign-up the admin (printed in the api's log at start).
    /// Null once claimed. Kept in the database so every api instance prints and accepts the same code.
    /// </summary>
    public string? AdminSetupCode { get; set; }
}
