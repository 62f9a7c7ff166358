using System.Diagnostics;

namespace Conference.AppHost.Processes;

/// <summary>Finding and running the local programs the Processes variant is made of.</summary>
static class LocalCommand
{
    /// <summary>The full path of <paramref name="program"/> on PATH or in <paramref name="extraDirectories"/>; null if absent.</summary>
    public static string? Find(string program, params IEnumerable<string> extraDirectories)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(extraDirectories)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>PostgreSQL refuses to run as root, which is who runs CI; it runs as the <c>postgres</c> user then.</summary>
    public static bool IsRoot => Environment.UserName == "root";

    /// <summary>
    /// Whether the <c>postgres</c> user may enter <paramref name="directory"/>, i.e. search every directory on the way
    /// there. Asked of the system (<c>runuser … test -x</c>) rather than worked out from modes, ACLs and groups.
    /// </summary>
    public static bool PostgresUserCanEnter(string directory)
    {
        try
        {
            using var test = Process.Start(new ProcessStartInfo("runuser", ["-u", "postgres", "--", "test", "-x", directory])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = "/",
            });
            if (test is null || !test.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                return false;
            }
            return test.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>
    /// Runs a program to completion in <paramref name="workingDirectory"/> (default: the AppHost's) and throws with its
    /// output if it fails.
    /// </summary>
    public static async Task RunAsync(string program, IEnumerable<string> arguments, CancellationToken cancellationToken,
        string? workingDirectory = null)
    {
        var startInfo = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? "",
        };
        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"Could not start {program}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{program} {string.Join(' ', startInfo.ArgumentList)} exited with {process.ExitCode}: {await error}{await output}");
        }
    }
}
