using System.Net;
using System.Net.Sockets;

namespace Conference.Tests.Infrastructure;

/// <summary>What tests need from the machine they run on: free ports, installed programs, the repository.</summary>
public static class LocalMachine
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>
    /// A loopback port nobody listens on right now, outside the kernel's ephemeral range
    /// (/proc/sys/net/ipv4/ip_local_port_range) and never the same twice in one test run.
    /// </summary>
    /// <remarks>
    /// A port the OS picks for a moment's listener comes from the ephemeral range, which the kernel also hands to every
    /// outgoing connection (Chromium, npm, the services' own clients). Between picking and the server's bind one of those
    /// took it once (ci33: the emulator's EADDRINUSE on 40975, and 28 tests of its fixture failed). Below the range only
    /// another test's pick can collide, and this process's picks never do.
    /// </remarks>
    public static int FreePort()
    {
        var (ephemeralLow, _) = EphemeralRange.Value;
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var port = Random.Shared.Next(PickedFrom, ephemeralLow);
            lock (Handed)
            {
                if (Handed.Contains(port) || !CanListen(port))
                {
                    continue;
                }
                Handed.Add(port);
                return port;
            }
        }
        throw new InvalidOperationException($"no free loopback port between {PickedFrom} and {ephemeralLow}");
    }

    /// <summary>The lowest port <see cref="FreePort"/> hands out: above the registered services most machines run.</summary>
    const int PickedFrom = 20000;

    static readonly HashSet<int> Handed = [];

    static readonly Lazy<(int Low, int High)> EphemeralRange = new(() =>
    {
        // Linux's default when the file cannot be read; the range must leave room above PickedFrom.
        try
        {
            var parts = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])[' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
            var low = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
            return low > PickedFrom + 1000 ? (low, int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)) : (32768, 60999);
        }
        catch (IOException)
        {
            return (32768, 60999);
        }
    });

    static bool CanListen(int port)
    {
        try
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
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
