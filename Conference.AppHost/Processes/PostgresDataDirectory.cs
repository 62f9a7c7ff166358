using System.Security.Cryptography;
using System.Text;

namespace Conference.AppHost.Processes;

/// <summary>
/// Where the local PostgreSQL keeps its cluster. PostgreSQL refuses to run as root, so as root it runs as the
/// <c>postgres</c> user, who must be able to reach its data directory. Below a directory only root may enter (a
/// clone in root's home, mode 700, as on most fresh servers) it cannot; the cluster then lives in
/// <see cref="SharedRoot"/>/ID/postgres instead, ID naming the preferred directory so that each checkout keeps its
/// own cluster, with a <c>checkout</c> file saying whose it is. Opening up root's home to reach it would be the
/// wrong trade.
/// </summary>
/// <param name="Path">The data directory postgres runs with.</param>
/// <param name="Preferred">The directory asked for (<c>DATA/postgres</c>).</param>
/// <param name="RemovedOrphans">The clusters of checkouts that no longer exist, removed from <see cref="SharedRoot"/> on the way.</param>
public sealed record PostgresDataDirectory(string Path, string Preferred, IReadOnlyList<string> RemovedOrphans)
{
    /// <summary>The system's place for programs' state that outlives reboots (FHS /var/lib), entered by everyone.</summary>
    public const string SharedRoot = "/var/lib/conference";

    /// <summary>Whether the cluster lives elsewhere than asked, because the postgres user cannot reach the preferred place.</summary>
    public bool Moved => Path != Preferred;

    /// <summary>Decides where the cluster lives; as root this asks the system whether the postgres user can enter the parent.</summary>
    public static PostgresDataDirectory For(string preferred)
    {
        var parent = System.IO.Path.GetDirectoryName(preferred)!;
        if (!LocalCommand.IsRoot || OperatingSystem.IsWindows() || LocalCommand.PostgresUserCanEnter(parent))
        {
            return new PostgresDataDirectory(preferred, preferred, []);
        }

        // A deleted clone takes its data with it when the data lives in the clone; so it does here, at the next start.
        var removed = Directory.Exists(SharedRoot) ? RemoveOrphans(SharedRoot) : [];
        var home = SharedHome(preferred);
        Directory.CreateDirectory(home);
        const UnixFileMode EveryoneEnters = (UnixFileMode)0b111_101_101;
        File.SetUnixFileMode(SharedRoot, EveryoneEnters);
        File.SetUnixFileMode(home, EveryoneEnters);
        File.WriteAllText(System.IO.Path.Combine(home, "checkout"), preferred + "\n");
        return new PostgresDataDirectory(System.IO.Path.Combine(home, "postgres"), preferred, removed);
    }

    /// <summary><see cref="SharedRoot"/>/ID for <paramref name="preferred"/>: ID is the first 12 hex digits of its path's SHA-256.</summary>
    public static string SharedHome(string preferred) =>
        System.IO.Path.Combine(SharedRoot, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(preferred)))[..12]);

    /// <summary>
    /// Removes the clusters in <paramref name="root"/> whose checkout is gone: the folder holding the data directory
    /// their <c>checkout</c> file names (the clone's <c>Conference.AppHost</c>) no longer exists, and no postgres
    /// runs from them (<c>postmaster.pid</c> names no live process). Returns the cluster folders removed.
    /// </summary>
    public static IReadOnlyList<string> RemoveOrphans(string root)
    {
        var removed = new List<string>();
        foreach (var home in Directory.EnumerateDirectories(root))
        {
            var checkout = System.IO.Path.Combine(home, "checkout");
            if (!File.Exists(checkout)
                || System.IO.Path.GetDirectoryName(System.IO.Path.GetDirectoryName(File.ReadAllText(checkout).Trim())) is not { Length: > 0 } owner
                || Directory.Exists(owner)
                || Running(System.IO.Path.Combine(home, "postgres", "postmaster.pid")))
            {
                continue;
            }
            Directory.Delete(home, recursive: true);
            removed.Add(home);
        }
        return removed;
    }

    /// <summary>Whether the first line of a <c>postmaster.pid</c> names a process that is alive.</summary>
    static bool Running(string postmasterPid)
    {
        if (!File.Exists(postmasterPid) || !int.TryParse(File.ReadLines(postmasterPid).FirstOrDefault(), out var pid))
        {
            return false;
        }
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
    }

    /// <summary>What the console and the dashboard say when the cluster moved.</summary>
    public string Explanation => (Moved
        ? $"PostgreSQL keeps its data in {Path}: it runs as the postgres user (it refuses root), who cannot reach {Preferred}."
        : $"PostgreSQL keeps its data in {Path}.")
        + (RemovedOrphans.Count > 0 ? $" Removed the data of {RemovedOrphans.Count} checkout(s) that no longer exist: {string.Join(", ", RemovedOrphans)}." : "");
}
