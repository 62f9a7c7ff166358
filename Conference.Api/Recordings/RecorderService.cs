namespace Conference.Api.Recordings;

/// <summary>
/// The recorder as the api uses it, always registered: when this server has none (no <c>Recorder:Url</c> and no
/// service-discovery entry), using it throws <see cref="ServiceNotConfiguredException"/>, which the api answers with
/// one 503 ("Recording is not available").
/// </summary>
public sealed class RecorderService(IServiceProvider services)
{
    /// <summary>Whether this server has a recorder (for work that skips recording rather than failing).</summary>
    public bool IsConfigured => services.GetService<RecorderClient>() is not null;

    /// <summary>The recorder's internal interface.</summary>
    public RecorderClient Client => services.GetService<RecorderClient>()
        ?? throw new ServiceNotConfiguredException("Recorder", "This server has no recorder configured.", title: "Recording is not available");
}
