using System.Net;
using System.Net.Sockets;

namespace Conference.Tests.Infrastructure;

/// <summary>What tests need from the machine they run on: free ports, installed programs, the repository.</summary>
public static class LocalMachine
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>A loopback port nobody listens on right now (the OS picks it for a moment's listener).</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>
    /// The full path of a program in one of <paramref name="preferredDirectories"/> or else on PATH. A missing
    /// one is an error that says how to get it, so a bare machine fails the first test that needs it with the
    /// fix in view.
    /// </summary>
    public static string FindExecutable(string name, params string[] preferredDirectories)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        var directories = preferredDirectories.Concat(path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        return directories.Select(directory => Path.Combine(directory, name)).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(
                $"{name} not found: run ./test.sh (it installs postgresql, redis-server, caddy, chromium and tools/node)");
    }

    static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Conference.slnx")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"No Conference.slnx above {AppContext.BaseDirectory}");
    }
}
