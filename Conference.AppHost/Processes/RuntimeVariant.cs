using System.Diagnostics;

namespace Conference.AppHost.Processes;

/// <summary>How the infrastructure runs: as containers, or as local processes where no container engine answers.</summary>
public enum RuntimeVariant
{
    Containers,
    Processes,
}

public static class RuntimeVariantExtensions
{
    /// <summary>The switch: <c>--Conference:Runtime=Processes</c> (or the env var <c>Conference__Runtime</c>).</summary>
    public const string ConfigurationKey = "Conference:Runtime";

    /// <summary>
    /// Publishing always describes containers. Otherwise the switch decides, and without it we ask the container
    /// engine: with none answering, containers would block start-up for a minute and then fail.
    /// </summary>
    public static RuntimeVariant GetRuntimeVariant(this IDistributedApplicationBuilder builder)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return RuntimeVariant.Containers;
        }

        var configured = builder.Configuration[ConfigurationKey];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Enum.TryParse<RuntimeVariant>(configured, ignoreCase: true, out var variant)
                ? variant
                : throw new InvalidOperationException(
                    $"{ConfigurationKey} is '{configured}'; use '{RuntimeVariant.Containers}' or '{RuntimeVariant.Processes}'.");
        }

        return ContainerEngineAnswers(builder.Configuration["ASPIRE_CONTAINER_RUNTIME"] ?? "docker")
            ? RuntimeVariant.Containers
            : RuntimeVariant.Processes;
    }

    static bool ContainerEngineAnswers(string runtime)
    {
        try
        {
            using var info = Process.Start(new ProcessStartInfo(runtime, ["info", "--format", "{{.ServerVersion}}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (info is null)
            {
                return false;
            }
            if (!info.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                info.Kill(entireProcessTree: true);
                return false;
            }
            return info.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // The CLI is not installed at all.
            return false;
        }
    }
}
