namespace Conference.AppHost.LiveKit;

/// <summary>Pinned images: both are published for linux/amd64 and linux/arm64 (the Ampere host).</summary>
internal static class LiveKitImages
{
    public const string Registry = "docker.io";
    public const string ServerImage = "livekit/livekit-server";
    public const string ServerTag = "v1.13.5";
    public const string EgressImage = "livekit/egress";
    public const string EgressTag = "v1.14.1";
}
