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
}
