using Conference.LiveKit;

namespace Conference.Api.Participants;

/// <summary>
/// LiveKit as the api uses it, always registered: when this server has none configured, using it throws
/// <see cref="ServiceNotConfiguredException"/>, which the api answers with one 503.
/// </summary>
public sealed class MediaServer(IServiceProvider services)
{
    const string Detail = "This server has no media server (LiveKit) configured, so meetings cannot be joined or moderated.";

    public bool IsConfigured => services.GetService<JoinTokens>() is not null;

    public JoinTokens Tokens => services.GetService<JoinTokens>() ?? throw new ServiceNotConfiguredException("Media server", Detail);

    public RoomServiceClient Rooms => services.GetService<RoomServiceClient>() ?? throw new ServiceNotConfiguredException("Media server", Detail);

    /// <summary>Verifies LiveKit's signed webhooks with its API key and secret.</summary>
    public WebhookReceiver Webhooks => services.GetService<WebhookReceiver>()
        ?? throw new ServiceNotConfiguredException("Media server", "This server has no media server (LiveKit) configured, so it cannot verify LiveKit's webhooks.");
}
