namespace Conference.AppHost.LiveKit;

/// <summary>
/// Marks the Caddy that also carries TURN/TLS on 443: the compose publisher adds the layer-4 route (TLS for
/// <c>{$TURN_SITE_ADDRESS}</c> ends in Caddy and goes on to <c>{$TURN_UPSTREAM}</c>) to the Caddyfile it ships.
/// </summary>
sealed class TurnOverTlsAnnotation : IResourceAnnotation;
