using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Conference.Tests.ServiceDefaults;

/// <summary>
/// A service stops in time however its telemetry collector behaves (ServiceDefaults' TelemetryShutdown). Whoever stops
/// it kills it soon after SIGTERM — Aspire's orchestrator 6 s later, and then the dashboard's Restart fails and the
/// service stays down — and the providers' own flush used to wait up to 5 s each, one after another, for a collector
/// that did not answer (10 s in all, measured).
/// </summary>
public sealed class TelemetryShutdownTests
{
    /// <summary>How long Aspire's orchestrator (DCP) lets a process stop after SIGTERM before it kills it.</summary>
    static readonly TimeSpan OrchestratorStopWindow = TimeSpan.FromSeconds(6);

    [Fact]
    public async Task A_service_whose_collector_never_answers_stops_within_the_orchestrators_window()
    {
        // A collector that takes connections and never answers (a dashboard too busy to read them looks the same).
        using var collector = new TcpListener(IPAddress.Loopback, 0);
        collector.Start();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{((IPEndPoint)collector.LocalEndpoint).Port}";
        builder.Configuration["OTEL_SERVICE_NAME"] = "telemetry-shutdown-test";
        builder.AddServiceDefaults();
        var host = builder.Build();
        await host.StartAsync();

        // Something of each signal waits to be exported.
        using (var source = new ActivitySource("Conference.TelemetryShutdownTests"))
        using (source.StartActivity("work"))
        {
            host.Services.GetRequiredService<ILogger<TelemetryShutdownTests>>().LogInformation("Working");
        }
        using var meter = host.Services.GetRequiredService<IMeterFactory>().Create("Conference.TelemetryShutdownTests");
        meter.CreateCounter<int>("work").Add(1);

        var stopping = Stopwatch.StartNew();
        await host.StopAsync();
        host.Dispose();
        stopping.Stop();

        Assert.True(stopping.Elapsed < OrchestratorStopWindow, $"The service took {stopping.Elapsed} to stop and dispose.");
    }
}
