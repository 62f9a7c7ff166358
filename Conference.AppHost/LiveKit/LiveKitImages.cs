namespace Conference.AppHost.LiveKit;

/// <summary>Pinned images: both are published for linux/amd64 and linux/arm64 (the Ampere host).</summary>
static class LiveKitImages
{
    public const string Registry = "docker.io";
    public const string ServerImage = "livekit/livekit-server";
    public const string ServerTag = "v1.13.5";
    public const string EgressImage = "livekit/egress";
    public const string EgressTag = "v1.14.1";

    // Caddy with the layer-4 app (caddy-l4), for TURN/TLS on 443: built per release by release.yml from
    // deploy/caddy-l4.Dockerfile (Caddy and caddy-l4 pinned there) and published beside our own images.
    public const string CaddyLayer4Registry = "${REGISTRY:?see .env.example}";
    public const string CaddyLayer4Image = "conference-caddy-l4";
    public const string CaddyLayer4Tag = "${CONFERENCE_VERSION:?see .env.example}";
}
