using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Conference.AppHost.Diagnostics;

/// <summary>
/// Says on the AppHost's console which resource failed and why — its state, exit code and last log lines — and
/// who is left waiting for it. Without it a failure shows only on the dashboard, and the console keeps saying
/// "Distributed application started" while api, web and recorder wait for ever.
/// </summary>
sealed partial class FailedResourceReporter(
    ResourceNotificationService notifications,
    ResourceLoggerService resourceLogs,
    DistributedApplicationModel model,
    ILogger<FailedResourceReporter> logger)
{
    /// <summary>How many of the resource's last log lines the console repeats.</summary>
    internal const int LastLineCount = 12;

    static readonly TimeSpan LogReadTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Watches every resource until <paramref name="stopping"/> (the AppHost stopping: what stops then is no failure).</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        // Reported once per failure; a restart from the dashboard that fails again is reported again.
        var reported = new HashSet<string>(StringComparer.Ordinal);
        // Each resource's latest state, to tell who is still waiting from who already runs without the failed one.
        var states = new Dictionary<string, string?>(StringComparer.Ordinal);
        // Resources the AppHost is stopping or has stopped, until they start again.
        var stoppedByAppHost = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            await foreach (var update in notifications.WatchAsync(stopping))
            {
                var state = update.Snapshot.State?.Text;
                states[update.Resource.Name] = state;
                // The AppHost stops a resource (the dashboard's Stop or Restart) by saying Stopping first; a process
                // that ends by itself goes from Running straight to Finished.
                if (state == KnownResourceStates.Stopping)
                {
                    stoppedByAppHost.Add(update.ResourceId);
                }
                else if (state == KnownResourceStates.Running || state == KnownResourceStates.Starting)
                {
                    stoppedByAppHost.Remove(update.ResourceId);
                }
                if (Failure(update.Snapshot, stoppedByAppHost.Contains(update.ResourceId)) is not { } failure)
                {
                    // Back after a failure the console reported (restarted on the dashboard): say so there too.
                    if (state == KnownResourceStates.Running && reported.Remove(update.ResourceId))
                    {
                        logger.LogInformation("{Resource} is running again.", update.Resource.Name);
                    }
                    continue;
                }
                if (reported.Add(update.ResourceId))
                {
                    await ReportAsync(update.Resource, failure, states, stopping);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            // A diagnostic must never take the AppHost down.
            logger.LogWarning(exception, "Stopped watching for failed resources.");
        }
    }

    /// <summary>
    /// What went wrong, in words, or null if nothing did. Every resource here is a server meant to run until the
    /// AppHost stops, so a process that finished by itself failed even with exit code 0 (LiveKit ends 0 on a SIGTERM
    /// from outside; a newcomer's went unreported). One the AppHost stopped (<paramref name="stoppedByAppHost"/>: the
    /// dashboard's Stop or Restart, which also end in Finished with 0) did not.
    /// </summary>
    internal static string? Failure(CustomResourceSnapshot snapshot, bool stoppedByAppHost = false) => snapshot.State?.Text switch
    {
        var state when state == KnownResourceStates.FailedToStart => "failed to start",
        var state when (state == KnownResourceStates.Exited || state == KnownResourceStates.Finished) && snapshot.ExitCode is { } code && code != 0
            => $"exited with code {code}",
        var state when state == KnownResourceStates.Finished && snapshot.ExitCode == 0 && !stoppedByAppHost
            => "stopped by itself (exit code 0), though it should run until the AppHost stops",
        var state when state == KnownResourceStates.RuntimeUnhealthy => "cannot start: the container runtime is unhealthy",
        _ => null,
    };

    async Task ReportAsync(IResource resource, string failure, IReadOnlyDictionary<string, string?> states, CancellationToken cancellationToken)
    {
        var lines = await LastLinesAsync(resource, cancellationToken);
        var dependents = WaitingFor(resource);
        var running = dependents.Where(name => states.GetValueOrDefault(name) == KnownResourceStates.Running).ToList();
        logger.LogError(
            "{Resource} {Failure}.{Lines}{Dependents}",
            resource.Name,
            failure,
            lines.Count == 0
                ? " It wrote nothing to its log."
                : $" Its last log lines:{Environment.NewLine}{string.Join(Environment.NewLine, lines.Select(line => "    " + line))}",
            Dependents(resource.Name, dependents.Except(running).ToList(), running));
    }

    /// <summary>
    /// Who the failure holds up, and what to do: resources not started yet <paramref name="waiting"/> for it, and
    /// resources already <paramref name="running"/>, which carry on degraded (their health checks say what is missing,
    /// and they recover when it is back). Empty when nothing depends on it.
    /// </summary>
    internal static string Dependents(string failed, List<string> waiting, List<string> running)
    {
        var remedy = $"fix the cause, then restart {failed} on the dashboard, or stop (Ctrl+C) and run again.";
        string Wait() => $"{Listed(waiting)} {(waiting.Count == 1 ? "waits" : "wait")} for it";
        string RunOn() => $"{Listed(running)} {(running.Count == 1 ? "runs" : "run")} on without it, degraded";
        return (waiting.Count, running.Count) switch
        {
            (0, 0) => "",
            (_, 0) => $"{Environment.NewLine}{Wait()}: {remedy}",
            (0, _) => $"{Environment.NewLine}{RunOn()}, until it is back: {remedy}",
            _ => $"{Environment.NewLine}{Wait()}, and {RunOn()}: {remedy}",
        };
    }

    static string Listed(List<string> names) =>
        names.Count == 1 ? names[0] : $"{string.Join(", ", names[..^1])} and {names[^1]}";

    /// <summary>The resource's last log lines, without stack frames (the dashboard keeps those).</summary>
    async Task<List<string>> LastLinesAsync(IResource resource, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(LogReadTimeout);
        try
        {
            await foreach (var batch in resourceLogs.GetAllAsync(resource).WithCancellation(timeout.Token))
            {
                lines.AddRange(batch
                    .SelectMany(line => line.Content.Split('\n'))
                    .Select(line => Timestamp().Replace(line.TrimEnd('\r'), "", 1))
                    .Where(line => line.Trim().Length > 0 && !IsStackFrame(line) && !IsStartNote(line)));
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // What was read in time is what the console gets.
        }
        return lines.TakeLast(LastLineCount).ToList();

        // DCP's "[sys] Starting process...: Cmd = …" arrives after the process's own lines, so it read as the last
        // thing the process did (a newcomer was misled); the dashboard shows the command.
        static bool IsStartNote(string line) => line.StartsWith("[sys] Starting process", StringComparison.Ordinal);

        static bool IsStackFrame(string line)
        {
            var trimmed = line.TrimStart();
            return trimmed.StartsWith("at ", StringComparison.Ordinal) || trimmed.StartsWith("--- End of", StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// The resources that wait for <paramref name="resource"/>, for one of its children (a server's databases), or
    /// for one of those in turn (web waits for api, which waits for postgres' database).
    /// </summary>
    List<string> WaitingFor(IResource resource)
    {
        var blocked = new HashSet<IResource> { resource };
        var waiting = new List<string>();
        for (var grew = true; grew;)
        {
            grew = false;
            foreach (var candidate in model.Resources.Where(candidate => !blocked.Contains(candidate)))
            {
                var isChild = candidate is IResourceWithParent child && blocked.Contains(child.Parent);
                var waits = candidate.Annotations.OfType<WaitAnnotation>().Any(wait => blocked.Contains(wait.Resource));
                if (isChild || waits)
                {
                    blocked.Add(candidate);
                    grew = true;
                    if (waits)
                    {
                        waiting.Add(candidate.Name);
                    }
                }
            }
        }
        return waiting.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The time stamp DCP puts before each line it captured; the console's own line has one already.</summary>
    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z ")]
    private static partial Regex Timestamp();
}

public static class FailedResourceReporterExtensions
{
    /// <summary>Failures of any resource are said on the console, not only on the dashboard.</summary>
    public static IDistributedApplicationBuilder AddFailedResourceReporter(this IDistributedApplicationBuilder builder)
    {
        // Started before any resource, not as a hosted service: the AppHost's start-up (and with it every hosted
        // service after Aspire's own) can be held up by the very resource that failed.
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, cancellationToken) =>
        {
            var stopping = @event.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            _ = ActivatorUtilities.CreateInstance<FailedResourceReporter>(@event.Services).RunAsync(stopping);
            return Task.CompletedTask;
        });
        return builder;
    }
}
