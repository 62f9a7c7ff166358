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
public sealed record PostgresDataDirectory(string Path, string Preferred)
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
            return new PostgresDataDirectory(preferred, preferred);
        }

        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(preferred)))[..12];
        var home = System.IO.Path.Combine(SharedRoot, id);
        Directory.CreateDirectory(home);
        const UnixFileMode EveryoneEnters = (UnixFileMode)0b111_101_101;
        File.SetUnixFileMode(SharedRoot, EveryoneEnters);
        File.SetUnixFileMode(home, EveryoneEnters);
        File.WriteAllText(System.IO.Path.Combine(home, "checkout"), preferred + "\n");
        return new PostgresDataDirectory(System.IO.Path.Combine(home, "postgres"), preferred);
    }

    /// <summary>What the console and the dashboard say when the cluster moved.</summary>
    public string Explanation => Moved
        ? $"PostgreSQL keeps its data in {Path}: it runs as the postgres user (it refuses root), who cannot reach {Preferred}."
        : $"PostgreSQL keeps its data in {Path}.";
}
