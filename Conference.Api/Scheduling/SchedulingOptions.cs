namespace Conference.Api.Scheduling;

/// <summary>Scheduled meetings' settings (section <c>Scheduling</c>).</summary>
public sealed class SchedulingOptions
{
    public const string SectionName = "Scheduling";

    /// <summary>How long before each occurrence its reminder mail goes out.</summary>
    public TimeSpan ReminderLead { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often the reminder loop looks for occurrences coming up.</summary>
    public TimeSpan ReminderInterval { get; set; } = TimeSpan.FromSeconds(30);
}
