using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Conference.AppHost.Diagnostics;

/// <summary>
/// Says on the AppHost's console which resource failed and why — its state, exit code and last log lines — and
/// who is left waiting for it. Without it a failure shows only on the dashboard, and the console keeps saying
/// "Distributed application started" while api, web and recorder wait for ever.
/// </summary>
internal sealed class FailedResourceReporter(
    ResourceNotificationService notifications,
    ResourceLoggerService resourceLogs,
    DistributedApplicationModel model,
    IHostApplicationLifetime lifetime,
    ILogger<FailedResourceReporter> logger) : BackgroundService
{
    /// <summary>How many of the resource's last log lines the console repeats.</summary>
    internal const int LastLineCount = 12;

    static readonly TimeSpan LogReadTimeout = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Reported once per failure; a restart from the dashboard that fails again is reported again.
        var reported = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            await foreach (var update in notifications.WatchAsync(stoppingToken))
            {
                if (lifetime.ApplicationStopping.IsCancellationRequested)
                {
                    return; // resources stopping on Ctrl+C are not failures
                }
                if (Failure(update.Snapshot) is not { } failure)
                {
                    reported.Remove(update.ResourceId);
                    continue;
                }
                if (reported.Add(update.ResourceId))
                {
                    await ReportAsync(update.Resource, failure, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>What went wrong, in words, or null if nothing did.</summary>
    internal static string? Failure(CustomResourceSnapshot snapshot) => snapshot.State?.Text switch
    {
        var state when state == KnownResourceStates.FailedToStart => "failed to start",
        var state when (state == KnownResourceStates.Exited || state == KnownResourceStates.Finished) && snapshot.ExitCode is { } code && code != 0
            => $"exited with code {code}",
        var state when state == KnownResourceStates.RuntimeUnhealthy => "cannot start: the container runtime is unhealthy",
        _ => null,
    };

    async Task ReportAsync(IResource resource, string failure, CancellationToken cancellationToken)
    {
        var lines = await LastLinesAsync(resource, cancellationToken);
        var waiting = WaitingFor(resource);
        logger.LogError(
            "{Resource} {Failure}.{Lines}{Waiting}",
            resource.Name,
            failure,
            lines.Count == 0
                ? " It wrote nothing to its log."
                : $" Its last log lines:{Environment.NewLine}{string.Join(Environment.NewLine, lines.Select(line => "    " + line))}",
            waiting.Count == 0
                ? ""
                : $"{Environment.NewLine}{string.Join(", ", waiting)} wait for it: fix the cause, then restart {resource.Name} on the dashboard, or stop (Ctrl+C) and run again.");
    }

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
                    .Select(line => line.TrimEnd('\r'))
                    .Where(line => line.Trim().Length > 0 && !IsStackFrame(line)));
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // What was read in time is what the console gets.
        }
        return lines.TakeLast(LastLineCount).ToList();

        static bool IsStackFrame(string line)
        {
            var trimmed = line.TrimStart();
            return trimmed.StartsWith("at ", StringComparison.Ordinal) || trimmed.StartsWith("--- End of", StringComparison.Ordinal);
        }
    }

    /// <summary>The resources that wait for <paramref name="resource"/> or for one of its children (a server's databases).</summary>
    List<string> WaitingFor(IResource resource)
    {
        var awaited = model.Resources
            .Where(candidate => candidate == resource || (candidate is IResourceWithParent child && child.Parent == resource))
            .ToHashSet();
        return model.Resources
            .Where(candidate => candidate.Annotations.OfType<WaitAnnotation>().Any(wait => awaited.Contains(wait.Resource)))
            .Select(candidate => candidate.Name)
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}

public static class FailedResourceReporterExtensions
{
    /// <summary>Failures of any resource are said on the console, not only on the dashboard.</summary>
    public static IDistributedApplicationBuilder AddFailedResourceReporter(this IDistributedApplicationBuilder builder)
    {
        if (builder.ExecutionContext.IsRunMode)
        {
            builder.Services.AddHostedService<FailedResourceReporter>();
        }
        return builder;
    }
}
