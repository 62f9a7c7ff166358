using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Conference.LiveKit;

/// <summary>
/// Traces and metrics of LiveKit server API calls. Register <see cref="Name"/> with OpenTelemetry
/// (<c>AddSource</c> and <c>AddMeter</c>) to export them.
/// </summary>
public static class LiveKitTelemetry
{
    /// <summary>The name of both the <see cref="System.Diagnostics.ActivitySource"/> and the <see cref="System.Diagnostics.Metrics.Meter"/>.</summary>
    public const string Name = "Conference.LiveKit";

    internal static readonly ActivitySource ActivitySource = new(Name);
    static readonly Meter Meter = new(Name);
    static readonly Counter<long> Calls = Meter.CreateCounter<long>("livekit.client.calls", "{call}", "LiveKit server API calls.");
    static readonly Counter<long> Errors = Meter.CreateCounter<long>("livekit.client.errors", "{call}", "LiveKit server API calls that failed.");
    static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("livekit.client.duration", "s", "Duration of LiveKit server API calls, retries included.");

    internal static Activity? StartCall(string service, string method)
    {
        var activity = ActivitySource.StartActivity($"livekit.{service}/{method}", ActivityKind.Client);
        activity?.SetTag("rpc.system", "twirp");
        activity?.SetTag("rpc.service", $"livekit.{service}");
        activity?.SetTag("rpc.method", method);
        return activity;
    }

    internal static void RecordCall(string service, string method, TimeSpan elapsed, string? errorType)
    {
        var tags = new TagList { { "rpc.service", $"livekit.{service}" }, { "rpc.method", method } };
        Calls.Add(1, tags);
        Duration.Record(elapsed.TotalSeconds, tags);
        if (errorType is not null)
        {
            tags.Add("error.type", errorType);
            Errors.Add(1, tags);
        }
    }
}
